import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { acquireDataDirLock } from './data-dir-lock.ts';
import type { Db } from './db.ts';
import { createPgDb } from './pg-db.ts';
import { createPgliteDb } from './pglite-db.ts';

/** Opens the database the configuration names: a PostgreSQL server, or the embedded one. */
export async function openDb(config: Config): Promise<Db> {
  if (config.databaseUrl) return createPgDb({ connectionString: config.databaseUrl, max: config.pgPoolMax });
  const dir = join(config.dataDir, 'pgdata');
  mkdirSync(dir, { recursive: true });
  const release = acquireDataDirLock(join(config.dataDir, 'pgdata.lock'));
  try {
    const db = await createPgliteDb(dir);
    return {
      ...db,
      async close() {
        try {
          await db.close();
        } finally {
          release();
        }
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/** Where the data lives, for people reading start-up output (never prints a password). */
export function describeDatabase(config: Config): string {
  if (!config.databaseUrl) return `embedded PostgreSQL (PGlite) in ${join(config.dataDir, 'pgdata')}`;
  const url = new URL(config.databaseUrl);
  return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`;
}
