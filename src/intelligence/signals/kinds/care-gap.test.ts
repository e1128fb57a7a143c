/**
 * Care gaps on labelled test patients of ../shared/data/measures, as a PersonRecord: one
 * finding per measure gap, explained by the failed criteria.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Condition, Encounter, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { createMeasureEngine, loadMeasureContent, loadMeasureTestCases, oneYearPeriod, type MeasureEngine, type MeasureTestCase } from '../../measures/index.ts';
import { personRecordOf } from '../person-record.ts';
import type { Finding, PartialDetection, SignalContext } from '../signal.ts';
import { careGap, measureInput } from './care-gap.ts';

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

describe('care-gap measure input', () => {
  const clinic: Patient = { resourceType: 'Patient', id: 'clinic', identifier: [{ system: 'urn:longitude:ehr-clinic:mrn', value: 'C1' }], gender: 'male', birthDate: '1970-05-01' };
  const crm: Patient = { resourceType: 'Patient', id: 'crm', identifier: [{ system: 'urn:longitude:crm:contact-id', value: 'CRM-1' }] };
  const golden: Patient = { resourceType: 'Patient', id: 'golden', meta: { tag: [{ system: 'urn:longitude:identity', code: 'golden' }] }, gender: 'male', birthDate: '1970-05-01', link: [{ type: 'seealso', other: { reference: 'Patient/clinic' } }] };

  test('the measure Patient: identity\'s golden Patient, else a source Patient with a birth date and gender (not the CRM contact, which has neither)', () => {
    assert.equal(measureInput(personRecordOf('p', ['crm', 'clinic'], [crm, clinic]))[0]?.id, 'clinic');
    assert.equal(measureInput(personRecordOf('p', ['crm', 'clinic'], [crm, clinic, golden]))[0]?.id, 'golden');
    assert.deepEqual(measureInput(personRecordOf('p', ['crm', 'clinic'], [crm, clinic, golden])).filter((r) => r.resourceType === 'Patient').map((r) => r.id), ['golden'], 'one Patient only');
  });

  test('an uncategorized Observation made on a specimen (an HL7 v2 result) is a laboratory result for the measures; the record is not changed', () => {
    const fromOru: Observation = { resourceType: 'Observation', id: 'o1', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '4548-4' }] }, specimen: { reference: 'Specimen/s1' } };
    const vital: Observation = { resourceType: 'Observation', id: 'o2', status: 'final', category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }], code: { text: 'BP' }, specimen: { reference: 'Specimen/s1' } };
    const record = personRecordOf('p', ['clinic'], [clinic, fromOru, vital]);
    const input = measureInput(record);
    assert.deepEqual((input.find((r) => r.id === 'o1') as Observation).category?.[0]?.coding?.[0]?.code, 'laboratory');
    assert.equal((input.find((r) => r.id === 'o2') as Observation).category?.[0]?.coding?.[0]?.code, 'vital-signs', 'a category the source gave is kept');
    assert.equal(fromOru.category, undefined);
  });

  describe('CMS122 on a lab\'s HbA1c', () => {
    let cms122: MeasureEngine;
    before(() => {
      cms122 = createMeasureEngine(loadMeasureContent(contentDir, ['CMS122']), { requireProfileTagging: false });
    });
    const diabetes: Condition = {
      resourceType: 'Condition', id: 'd', subject: { reference: 'Patient/clinic' }, onsetDateTime: '2020-01-01',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'E11.9' }] },
    };
    const visit: Encounter = {
      resourceType: 'Encounter', id: 'e', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      type: [{ coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '99213' }] }], subject: { reference: 'Patient/clinic' }, period: { start: '2025-03-01T10:00:00Z', end: '2025-03-01T10:20:00Z' },
    };
    const a1c = (value: number): Observation => ({
      resourceType: 'Observation', id: 'a', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '4548-4' }] }, subject: { reference: 'Patient/clinic' },
      specimen: { reference: 'Specimen/s' }, effectiveDateTime: '2025-03-01T09:00:00Z', valueQuantity: { value, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
    });
    const gaps = async (resources: Resource[]) => {
      const detection = await careGap.detect(personRecordOf('p', ['clinic'], [clinic, diabetes, visit, ...resources]), { ...context(), services: { measureEngine: cms122, measurementPeriod: oneYearPeriod('2025-01-01') } });
      return (detection as Finding[]).map((f) => f.key);
    };

    test('a result of 7.0 % from the lab meets the measure; 9.5 % is the poor-control gap; none at all is a gap', async () => {
      assert.deepEqual(await gaps([a1c(7)]), []);
      assert.deepEqual(await gaps([a1c(9.5)]), ['CMS122|2025-01-01']);
      assert.deepEqual(await gaps([]), ['CMS122|2025-01-01']);
    });
  });
});
