import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { LongitudeError } from '../errors.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { describeSchema } from './describe-schema.ts';
import { isMigrated, migrate, readMigrations } from './migrate.ts';

const committedSchema = readFileSync(new URL('./schema.sql', import.meta.url), 'utf8');

for (const backend of testDatabases()) {
  describe(`migrations on ${backend.kind}`, () => {
    test('a fresh database ends in the committed schema (run `npm run schema:dump` after adding a migration)', async (t) => {
      const db = await backend.open();
      t.after(() => db.close());
      assert.equal(await describeSchema(db), committedSchema);
      assert.equal(await isMigrated(db), true);
    });

    test('an upgraded database ends in the same schema as a fresh one', async (t) => {
      const migrations = readMigrations();
      assert.ok(migrations.length >= 2, 'needs at least two migrations to upgrade across');
      const db = await backend.open({ migrated: false });
      t.after(() => db.close());
      const first = await migrate(db, { upTo: migrations[0]!.version });
      assert.deepEqual(first, [migrations[0]!.name]);
      assert.equal(await isMigrated(db), false);
      const rest = await migrate(db);
      assert.deepEqual(rest, migrations.slice(1).map((m) => m.name));
      assert.equal(await describeSchema(db), committedSchema);
    });

    test('running migrations again applies nothing', async (t) => {
      const db = await backend.open();
      t.after(() => db.close());
      assert.deepEqual(await migrate(db), []);
    });

    test('two migrators at once apply each migration exactly once', async (t) => {
      const db = await backend.open({ migrated: false });
      t.after(() => db.close());
      const [a, b] = await Promise.all([migrate(db), migrate(db)]);
      assert.deepEqual([...a!, ...b!].sort(), readMigrations().map((m) => m.name));
    });

    test('a migration edited after it was applied is refused', async (t) => {
      const db = await backend.open();
      t.after(() => db.close());
      const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: 'edited' } : m));
      await assert.rejects(migrate(db, { migrations: edited }), (err: unknown) => {
        assert.ok(err instanceof LongitudeError);
        assert.equal(err.code, 'LNG_MIGRATION_FAILED');
        return true;
      });
    });

    test('a failing migration rolls back and names the file', async (t) => {
      const db = await backend.open();
      t.after(() => db.close());
      const broken = { version: 9999, name: '9999_broken.sql', sql: 'create table half_done (x int); select nope;', checksum: 'x' };
      await assert.rejects(migrate(db, { migrations: [...readMigrations(), broken] }), /9999_broken\.sql failed/);
      const { rows } = await db.query(`select 1 from information_schema.tables where table_name = 'half_done' and table_schema = current_schema()`);
      assert.equal(rows.length, 0);
    });
  });
}
