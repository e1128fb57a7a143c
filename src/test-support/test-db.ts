/**
 * Real databases for tests, one fresh and migrated per call: an in-memory PGlite always, and
 * when DATABASE_URL is set, a PostgreSQL server with a schema of its own per database (so
 * suites run in parallel without seeing each other's rows).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../platform/config.ts';
import type { Db, DbKind } from '../platform/db/db.ts';
import { migrate } from '../platform/db/migrate.ts';
import { createPgDb } from '../platform/db/pg-db.ts';
import { createPgliteDb } from '../platform/db/pglite-db.ts';

export interface TestDatabase {
  kind: DbKind;
  /** A fresh database; `migrated: false` leaves it empty (migration tests). */
  open(options?: { migrated?: boolean }): Promise<Db>;
}

const databaseUrl = loadConfig({ env: process.env }).databaseUrl;

/** The backends this run tests against: PGlite, plus PostgreSQL when DATABASE_URL is set. */
export function testDatabases(): TestDatabase[] {
  const backends: TestDatabase[] = [{ kind: 'pglite', open: openPglite }];
  if (databaseUrl) backends.push({ kind: 'postgres', open: (o) => openPostgresSchema(databaseUrl, o) });
  return backends;
}

let migratedSnapshot: Promise<Blob> | undefined;

/**
 * Booting PGlite and migrating costs about 2 s; loading a snapshot of a migrated database
 * about 0.5 s. The first fresh database of a test file is migrated and kept as the snapshot.
 */
async function openPglite(options: { migrated?: boolean } = {}): Promise<Db> {
  if (options.migrated === false) return createPgliteDb();
  migratedSnapshot ??= (async () => {
    const template = await createPgliteDb();
    await migrate(template);
    const snapshot = await template.snapshot();
    await template.close();
    return snapshot;
  })();
  return createPgliteDb(undefined, { loadDataDir: await migratedSnapshot });
}

async function openPostgresSchema(connectionString: string, options: { migrated?: boolean } = {}): Promise<Db> {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const db = createPgDb({ connectionString, searchPath: schema, max: 10 });
  if (options.migrated !== false) await migrate(db);
  return {
    ...db,
    kind: db.kind,
    query: db.query.bind(db),
    exec: db.exec.bind(db),
    transaction: db.transaction.bind(db),
    stats: db.stats.bind(db),
    async close() {
      await db.close();
      const cleanup = new pg.Client({ connectionString });
      await cleanup.connect();
      await cleanup.query(`drop schema ${schema} cascade`);
      await cleanup.end();
    },
  };
}
