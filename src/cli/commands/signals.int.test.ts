/**
 * `longitude signals run` as a user runs it, on an embedded database: the summary per kind,
 * and a one-line error for bad flags (idempotency is in signal-runner.int.test.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Observation, Patient } from '@medplum/fhirtypes';
import { createPgliteDb } from '../../platform/db/pglite-db.ts';
import { wireRecordParts } from '../../test-support/hub-parts.ts';
import { systemContext } from '../../trust/access-context.ts';

const bin = new URL('../../../bin/longitude.js', import.meta.url).pathname;

function longitude(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const hba1c = (patientId: string, day: string): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '4548-4' }] },
  subject: { reference: `Patient/${patientId}` },
  effectiveDateTime: day,
});

test('signals run --all prints raised / still open / resolved per kind', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lng-signals-'));
  const env = { LONGITUDE_DATA_DIR: dataDir };
  assert.equal(longitude(['migrate'], env).status, 0);
  const parts = wireRecordParts(await createPgliteDb(join(dataDir, 'pgdata')));
  const ctx = systemContext('test');
  for (const family of ['Ng', 'Oduya']) {
    const id = (await parts.store.create<Patient>(ctx, { resourceType: 'Patient', name: [{ family }] })).resource.id!;
    await parts.store.create(ctx, hba1c(id, '2026-03-01'));
    if (family === 'Ng') await parts.store.create(ctx, hba1c(id, '2026-04-01'));
  }
  await parts.close();

  const args = ['signals', 'run', '--all', '--as-of', '2026-06-30', '--kind', 'duplicate-test', '--kind', 'contact-drift'];
  const first = longitude(args, env);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /^kind\s+raised\s+still open\s+resolved\nduplicate-test\s+1\s+0\s+0\ncontact-drift\s+0\s+0\s+0\n2 person\(s\)\n$/);

  const bad = longitude(['signals', 'run', '--kind', 'bogus', '--all'], env);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^error: .*expected one of care-gap/);
  const neither = longitude(['signals', 'run'], env);
  assert.notEqual(neither.status, 0);
  assert.match(neither.stderr, /--all or --person/);
});
