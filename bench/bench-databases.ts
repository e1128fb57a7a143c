/**
 * The databases a benchmark runs on: the embedded one on disk (as `npm start` uses it) and,
 * when a URL is given, a PostgreSQL server in a schema of its own, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Db } from '../src/platform/db/db.ts';
import { createPgDb } from '../src/platform/db/pg-db.ts';
import { createPgliteDb } from '../src/platform/db/pglite-db.ts';

export async function withPgliteOnDisk<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'lng-bench-'));
  const db = await createPgliteDb(join(dir, 'pgdata'));
  try {
    return await work(db);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function withPostgresSchema<T>(connectionString: string, work: (db: Db) => Promise<T>): Promise<T> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const db = createPgDb({ connectionString, searchPath: schema, max: 10 });
  try {
    return await work(db);
  } finally {
    await db.close();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}
