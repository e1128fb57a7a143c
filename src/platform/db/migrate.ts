/**
 * Numbered, forward-only SQL migrations (migrations/NNNN_name.sql). Each runs in its own
 * transaction under an advisory lock, so two processes starting at once apply each file
 * exactly once; a file already applied is skipped, and one edited after it was applied is
 * refused (add a new migration instead).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LongitudeError } from '../errors.ts';
import { AdvisoryLocks, type Db } from './db.ts';

export const migrationsDir = new URL('./migrations/', import.meta.url).pathname;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir: string = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(file.slice(0, 4)),
        name: file,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

export interface MigrateOptions {
  migrations?: Migration[];
  /** Apply migrations up to and including this version only (tests of upgrades). */
  upTo?: number;
  onApplied?: (migration: Migration) => void;
}

/** Brings the database to the newest schema; returns the names of the files it applied. */
export async function migrate(db: Db, options: MigrateOptions = {}): Promise<string[]> {
  const migrations = (options.migrations ?? readMigrations()).filter(
    (m) => options.upTo === undefined || m.version <= options.upTo,
  );
  const applied: string[] = [];
  for (const migration of migrations) {
    const didApply = await db.transaction(async (tx) => {
      // Must come first: whoever holds the lock sees every migration committed before it.
      await tx.query('select pg_advisory_xact_lock($1)', [AdvisoryLocks.migrate]);
      await tx.exec(`create table if not exists schema_migrations (
        version integer primary key,
        name text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`);
      const { rows } = await tx.query<{ checksum: string }>(
        'select checksum from schema_migrations where version = $1',
        [migration.version],
      );
      if (rows[0]) {
        if (rows[0].checksum !== migration.checksum) {
          throw new LongitudeError(
            'LNG_MIGRATION_FAILED',
            `migration ${migration.name} was changed after it was applied; migrations are forward-only, add a new file instead`,
          );
        }
        return false;
      }
      try {
        await tx.exec(migration.sql);
      } catch (err) {
        throw new LongitudeError('LNG_MIGRATION_FAILED', `migration ${migration.name} failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
      await tx.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      return true;
    });
    if (didApply) {
      applied.push(migration.name);
      options.onApplied?.(migration);
    }
  }
  return applied;
}

/** True when every known migration has been applied (readiness). */
export async function isMigrated(db: Db, migrations: Migration[] = readMigrations()): Promise<boolean> {
  const latest = migrations.at(-1)?.version ?? 0;
  try {
    const { rows } = await db.query<{ version: number | null }>('select max(version) as version from schema_migrations');
    return (rows[0]?.version ?? 0) >= latest;
  } catch {
    return false;
  }
}
