import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Coverage, ExplanationOfBenefit, MedicationRequest, MedicationStatement, Patient, Resource } from '@medplum/fhirtypes';
import { personRecordOf } from '../person-record.ts';
import type { Finding } from '../signal.ts';
import { medicationConflict } from './medication-conflict.ts';

const patient: Patient = { resourceType: 'Patient', id: 'p1' };
const asOf = new Date('2026-06-30T12:00:00Z');

function request(id: string, text: string, channel: string, status: MedicationRequest['status'] = 'active', authoredOn = '2026-01-10'): MedicationRequest {
  return { resourceType: 'MedicationRequest', id, status, intent: 'order', subject: { reference: 'Patient/p1' }, medicationCodeableConcept: { text }, authoredOn, meta: { source: `urn:longitude:channel/${channel}#${id}` } };
}

function statement(id: string, text: string, channel: string, status: MedicationStatement['status'], dateAsserted: string): MedicationStatement {
  return { resourceType: 'MedicationStatement', id, status, subject: { reference: 'Patient/p1' }, medicationCodeableConcept: { text }, dateAsserted, meta: { source: `urn:longitude:channel/${channel}#${id}` } };
}

/** A pharmacy claim as the payer extract maps it: what was dispensed, for a 90-day supply. */
function fill(id: string, text: string, start: string, end: string): ExplanationOfBenefit {
  return {
    resourceType: 'ExplanationOfBenefit', id, status: 'active', use: 'claim', outcome: 'complete', created: end,
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'pharmacy' }] },
    patient: { reference: 'Patient/p1' }, insurer: { display: 'plan' }, provider: { display: 'pharmacy' }, insurance: [{ focal: true, coverage: { display: 'c' } }],
    item: [{ sequence: 1, productOrService: { text }, servicedPeriod: { start, end } }],
    meta: { source: `urn:longitude:channel/csv:payer#${id}` },
  };
}

/** The member's coverage with the payer, as the enrollment extract maps it. */
function coverage(id: string, start: string, end?: string): Coverage {
  return {
    resourceType: 'Coverage', id, status: 'active', beneficiary: { reference: 'Patient/p1' }, payor: [{ display: 'plan' }],
    period: { start, ...(end ? { end } : {}) }, meta: { source: `urn:longitude:channel/csv:payer#${id}` },
  };
}

const run = (resources: Resource[]) => medicationConflict.detect(personRecordOf('p1', ['p1'], [patient, ...resources]), { asOf, services: {} }) as Finding[];

describe('medication-conflict', () => {
  test('pharmacy claims are the payer\'s list: a different strength dispensed is a dose mismatch; the brand name dispensed is the same drug', () => {
    const clinic = request('m1', 'amlodipine 5 mg', 'ehr');
    const mismatch = run([clinic, fill('e1', 'amlodipine 10 mg', '2026-01-05', '2026-04-04'), fill('e2', 'amlodipine 10 mg', '2026-04-05', '2026-07-03')]);
    assert.deepEqual(mismatch.map((f) => f.key), ['dose-mismatch|amlodipine']);
    assert.match(mismatch[0]!.explanation, /csv:payer has amlodipine 10 mg/);
    assert.deepEqual(run([clinic, fill('e3', 'Norvasc 5 mg', '2026-04-05', '2026-07-03')]), [], 'brand in one silo, generic in the other: one drug');
    assert.deepEqual(run([clinic, fill('e4', 'amlodipine 10 mg', '2025-10-01', '2025-12-29')]), [], 'a fill that ran out months ago says nothing');
  });

  test('after the member left the plan, its last fills are still its list: a lapse from the coverage ending is not a stop', () => {
    const clinic = request('m1', 'metformin 850 mg', 'ehr');
    const fills = [fill('e1', 'Glucophage 1000 mg', '2026-01-12', '2026-04-11'), fill('e2', 'metformin 1000 mg', '2026-04-12', '2026-07-10')];
    // asOf 2026-06-30 would still see the April fill; a year later it ran out long ago.
    const later = (resources: Resource[]) => medicationConflict.detect(personRecordOf('p1', ['p1'], [patient, ...resources]), { asOf: new Date('2026-12-31T12:00:00Z'), services: {} }) as Finding[];
    assert.deepEqual(later([clinic, ...fills, coverage('c1', '2024-12-27', '2026-05-30')]).map((f) => f.key), ['dose-mismatch|metformin'], 'coverage ended in May: the plan saw fills until then');
    assert.deepEqual(later([clinic, ...fills, coverage('c1', '2024-12-27')]), [], 'still covered and no fill since July: a lapse, which says nothing');
    assert.deepEqual(later([clinic, ...fills]), [], 'no coverage on record: as of the run');
    const longAgo = (resources: Resource[]) => medicationConflict.detect(personRecordOf('p1', ['p1'], [patient, ...resources]), { asOf: new Date('2027-09-01T12:00:00Z'), services: {} }) as Finding[];
    assert.deepEqual(longAgo([clinic, ...fills, coverage('c1', '2024-12-27', '2026-05-30')]), [], 'a plan left over a year ago holds no current list');
  });

  test('two drugs of one class, one listed and one dispensed, are one therapeutic duplication (not two missing-from-list findings)', () => {
    const findings = run([request('m1', 'sertraline 50 mg', 'ehr'), fill('e1', 'escitalopram 10 mg', '2026-05-01', '2026-07-29')]);
    assert.deepEqual(findings.map((f) => [f.key, f.priority]), [['therapeutic-duplication|ssri', 'high']]);
    assert.match(findings[0]!.title, /escitalopram and sertraline are both ssri drugs/);
    assert.deepEqual(findings[0]!.evidence.map((e) => e.reference).sort(), ['ExplanationOfBenefit/e1', 'MedicationRequest/m1']);
    assert.deepEqual(run([request('m1', 'lisinopril 10 mg', 'ehr'), request('m2', 'losartan 50 mg', 'ehr')]).map((f) => f.key), ['therapeutic-duplication|raas-blocker'], 'ACE inhibitor with an ARB');
  });

  test('Lipitor and atorvastatin both active is duplicate therapy, even from one source', () => {
    const findings = run([request('m1', 'Lipitor 20 mg tablet', 'ehr'), request('m2', 'atorvastatin 40 mg', 'ehr')]);
    assert.deepEqual(findings.map((f) => f.key), ['duplicate-therapy|atorvastatin']);
    assert.equal(findings[0]!.priority, 'high');
    assert.match(findings[0]!.title, /Lipitor 20 mg tablet and atorvastatin 40 mg are both atorvastatin/);
  });

  test('the same generic from two sources is not duplicate therapy, and the lists agree', () => {
    assert.deepEqual(run([request('m1', 'metformin 500 mg', 'ehr'), statement('s1', 'Metformin 500mg', 'pharmacy', 'active', '2026-02-01')]), []);
  });

  test('active in the clinic, stopped later by the pharmacy: lists disagree, high priority', () => {
    const findings = run([request('m1', 'lisinopril 10 mg', 'ehr', 'active', '2026-01-10'), statement('s1', 'lisinopril 10 mg', 'pharmacy', 'stopped', '2026-03-01')]);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]!.key, 'lists-disagree|lisinopril');
    assert.equal(findings[0]!.priority, 'high');
    assert.match(findings[0]!.explanation, /but pharmacy records it as stopped \(lisinopril 10 mg, 2026-03-01\)/);
  });

  test('a stop older than the active entry is history, not a conflict', () => {
    assert.deepEqual(run([request('m1', 'lisinopril 10 mg', 'ehr', 'active', '2026-03-10'), statement('s1', 'lisinopril 10 mg', 'pharmacy', 'stopped', '2025-03-01')]), []);
  });

  test('a drug missing from another source’s active list is a moderate finding; a source without a list says nothing', () => {
    const findings = run([
      request('m1', 'metformin 500 mg', 'ehr'),
      request('m2', 'amlodipine 5 mg', 'ehr'),
      statement('s1', 'metformin 500 mg', 'pharmacy', 'active', '2026-02-01'),
    ]);
    assert.deepEqual(findings.map((f) => [f.key, f.priority]), [['lists-disagree|amlodipine', 'moderate']]);
    assert.match(findings[0]!.title, /missing from pharmacy/);
    assert.deepEqual(run([request('m2', 'amlodipine 5 mg', 'ehr')]), []);
  });

  test('a plan the member joined less than a fill cycle ago cannot show a drug is missing; what it dispensed still counts', () => {
    // Joined in May: a 90-day supply the previous plan paid for in April is not due for refill yet.
    const clinic = [request('m1', 'Zestril 20 mg', 'ehr'), request('m2', 'Lexapro 20 mg', 'ehr')];
    const lisinopril = fill('e1', 'lisinopril 20 mg', '2026-06-20', '2026-09-17');
    assert.deepEqual(run([...clinic, lisinopril, coverage('c1', '2026-05-01')]), [], 'escitalopram not dispensed yet by the new plan');
    assert.deepEqual(run([...clinic, lisinopril, coverage('c1', '2025-11-01')]).map((f) => f.key), ['lists-disagree|escitalopram'], 'eight months of coverage and no fill: missing from its list');
    assert.deepEqual(run([...clinic, fill('e2', 'lisinopril 40 mg', '2026-06-20', '2026-09-17'), coverage('c1', '2026-05-01')]).map((f) => f.key), ['dose-mismatch|lisinopril'], 'a new plan\'s fills are still compared');
  });

  test('the same ingredient at different strengths in two sources is a dose mismatch; equal strengths are not', () => {
    const findings = run([request('m1', 'metformin 500 mg tablet', 'ehr'), statement('s1', 'Metformin 1000mg', 'payer', 'active', '2026-02-01')]);
    assert.deepEqual(findings.map((f) => f.key), ['dose-mismatch|metformin']);
    assert.match(findings[0]!.title, /500 mg vs 1000 mg/);
    assert.deepEqual(run([request('m1', 'metformin 500 mg', 'ehr'), statement('s1', 'metformin 500 mg', 'payer', 'active', '2026-02-01')]), []);
  });

  test('an unrecognised drug and a combination product are left alone', () => {
    assert.deepEqual(run([request('m1', 'Zzyzx elixir', 'ehr'), request('m2', 'lisinopril/HCTZ 10/12.5', 'pharmacy')]), []);
  });
});
