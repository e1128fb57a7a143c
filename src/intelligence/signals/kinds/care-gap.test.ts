/**
 * Care gaps on labelled test patients of ../shared/data/measures, as a PersonRecord: one
 * finding per measure gap, explained by the failed criteria.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Resource } from '@medplum/fhirtypes';
import { createMeasureEngine, loadMeasureContent, loadMeasureTestCases, oneYearPeriod, type MeasureEngine, type MeasureTestCase } from '../../measures/index.ts';
import { personRecordOf } from '../person-record.ts';
import type { Finding, PartialDetection, SignalContext } from '../signal.ts';
import { careGap } from './care-gap.ts';

const contentDir = new URL('../../../../../shared/data/measures/', import.meta.url).pathname;
let engine: MeasureEngine;
let cases: MeasureTestCase[];

function personOf(name: string) {
  const found = cases.find((c) => c.name === name);
  assert.ok(found, name);
  const resources = (found.bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource as Resource] : []));
  const patientId = resources.find((r) => r.resourceType === 'Patient')!.id!;
  return personRecordOf(patientId, [patientId], resources);
}

const context = (): SignalContext => ({ asOf: new Date('2025-12-31T00:00:00Z'), services: { measureEngine: engine, measurementPeriod: oneYearPeriod('2025-01-01') } });

describe('care-gap', () => {
  before(() => {
    const definitions = loadMeasureContent(contentDir, ['CMS165']);
    engine = createMeasureEngine(definitions);
    cases = definitions.flatMap((d) => loadMeasureTestCases(contentDir, d));
  });

  test('a measure the CQL engine fails on is reported unchecked; the other measures\' gaps still count', async () => {
    // The engine as it answers when one measure's CQL fails on a patient's data (measure-engine.ts).
    const failing: MeasureEngine = {
      ...engine,
      async evaluateInitialPopulations(patient, period, measureIds) {
        const found = await engine.evaluateInitialPopulations(patient, period, measureIds);
        return { ...found, failures: [{ measureId: 'CMS122', message: 'CMS122: the CQL engine failed: odd data' }] };
      },
    };
    const detection = (await careGap.detect(personOf('NUMERFail SBP140DBP89DuringMP'), { ...context(), services: { ...context().services, measureEngine: failing } })) as PartialDetection;
    assert.deepEqual(detection.findings.map((f) => f.key), ['CMS165|2025-01-01']);
    assert.deepEqual(detection.unchecked, [{ keyPrefix: 'CMS122|', reason: 'CMS122: the CQL engine failed: odd data' }]);
  });

  test('a 140/89 reading: one CMS165 finding, explained by the failed systolic criterion and its value', async () => {
    const findings = (await careGap.detect(personOf('NUMERFail SBP140DBP89DuringMP'), context())) as Finding[];
    assert.equal(findings.length, 1);
    const [f] = findings;
    assert.equal(f!.key, 'CMS165|2025-01-01');
    assert.equal(f!.rule.id, 'CMS165');
    assert.equal(f!.dueBy, '2025-12-31');
    assert.match(f!.title, /^Care gap CMS165: high blood pressure/);
    assert.match(f!.explanation, /"Has Systolic Blood Pressure Less Than 140" is false/);
    assert.equal(f!.facts?.[0]?.label, 'Has Systolic Blood Pressure Less Than 140');
    assert.match(f!.facts![0]!.value, /because "Lowest Systolic Reading on Most Recent Blood Pressure Day" is 140 'mm\[Hg\]'/);
    assert.equal(f!.actions[0]?.code, 'schedule-visit');
    assert.equal(f!.evidence[0]?.reference.startsWith('Patient/'), true);
  });

  test('in the numerator (139/89): no finding; without a measure engine: nothing', async () => {
    assert.deepEqual(await careGap.detect(personOf('NUMERPass SBP139DBP89DuringMP'), context()), []);
    assert.deepEqual(await careGap.detect(personOf('NUMERFail SBP140DBP89DuringMP'), { asOf: new Date(), services: {} }), []);
  });
});
