/**
 * The care-gap labels define by define (CMS125, CMS130, CMS122 as Longitude runs them): each
 * case one person with exactly the records it needs, the boundary on both sides.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CarePlan, LabOrder } from './care-events.ts';
import { dayOf } from './dates.ts';
import type { EvidenceRef, SiloResult } from './silos/silo-output.ts';
import { careGapLabels, type PersonTruthInput } from './truth.ts';
import type { Person } from './types.ts';

const ctx = { seed: 1, startDay: dayOf('2025-01-01'), endDay: dayOf('2025-12-31'), cities: [] };

interface Case {
  born: string;
  sex?: Person['sex'];
  diabetes?: boolean;
  /** Clinic visits (days); one in the period unless given. */
  visits?: string[];
  mammograms?: { day: string; silo: EvidenceRef['silo'] }[];
  colonoscopies?: { day: string; silo: EvidenceRef['silo'] }[];
  a1c?: { day: string; value: number; silo: EvidenceRef['silo'] }[];
}

function labels(c: Case): string[] {
  const evidence = new Map<string, EvidenceRef[]>();
  const ref = (silo: EvidenceRef['silo'], id: string): EvidenceRef => ({ silo, recordId: 'R1', type: silo === 'payer' ? 'claim' : 'resource', id });
  let seq = 0;
  const visits = (c.visits ?? ['2025-06-01']).map((day) => {
    evidence.set(`visit:${++seq}`, [ref('ehr-clinic', `Encounter/${seq}`)]);
    return { seq, day: dayOf(day), minute: 600, systolic: 120, diastolic: 80 };
  });
  const screenings = [...(c.mammograms ?? []).map((m) => ({ ...m, kind: 'mammography' as const })), ...(c.colonoscopies ?? []).map((m) => ({ ...m, kind: 'colonoscopy' as const }))].map((s) => {
    evidence.set(`screen:${++seq}`, [ref(s.silo, `x/${seq}`)]);
    return { seq, kind: s.kind, day: dayOf(s.day) };
  });
  const labs: LabOrder[] = (c.a1c ?? []).map((l) => {
    evidence.set(`lab:${++seq}`, [ref(l.silo, `x/${seq}`)]);
    return { seq, test: 'a1c', day: dayOf(l.day), minute: 600, performer: l.silo === 'payer' ? 'labs' : (l.silo as LabOrder['performer']), results: [{ analyte: 'a1c', value: l.value }] };
  });
  if (c.diabetes) evidence.set('cond:diabetes', [ref('ehr-clinic', 'Condition/d')]);
  const plan: CarePlan = { inEhr: true, inPayer: false, inCrm: false, visits, stays: [], labs, medications: [], screenings, immunizations: [] };
  const person = { index: 0, id: 'P1', householdIndex: 0, householdId: 'H1', relationship: 'self', sex: c.sex ?? 'female', birthDay: dayOf(c.born), given: 'A', middle: '', family: 'B', ssn: '', language: 'en', conditions: c.diabetes ? ['diabetes'] : [] } satisfies Person;
  const silos: SiloResult[] = [{ records: [], evidence, errors: [] }];
  const input: PersonTruthInput = { ctx, person, household: { index: 0, id: 'H1', people: [person], residences: [] }, plan, silos };
  return careGapLabels(input).map((g) => g.code).sort();
}

describe('care-gap labels', () => {
  test('no qualifying visit in the period: in no initial population', () => {
    assert.deepEqual(labels({ born: '1960-05-01', diabetes: true, visits: [] }), []);
    assert.deepEqual(labels({ born: '1960-05-01', diabetes: true, visits: ['2024-12-31'] }), []);
  });

  test('CMS125: women 52-74 at the end of the period; a mammogram report since October 1 two years before', () => {
    assert.deepEqual(labels({ born: '1973-12-31' }), ['breast-cancer-screening', 'colorectal-cancer-screening']);
    assert.deepEqual(labels({ born: '1974-01-01' }), ['colorectal-cancer-screening'], '51 on 2025-12-31');
    assert.deepEqual(labels({ born: '1951-01-01' }), ['breast-cancer-screening', 'colorectal-cancer-screening'], '74');
    assert.deepEqual(labels({ born: '1950-12-31' }), ['colorectal-cancer-screening'], '75: past CMS125, still in CMS130');
    assert.deepEqual(labels({ born: '1960-01-01', sex: 'male' }), ['colorectal-cancer-screening']);
    const screened = (day: string, silo: EvidenceRef['silo'] = 'ehr-clinic') => labels({ born: '1960-01-01', mammograms: [{ day, silo }], colonoscopies: [{ day: '2020-01-01', silo: 'ehr-clinic' }] });
    assert.deepEqual(screened('2023-10-01'), []);
    assert.deepEqual(screened('2023-09-30'), ['breast-cancer-screening']);
    assert.deepEqual(screened('2025-03-01', 'payer'), ['breast-cancer-screening'], 'a claim for CPT 77067 is no Observation in "Mammography"');
  });

  test('CMS130: 46-75; a colonoscopy from the start of the period minus 9 years, clinic or claim', () => {
    assert.deepEqual(labels({ born: '1980-01-01', sex: 'male' }), [], '45');
    assert.deepEqual(labels({ born: '1979-12-31', sex: 'male' }), ['colorectal-cancer-screening'], '46');
    assert.deepEqual(labels({ born: '1949-12-31', sex: 'male' }), [], '76');
    assert.deepEqual(labels({ born: '1960-01-01', sex: 'male', colonoscopies: [{ day: '2016-01-01', silo: 'ehr-clinic' }] }), []);
    assert.deepEqual(labels({ born: '1960-01-01', sex: 'male', colonoscopies: [{ day: '2015-12-31', silo: 'ehr-clinic' }] }), ['colorectal-cancer-screening']);
    assert.deepEqual(labels({ born: '1960-01-01', sex: 'male', colonoscopies: [{ day: '2025-02-01', silo: 'payer' }] }), []);
  });

  test('CMS122: no HbA1c result in the period, or the lowest on the most recent day above 9 %', () => {
    const a1c = (a: Case['a1c']) => labels({ born: '1990-01-01', sex: 'male', diabetes: true, a1c: a });
    assert.deepEqual(a1c([]), ['diabetes-hba1c']);
    assert.deepEqual(a1c([{ day: '2025-03-01', value: 7.1, silo: 'labs' }]), []);
    assert.deepEqual(a1c([{ day: '2025-03-01', value: 7.1, silo: 'payer' }]), ['diabetes-hba1c'], 'a claim for CPT 83036 is not a result');
    assert.deepEqual(a1c([{ day: '2025-03-01', value: 7.1, silo: 'labs' }, { day: '2025-09-01', value: 9.1, silo: 'hospital' }]), ['diabetes-hba1c']);
    assert.deepEqual(a1c([{ day: '2025-09-01', value: 9.5, silo: 'labs' }, { day: '2025-09-01', value: 8.9, silo: 'ehr-clinic' }]), [], 'the lowest of the most recent day');
    assert.deepEqual(a1c([{ day: '2025-09-01', value: 9.0, silo: 'labs' }]), [], '9 % is not above 9 %');
    assert.deepEqual(labels({ born: '2008-01-01', sex: 'male', diabetes: true }), [], '17');
  });
});
