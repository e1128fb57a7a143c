import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPgliteDb } from './pglite-db.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { StatisticsKeeper } from './statistics-keeper.ts';

test('the embedded database is analyzed once enough was written, not before', async () => {
  const db = await createPgliteDb();
  try {
    await db.exec('create table note (id int); insert into note select generate_series(1, 200)');
    const tuples = async () => (await db.query<{ n: number }>(`select reltuples::int as n from pg_class where relname = 'note'`)).rows[0]?.n;
    const keeper = new StatisticsKeeper(db, { afterWrites: 100 });
    keeper.noteWrites(99);
    await keeper.maybeRun();
    assert.equal(await tuples(), -1, 'never analyzed: the planner has no row count');
    keeper.noteWrites(1);
    await keeper.maybeRun();
    assert.equal(await tuples(), 200);
  } finally {
    await db.close();
  }
});

test('a resource type new to the statistics, or doubled since, makes an ANALYZE due at once', async () => {
  const db = await createPgliteDb();
  try {
    await db.exec('create table note (id int); insert into note select generate_series(1, 300)');
    const tuples = async () => (await db.query<{ n: number }>(`select reltuples::int as n from pg_class where relname = 'note'`)).rows[0]?.n;
    const keeper = new StatisticsKeeper(db, { afterWrites: 1_000_000, newTypeWrites: 200, spacingFactor: 0 });
    keeper.noteWrites(199, new Map([['Coverage', 199]]));
    await keeper.maybeRun();
    assert.equal(await tuples(), -1, '199 Coverages: not yet');
    keeper.noteWrites(1, new Map([['Coverage', 1]]));
    await keeper.maybeRun();
    assert.equal(await tuples(), 300, 'the 200th Coverage made it due');
    await db.exec('insert into note select generate_series(1, 100)');
    keeper.noteWrites(150, new Map([['Coverage', 150]]));
    await keeper.maybeRun();
    assert.equal(await tuples(), 300, '350 Coverages against 200 analyzed: not doubled');
    keeper.noteWrites(50, new Map([['Coverage', 50]]));
    await keeper.maybeRun();
    assert.equal(await tuples(), 400, '400 Coverages: doubled');
  } finally {
    await db.close();
  }
});

for (const backend of testDatabases()) {
  test(`on ${backend.kind}: statistics are kept where nothing else keeps them`, async () => {
    const db = await backend.open();
    const keeper = new StatisticsKeeper(db);
    try {
      await keeper.start();
      const autovacuumOff = (await db.query<{ autovacuum: string }>('show autovacuum')).rows[0]?.autovacuum === 'off';
      assert.equal(keeper.keeping, backend.kind === 'pglite' || autovacuumOff);
    } finally {
      await keeper.stop();
      await db.close();
    }
  });
}
