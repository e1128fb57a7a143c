import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Observation } from '@medplum/fhirtypes';
import { Registry } from 'prom-client';
import { formatQualityReport } from '../../cli/commands/quality.ts';
import type { Db } from '../../platform/db/db.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { receiveMessage } from '../message-store/message-store.ts';
import { checkBundleQuality, type ResourceQuality } from './check-quality.ts';
import { countQualityChecks, createQualityMetrics } from './quality-metrics.ts';
import { findingsOfMessage, qualityReport, recordQualityChecks } from './quality-store.ts';

const now = new Date('2026-06-01T12:00:00Z');

function bp(systolic: number, diastolic: number): Observation {
  const mmHg = (value: number) => ({ value, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' });
  return {
    resourceType: 'Observation', status: 'final', subject: { reference: 'Patient/p' }, effectiveDateTime: '2026-05-01T09:00:00Z',
    code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
    component: [
      { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: mmHg(systolic) },
      { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: mmHg(diastolic) },
    ],
  };
}

/** Checks of a message with one good and one implausible blood pressure. */
function checks(): ResourceQuality[] {
  return checkBundleQuality({ resourceType: 'Bundle', type: 'transaction', entry: [{ fullUrl: 'urn:uuid:ok', resource: bp(120, 80) }, { fullUrl: 'urn:uuid:bad', resource: bp(300, 10) }] }, { now });
}

async function message(db: Db, controlId: string): Promise<number> {
  return (await receiveMessage(db, { channel: 'clinic', content: new TextEncoder().encode(controlId), controlId })).id;
}

for (const backend of testDatabases()) {
  describe(`quality store on ${backend.kind}`, () => {
    let db: Db;
    before(async () => {
      db = await backend.open();
    });
    after(() => db.close());
    beforeEach(() => db.exec('delete from data_quality_check; delete from inbound_message_output; delete from inbound_message;'));

    test('checks and findings are stored per message and come back in order', async () => {
      const messageId = await message(db, 'm1');
      const ids = await db.transaction((tx) => recordQualityChecks(tx, { source: 'ehr-clinic', channel: 'clinic', messageId }, checks()));
      assert.equal(ids.length, 2);
      const findings = await findingsOfMessage(db, messageId);
      assert.deepEqual(findings.map((f) => [f.resourceRef, f.ruleId, f.severity, f.location]), [
        ['urn:uuid:bad', 'value-unusual', 'warning', 'Observation.component[0].valueQuantity.value'],
        ['urn:uuid:bad', 'value-implausible', 'error', 'Observation.component[1].valueQuantity.value'],
      ]);
      assert.ok(findings.every((f) => f.checkId === ids[1]));
    });

    test('reprocessing a message replaces its checks rather than counting them twice', async () => {
      const messageId = await message(db, 'm1');
      await recordQualityChecks(db, { source: 'ehr-clinic', messageId }, checks());
      await recordQualityChecks(db, { source: 'ehr-clinic', messageId }, checks());
      const [report] = await qualityReport(db);
      assert.equal(report!.checked, 2);
      assert.equal((await findingsOfMessage(db, messageId)).length, 2);
    });

    test('the per-source report: checked, passing, clean, findings by rule and severity', async () => {
      await recordQualityChecks(db, { source: 'ehr-clinic', messageId: await message(db, 'm1') }, checks());
      await recordQualityChecks(db, { source: 'ehr-clinic', messageId: await message(db, 'm2') }, checks());
      await recordQualityChecks(db, { source: 'hospital' }, checkBundleQuality({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { ...bp(118, 76), id: 'h1' } }] }, { now }));
      const reports = await qualityReport(db);
      assert.deepEqual(reports.map((r) => [r.source, r.checked, r.passing, r.clean, r.passingShare]), [
        ['ehr-clinic', 4, 2, 2, 0.5],
        ['hospital', 1, 1, 1, 1],
      ]);
      assert.deepEqual(reports[0]!.byRule, [
        { ruleId: 'value-implausible', severity: 'error', findings: 2, resources: 2 },
        { ruleId: 'value-unusual', severity: 'warning', findings: 2, resources: 2 },
      ]);
      assert.deepEqual((await qualityReport(db, { source: 'hospital' })).map((r) => r.source), ['hospital']);
      assert.deepEqual(await qualityReport(db, { since: new Date(Date.now() + 3_600_000) }), []);
      const lines = formatQualityReport(reports);
      assert.match(lines[0]!, /^ehr-clinic: 4 resource\(s\) checked, 2 passing \(50\.0 %\)/);
      assert.ok(lines.some((l) => /value-implausible\s+error\s+2\s+2/.test(l)));
    });

    test('nothing checked: an empty report', async () => {
      assert.deepEqual(await recordQualityChecks(db, { source: 'x' }, []), []);
      assert.deepEqual(await qualityReport(db), []);
      assert.deepEqual(formatQualityReport([]), ['no resources checked yet']);
    });
  });
}

describe('quality metrics', () => {
  test('findings by source, rule and severity; checks by outcome', async () => {
    const registry = new Registry();
    const metrics = createQualityMetrics(registry);
    countQualityChecks(metrics, 'ehr-clinic', checks());
    const text = await registry.metrics();
    assert.match(text, /longitude_data_quality_findings_total\{source="ehr-clinic",rule="value-implausible",severity="error"\} 1/);
    assert.match(text, /longitude_data_quality_checks_total\{source="ehr-clinic",outcome="passing"\} 1/);
    assert.match(text, /longitude_data_quality_checks_total\{source="ehr-clinic",outcome="failing"\} 1/);
  });
});
