import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Bundle, Encounter, Observation, Patient } from '@medplum/fhirtypes';
import { checkBundleQuality, checkQuality } from './check-quality.ts';

const now = new Date('2026-06-01T12:00:00Z');
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const rules = (findings: { ruleId: string; severity: string }[]) => findings.map((f) => `${f.ruleId}/${f.severity}`).sort();

function bp(systolic: number, diastolic: number): Observation {
  return {
    resourceType: 'Observation', status: 'final', subject: { reference: 'Patient/p' }, effectiveDateTime: '2026-05-01T09:00:00Z',
    code: { coding: [{ system: LOINC, code: '85354-9' }] },
    component: [
      { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: { value: systolic, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } },
      { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: { value: diastolic, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } },
    ],
  };
}

function quantity(loinc: string, value: number, code: string): Observation {
  return { resourceType: 'Observation', status: 'final', subject: { reference: 'Patient/p' }, effectiveDateTime: '2026-05-01', code: { coding: [{ system: LOINC, code: loinc }] }, valueQuantity: { value, system: UCUM, code } };
}

describe('plausible values', () => {
  test('a normal blood pressure has no findings', () => {
    assert.deepEqual(checkQuality(bp(128, 82), { now }), []);
  });

  test('300/10 is implausible, and located at the diastolic value', () => {
    const findings = checkQuality(bp(300, 10), { now });
    assert.deepEqual(rules(findings), ['value-implausible/error', 'value-unusual/warning']);
    assert.equal(findings.find((f) => f.severity === 'error')!.location, 'Observation.component[1].valueQuantity.value');
  });

  test('a diastolic above the systolic (swapped fields) is an error', () => {
    assert.deepEqual(rules(checkQuality(bp(80, 120), { now })), ['bp-diastolic-not-below-systolic/error']);
  });

  test('a hypertensive crisis (200/130) is real: a warning at most', () => {
    assert.ok(checkQuality(bp(200, 130), { now }).every((f) => f.severity !== 'error'));
  });

  test('heart rate, BMI and HbA1c ranges', () => {
    assert.deepEqual(rules(checkQuality(quantity('8867-4', 72, '/min'), { now })), []);
    assert.deepEqual(rules(checkQuality(quantity('8867-4', 720, '/min'), { now })), ['value-implausible/error']);
    assert.deepEqual(rules(checkQuality(quantity('39156-5', 24.5, 'kg/m2'), { now })), []);
    assert.deepEqual(rules(checkQuality(quantity('39156-5', 245, 'kg/m2'), { now })), ['value-implausible/error']);
    assert.deepEqual(rules(checkQuality(quantity('4548-4', 7.2, '%'), { now })), []);
    assert.deepEqual(rules(checkQuality(quantity('4548-4', 72, '%'), { now })), ['value-implausible/error'], 'a decimal point lost');
    assert.deepEqual(rules(checkQuality(quantity('4548-4', 19, '%'), { now })), ['value-unusual/warning']);
  });

  test('values are judged after unit conversion: 98.6 [degF] is a normal temperature, 98.6 Cel is not', () => {
    assert.deepEqual(rules(checkQuality(quantity('8310-5', 98.6, '[degF]'), { now })), []);
    assert.deepEqual(rules(checkQuality(quantity('8310-5', 98.6, 'Cel'), { now })), ['value-implausible/error']);
    assert.deepEqual(rules(checkQuality(quantity('2345-7', 5.5, 'mmol/L'), { now })), []);
  });

  test('hemoglobin 12.5 g/mL (a sender typing mL for dL) is 1250 g/dL: implausible', () => {
    assert.deepEqual(rules(checkQuality(quantity('718-7', 12.5, 'g/mL'), { now })), ['value-implausible/error']);
    assert.deepEqual(rules(checkQuality(quantity('718-7', 12.5, 'g/dL'), { now })), []);
  });

  test('a unit that does not fit the code, and one that is not UCUM', () => {
    assert.deepEqual(rules(checkQuality(quantity('2345-7', 95, '%'), { now })), ['unit-incompatible/warning']);
    assert.deepEqual(rules(checkQuality(quantity('4548-4', 53, 'mmol/mol'), { now })), ['unit-incompatible/warning'], 'IFCC units are not converted to NGSP %');
    const odd: Observation = { ...quantity('2345-7', 95, 'mg/dL'), valueQuantity: { value: 95, unit: 'milligrams per deciliter' } };
    assert.deepEqual(rules(checkQuality(odd, { now })), ['unit-not-ucum/information']);
  });
});

describe('codes and identifiers', () => {
  test('a LOINC with a wrong check digit, an undotted ICD-10-CM code, HCPCS under CPT, a bad NPI', () => {
    const obs: Observation = { ...quantity('2345-8', 95, 'mg/dL') };
    assert.deepEqual(rules(checkQuality(obs, { now })), ['code-loinc/error']);
    const claimLike = {
      resourceType: 'Procedure', status: 'completed', subject: { reference: 'Patient/p' },
      code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: 'G0121' }] },
      reasonCode: [{ coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'E119' }] }],
      performer: [{ actor: { identifier: { system: 'http://hl7.org/fhir/sid/us-npi', value: '1234567890' } } }],
    } as const;
    const findings = checkQuality(claimLike as never, { now });
    assert.deepEqual(rules(findings), ['code-cpt/warning', 'code-icd10cm/warning', 'identifier-npi/error']);
    assert.equal(findings.find((f) => f.ruleId === 'identifier-npi')!.location, 'Procedure.performer[0].actor.identifier.value');
  });

  test('an invalid UCUM code on a quantity', () => {
    assert.deepEqual(rules(checkQuality(quantity('2345-7', 95, 'mg/deciliter'), { now })), ['code-ucum/error']);
  });
});

describe('required elements and dates', () => {
  test('an Observation without status, code or subject', () => {
    const findings = checkQuality({ resourceType: 'Observation' } as Observation, { now });
    assert.deepEqual(rules(findings), ['required-element/error', 'required-element/error', 'required-element/error', 'required-element/warning', 'required-element/warning']);
    assert.ok(findings.some((f) => f.location === 'Observation.status'));
  });

  test('a birth date in the future, a death before birth, an impossible age', () => {
    const patient = (extra: Partial<Patient>): Patient => ({ resourceType: 'Patient', identifier: [{ value: '1' }], name: [{ family: 'Doe' }], gender: 'female', birthDate: '1960-01-01', ...extra });
    assert.deepEqual(rules(checkQuality(patient({}), { now })), []);
    assert.deepEqual(rules(checkQuality(patient({ birthDate: '2027-01-01' }), { now })), ['date-in-future/error']);
    assert.deepEqual(rules(checkQuality(patient({ deceasedDateTime: '1959-12-31' }), { now })), ['date-death-before-birth/error']);
    assert.deepEqual(rules(checkQuality(patient({ birthDate: '1890' }), { now })), ['date-birth-too-early/warning']);
    assert.deepEqual(rules(checkQuality(patient({ birthDate: '1960', deceasedDateTime: '1960-06-01' }), { now })), [], 'a year of birth is not after a death in that year');
  });

  test('an encounter that ends before it starts; time zones respected', () => {
    const encounter = (start: string, end: string): Encounter => ({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/p' }, period: { start, end } });
    assert.deepEqual(rules(checkQuality(encounter('2026-05-01T10:00:00Z', '2026-05-01T09:00:00Z'), { now })), ['period-end-before-start/error']);
    // 10:00-05:00 is 15:00Z: an end at 14:00Z is before it although its clock reads later ...
    assert.deepEqual(rules(checkQuality(encounter('2026-05-01T10:00:00-05:00', '2026-05-01T14:00:00Z'), { now })), ['period-end-before-start/error']);
    // ... and an end at 09:30-08:00 (17:30Z) is after it although its clock reads earlier.
    assert.deepEqual(rules(checkQuality(encounter('2026-05-01T10:00:00-05:00', '2026-05-01T09:30:00-08:00'), { now })), []);
    assert.deepEqual(rules(checkQuality(encounter('2026-05-01', '2026-05-01T08:00:00Z'), { now })), [], 'a day and a time in it');
    // Senders write 9999-12-31 for "no end"; its range ends in year 10000, ISO "+010000-…".
    assert.deepEqual(rules(checkQuality(encounter('2007-01-03', '9999-12-31'), { now })), []);
  });

  test('a result dated in the future', () => {
    assert.deepEqual(rules(checkQuality({ ...bp(120, 80), effectiveDateTime: '2026-07-01T00:00:00Z' }, { now })), ['date-in-future/error']);
  });
});

describe('checkBundleQuality', () => {
  test('one entry per resource, Provenance skipped, referenced by id or fullUrl', () => {
    const bundle: Bundle = {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:a', resource: bp(300, 10) },
        { fullUrl: 'urn:uuid:b', resource: { resourceType: 'Provenance', target: [], recorded: '2026-05-01T00:00:00Z', agent: [] } },
        { resource: { ...bp(120, 80), id: 'x' } },
      ],
    };
    const checks = checkBundleQuality(bundle, { now });
    assert.deepEqual(checks.map((c) => [c.resourceRef, c.findings.length]), [['urn:uuid:a', 2], ['x', 0]]);
  });
});
