/**
 * `longitude quality` as a user runs it: findings recorded by the integration layer in an
 * embedded database, reported per source as text and as JSON.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkQuality } from '../../integration/quality/check-quality.ts';
import { recordQualityChecks } from '../../integration/quality/quality-store.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { createPgliteDb } from '../../platform/db/pglite-db.ts';

const bin = new URL('../../../bin/longitude.js', import.meta.url).pathname;

function longitude(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('quality prints per source: checked, share passing, findings by rule and severity', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lng-quality-'));
  try {
    const env = { LONGITUDE_DATA_DIR: dataDir };
    const db = await createPgliteDb(join(dataDir, 'pgdata'));
    try {
      await migrate(db);
      const now = new Date('2026-06-01T00:00:00Z');
      const patient = (birthDate: string) => ({ resourceType: 'Patient' as const, identifier: [{ value: birthDate }], name: [{ family: 'Ng' }], gender: 'male' as const, birthDate });
      await recordQualityChecks(db, { source: 'payer' }, [
        { resourceType: 'Patient', resourceRef: 'a', findings: checkQuality(patient('1970-02-03'), { now }) },
        { resourceType: 'Patient', resourceRef: 'b', findings: checkQuality(patient('2030-01-01'), { now }) },
      ]);
    } finally {
      await db.close();
    }

    const text = longitude(['quality'], env);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^payer: 2 resource\(s\) checked, 1 passing \(50\.0 %\), 1 without findings \(50\.0 %\)\n/);
    assert.match(text.stdout, /date-in-future\s+error\s+1\s+1\n/);

    const json = longitude(['quality', '--source', 'payer', '--json'], env);
    assert.equal(json.status, 0, json.stderr);
    const [report] = JSON.parse(json.stdout) as [{ source: string; passingShare: number }];
    assert.deepEqual([report.source, report.passingShare], ['payer', 0.5]);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
