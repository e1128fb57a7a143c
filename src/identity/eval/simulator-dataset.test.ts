import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeOrganization } from '../../simulator/index.ts';
import { detectFormat, readDataset } from './datasets.ts';
import { evaluateIdentity } from './run-eval.ts';

test('a simulated organization reads as person records of every silo, each labelled, and links', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'longitude-identity-sim-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await writeOrganization({ outDir: dir, people: 300, seed: 11 });
  assert.equal(detectFormat(dir), 'simulator');
  const { records, entities, sourceMerges } = readDataset(dir, 'simulator');
  assert.equal(records.length, entities.length);
  // The hospital's A40s (MRG-1 retired into the PID's record) name two records of one person.
  const entityOf = new Map(records.map((r, i) => [r.recordId, entities[i]]));
  assert.ok((sourceMerges ?? []).every((m) => m.survivor.startsWith('hospital/') && entityOf.get(m.survivor) === entityOf.get(m.prior)));
  assert.deepEqual([...new Set(records.map((r) => r.source))].sort(), ['crm', 'ehr-clinic', 'hospital', 'labs', 'payer']);
  assert.equal(new Set(records.map((r) => r.recordId)).size, records.length, 'record ids are unique');
  const { report } = evaluateIdentity(dir, { format: 'simulator' });
  console.log(`simulator 300 people: P ${report.precision.toFixed(4)} R ${report.recall.toFixed(4)} F1 ${report.f1.toFixed(4)} review ${(100 * report.reviewRate).toFixed(2)} %`);
  assert.ok(report.f1 > 0.95, `F1 ${report.f1}`);
});
