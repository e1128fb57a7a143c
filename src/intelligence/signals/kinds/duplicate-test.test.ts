import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Encounter, Observation, Patient, Provenance, Resource } from '@medplum/fhirtypes';
import { personRecordOf } from '../person-record.ts';
import type { Finding } from '../signal.ts';
import { duplicateTest, recentDrawWithinWindow } from './duplicate-test.ts';

const patient: Patient = { resourceType: 'Patient', id: 'p1' };
const asOf = new Date('2026-06-30T12:00:00Z');

function lab(id: string, loinc: string, day: string, value: number, channel: string, extra: Partial<Observation> = {}): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    meta: { source: `urn:longitude:channel/${channel}#m-${id}` },
    code: { coding: [{ system: 'http://loinc.org', code: loinc }] },
    subject: { reference: 'Patient/p1' },
    effectiveDateTime: `${day}T09:00:00Z`,
    valueQuantity: { value, unit: '%' },
    ...extra,
  };
}

const run = (resources: Resource[]) => duplicateTest.detect(personRecordOf('p1', ['p1'], [patient, ...resources]), { asOf, services: {} }) as Finding[];

describe('duplicate-test', () => {
  test('an HbA1c repeated after 41 days in another source is one moderate finding naming both sources', () => {
    const findings = run([lab('a', '4548-4', '2026-03-01', 7.1, 'lab-quest'), lab('b', '4548-4', '2026-04-11', 7.0, 'ehr-clinic')]);
    assert.equal(findings.length, 1);
    const [f] = findings;
    assert.equal(f!.key, 'HbA1c|2026-04-11');
    assert.equal(f!.priority, 'moderate');
    assert.match(f!.title, /HbA1c repeated after 41 days \(meaningful interval 90 days\)/);
    assert.match(f!.explanation, /lab-quest/);
    assert.deepEqual(f!.evidence.map((e) => [e.reference, e.sourceSystem]), [['Observation/a', 'lab-quest'], ['Observation/b', 'ehr-clinic']]);
  });

  test('repeats outside the window, on the same day, cancelled, or in the future are not findings', () => {
    assert.deepEqual(run([lab('a', '4548-4', '2026-01-01', 7.1, 'x'), lab('b', '4548-4', '2026-04-01', 7.0, 'x')]), []);
    // the same result reported by two silos on the same day is one draw
    assert.deepEqual(run([lab('a', '4548-4', '2026-03-01', 7.1, 'x'), lab('b', '4548-4', '2026-03-01', 7.1, 'y')]), []);
    assert.deepEqual(run([lab('a', '4548-4', '2026-03-01', 7.1, 'x'), lab('b', '4548-4', '2026-03-20', 7.0, 'x', { status: 'cancelled' })]), []);
    assert.deepEqual(run([lab('a', '4548-4', '2026-06-01', 7.1, 'x'), lab('b', '4548-4', '2026-07-20', 7.0, 'x')]), []);
    // a test without a window (ALT) is never a duplicate
    assert.deepEqual(run([lab('a', '1742-6', '2026-03-01', 30, 'x'), lab('b', '1742-6', '2026-03-02', 31, 'x')]), []);
  });

  test('a metabolic panel repeated within a week at another lab is a finding; daily panels during a hospital stay are not', () => {
    const outpatient = run([lab('a', '2951-2', '2026-03-01', 140, 'labs'), lab('b', '2951-2', '2026-03-04', 141, 'hospital')]);
    assert.deepEqual(outpatient.map((f) => [f.key, f.priority]), [['Basic metabolic panel|2026-03-04', 'moderate']]);
    const stay: Encounter = { resourceType: 'Encounter', id: 'ip1', status: 'finished', class: { code: 'IMP' }, period: { start: '2026-03-01T00:00:00Z', end: '2026-03-06T12:00:00Z' } };
    assert.deepEqual(run([stay, lab('a', '2951-2', '2026-03-02', 140, 'hospital'), lab('b', '2951-2', '2026-03-03', 138, 'hospital')]), []);
    assert.deepEqual(run([stay, lab('a', '4548-4', '2026-03-02', 7.1, 'hospital'), lab('b', '4548-4', '2026-03-20', 7.0, 'labs')]).length, 1, 'an HbA1c window counts in hospital too');
    const emergency: Encounter = { resourceType: 'Encounter', id: 'ed1', status: 'finished', class: { code: 'EMER' }, period: { start: '2026-03-04T07:00:00Z', end: '2026-03-04T15:00:00Z' } };
    assert.deepEqual(run([emergency, lab('a', '2951-2', '2026-03-01', 140, 'labs'), lab('b', '2951-2', '2026-03-04', 128, 'hospital')]), [], 'a panel in the emergency department is acute care');
  });

  test('a repeated lipid panel with its components is one finding per draw; same source is low priority', () => {
    const findings = run([
      lab('p1', '24331-1', '2025-11-01', 0, 'ehr'),
      lab('c1', '2093-3', '2025-11-01', 190, 'ehr'),
      lab('p2', '24331-1', '2026-02-01', 0, 'ehr'),
      lab('c2', '2093-3', '2026-02-01', 185, 'ehr'),
    ]);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.priority, 'low');
    assert.equal(findings[0]!.evidence.length, 4);
  });

  test('the source comes from a Provenance before meta.source', () => {
    const provenance: Provenance = {
      resourceType: 'Provenance',
      id: 'pv',
      target: [{ reference: 'Observation/b' }],
      recorded: '2026-04-11T10:00:00Z',
      agent: [{ who: { identifier: { system: 'urn:longitude:source-system', value: 'payer' } } }],
    };
    const findings = run([lab('a', '4548-4', '2026-03-01', 7.1, 'lab'), lab('b', '4548-4', '2026-04-11', 7.0, 'lab'), provenance]);
    assert.equal(findings[0]!.evidence[1]!.sourceSystem, 'payer');
    assert.equal(findings[0]!.priority, 'moderate');
  });

  test('recentDrawWithinWindow finds a result still inside the window for a drafted order', () => {
    const record = personRecordOf('p1', ['p1'], [patient, lab('a', '4548-4', '2026-05-15', 7.1, 'lab')]);
    assert.equal(recentDrawWithinWindow(record, '4548-4', asOf)?.draw.day, '2026-05-15');
    assert.equal(recentDrawWithinWindow(record, '4548-4', new Date('2026-09-01')), undefined);
    assert.equal(recentDrawWithinWindow(record, '1742-6', asOf), undefined);
  });
});
