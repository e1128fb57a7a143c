import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Condition, Encounter, Patient, Resource } from '@medplum/fhirtypes';
import { personRecordOf } from '../person-record.ts';
import type { Finding } from '../signal.ts';
import { charlsonCategoriesOf, charlsonIndex } from './charlson.ts';
import { charlsonPoints, emergencyVisitPoints, lengthOfStayPoints, readmissionRisk } from './readmission-risk.ts';

const patient: Patient = { resourceType: 'Patient', id: 'p1' };
const v3 = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const enc = (id: string, cls: string, start: string, end: string, extra: Partial<Encounter> = {}): Encounter => ({
  resourceType: 'Encounter', id, status: 'finished', class: { system: v3, code: cls }, subject: { reference: 'Patient/p1' }, period: { start, end }, ...extra,
});
const condition = (id: string, system: string, code: string, text: string): Condition => ({
  resourceType: 'Condition', id, subject: { reference: 'Patient/p1' }, code: { coding: [{ system, code }], text }, meta: { source: `urn:longitude:channel/payer#${id}` },
});
const icd = 'http://hl7.org/fhir/sid/icd-10-cm';
const run = (asOf: string, resources: Resource[]) => readmissionRisk.detect(personRecordOf('p1', ['p1'], [patient, ...resources]), { asOf: new Date(asOf), services: {} }) as Finding[];

describe('readmission-risk (LACE)', () => {
  test('component tables follow van Walraven 2010', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 6, 7, 13, 14, 30].map(lengthOfStayPoints), [0, 1, 2, 3, 4, 4, 5, 5, 7, 7]);
    assert.deepEqual([0, 3, 4, 9].map(charlsonPoints), [0, 3, 5, 5]);
    assert.deepEqual([0, 2, 4, 8].map(emergencyVisitPoints), [0, 2, 4, 4]);
  });

  test('Charlson: ICD-10 and SNOMED codes, hierarchies applied', () => {
    const dm = charlsonCategoriesOf(condition('c1', icd, 'E11.9', 'T2DM'));
    const dmc = charlsonCategoriesOf(condition('c2', icd, 'E11.22', 'T2DM with CKD'));
    const chf = charlsonCategoriesOf(condition('c3', 'http://snomed.info/sct', '42343007', 'CHF'));
    assert.deepEqual([...dm, ...dmc, ...chf].map((c) => c.id), ['diabetes', 'diabetes-complicated', 'chf']);
    assert.equal(charlsonIndex([...dm, ...dmc, ...chf]), 3);
    assert.deepEqual(charlsonCategoriesOf(condition('c4', icd, 'I10', 'hypertension')), []);
  });

  test('an emergent 8-day stay with CHF, COPD, metastatic cancer and 2 prior ED visits scores 15 with every component shown', () => {
    const findings = run('2026-06-20T00:00:00Z', [
      enc('ed0', 'EMER', '2026-06-01T02:00:00Z', '2026-06-01T07:00:00Z'),
      enc('ip', 'IMP', '2026-06-01T08:00:00Z', '2026-06-09T12:00:00Z'),
      enc('ed1', 'EMER', '2026-02-01T02:00:00Z', '2026-02-01T05:00:00Z'),
      enc('ed2', 'EMER', '2026-04-11T02:00:00Z', '2026-04-11T05:00:00Z'),
      enc('ed-old', 'EMER', '2025-06-11T02:00:00Z', '2025-06-11T05:00:00Z'),
      condition('chf', icd, 'I50.9', 'Heart failure'),
      condition('copd', icd, 'J44.9', 'COPD'),
      condition('met', icd, 'C78.0', 'Secondary malignant neoplasm of lung'),
    ]);
    assert.equal(findings.length, 1);
    const [f] = findings;
    // L 8 days → 5; A emergent → 3; C 1+1+6 = 8 → 5; E 2 → 2
    assert.match(f!.title, /LACE 15 after discharge on 2026-06-09/);
    assert.deepEqual(f!.facts!.map((x) => x.label), ['L = 5', 'A = 3', 'C = 5', 'E = 2']);
    assert.deepEqual(f!.facts![1]!.evidence, ['Encounter/ip', 'Encounter/ed0']);
    assert.deepEqual(f!.facts![3]!.evidence, ['Encounter/ed1', 'Encounter/ed2']);
    assert.equal(f!.evidence.find((e) => e.reference === 'Condition/met')?.sourceSystem, 'payer');
    assert.equal(f!.dueBy, '2026-06-16');
  });

  test('an elective 2-day stay without comorbidity is low risk (no finding); an old discharge is not assessed', () => {
    assert.deepEqual(run('2026-06-20T00:00:00Z', [enc('ip', 'IMP', '2026-06-10T08:00:00Z', '2026-06-12T08:00:00Z')]), []);
    const heavy = [enc('ip', 'IMP', '2026-01-01T08:00:00Z', '2026-01-20T08:00:00Z', { hospitalization: { admitSource: { coding: [{ code: 'emd' }] } } }), condition('met', icd, 'C78.0', 'mets')];
    assert.equal(run('2026-01-25T00:00:00Z', heavy).length, 1);
    assert.deepEqual(run('2026-06-20T00:00:00Z', heavy), []);
  });
});
