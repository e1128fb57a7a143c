import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPgliteDb } from './pglite-db.ts';
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
