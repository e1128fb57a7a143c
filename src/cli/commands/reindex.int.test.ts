/**
 * `longitude reindex` as a user runs it, on an embedded database written before the index
 * rows it rebuilds (as after an upgrade that adds an index).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createPgliteDb } from '../../platform/db/pglite-db.ts';
import { wireRecordParts } from '../../test-support/hub-parts.ts';
import { systemContext } from '../../trust/access-context.ts';

const bin = new URL('../../../bin/longitude.js', import.meta.url).pathname;

function longitude(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('reindex rebuilds the rows of the types asked for, and is audited', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lng-reindex-'));
  const env = { LONGITUDE_DATA_DIR: dataDir };
  assert.equal(longitude(['migrate'], env).status, 0);

  const parts = wireRecordParts(await createPgliteDb(join(dataDir, 'pgdata')));
  for (const family of ['Ng', 'Oduya', 'Park']) await parts.store.create(systemContext('test'), { resourceType: 'Patient', name: [{ family }] });
  await parts.store.create(systemContext('test'), { resourceType: 'Observation', status: 'final', code: { text: 'x' } });
  // As if stored before full-text search existed.
  await parts.db.exec('delete from search_text; delete from search_string');
  await parts.close();

  const run = longitude(['reindex', '--type', 'Patient'], env);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^Patient\s+3\n.*: 3 resources reindexed\n$/);

  const db = await createPgliteDb(join(dataDir, 'pgdata'));
  try {
    const { rows } = await db.query<{ resource_type: string; n: number }>(
      'select resource_type, count(*)::int as n from search_text group by 1 order by 1',
    );
    assert.deepEqual(rows, [{ resource_type: 'Patient', n: 3 }]);
    const names = await db.query(`select 1 from search_string where code = 'family'`);
    assert.equal(names.rows.length, 3);
    const audited = await db.query<{ who: string }>(
      `select event->'agent'->0->'who'->'identifier'->>'value' as who from audit_event where event->'subtype'->0->>'code' = 'operation'`,
    );
    assert.deepEqual(audited.rows, [{ who: 'cli:reindex' }]);
  } finally {
    await db.close();
  }

  const bad = longitude(['reindex', '--type', 'Patient,Bogus'], env);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^error: .*Bogus is not a stored resource type\n$/);
});
