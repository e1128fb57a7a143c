/**
 * `longitude identity relink --all` as a user runs it, on an embedded database holding the
 * same people from three silos.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixturePatients } from '../../identity/identity-fixtures.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { createPgliteDb } from '../../platform/db/pglite-db.ts';
import { wireRecordParts } from '../../test-support/hub-parts.ts';
import { systemContext } from '../../trust/access-context.ts';

const bin = new URL('../../../bin/longitude.js', import.meta.url).pathname;

function longitude(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('identity relink --all links the silos into persons; merge and unmerge by person id', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lng-identity-'));
  const env = { LONGITUDE_DATA_DIR: dataDir };
  const parts = wireRecordParts(await createPgliteDb(join(dataDir, 'pgdata')));
  await migrate(parts.db);
  await parts.store.transaction(systemContext('test'), async (tx) => {
    for (const p of fixturePatients(10)) await tx.update(p);
  });
  await parts.close();

  const first = longitude(['identity', 'relink', '--all'], env);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /^30 source records → 10 persons \(10 new, 0 kept, 0 merged, 0 retired\)\n/);

  const db = await createPgliteDb(join(dataDir, 'pgdata'));
  let a: string;
  let b: string;
  try {
    const { rows } = await db.query<{ person_id: string }>(
      "select person_id from identity_link where record_ref in ('Patient/clinic-p0', 'Patient/clinic-p1') order by record_ref",
    );
    [a, b] = rows.map((r) => r.person_id) as [string, string];
  } finally {
    await db.close();
  }
  assert.equal(longitude(['identity', 'merge', a, b], env).status, 0);
  const view = JSON.parse(longitude(['identity', 'person', a], env).stdout) as { links: unknown[]; mergedFrom: string[]; provenance: Record<string, { rule: string }> };
  assert.equal(view.links.length, 6);
  assert.deepEqual(view.mergedFrom, [b]);
  // Two enrollment records now: the legal name comes from the more recent one.
  assert.equal(view.provenance['name']?.rule, 'recency');
  const unmerge = longitude(['identity', 'unmerge', b], env);
  assert.equal(unmerge.stdout, `person ${b} restored from ${a} with 3 records\n`);
});
