/**
 * What happens to one person during the measurement period: clinic visits with vitals, labs,
 * hospital stays, medications, immunizations, screenings, coverage and contact-center calls.
 * Which silos see the person follows from these events. Rates are model parameters (not
 * errors) and are documented, with sources, in docs/simulator.md.
 */
import { conditionInfo, type ConditionKey } from './conditions.ts';
import { ageOn } from './dates.ts';
import { drawAnalyteValue, labTests, type AnalyteKey, type LabTestKey } from './lab-catalog.ts';
import { drugs, drugsFor, sameClassAlternative, type DrugKey } from './medications.ts';
import { createRng, type Rng } from './random.ts';
import type { Person, SimulationContext } from './types.ts';

export interface Visit { seq: number; day: number; minute: number; followUpOfStay?: number; systolic: number; diastolic: number; bmi?: number }
export interface Stay {
  seq: number; kind: 'inpatient' | 'emergency'; admitDay: number; admitMinute: number; dischargeDay: number;
  dischargeMinute: number; reason: { icd10: string; display: string }; expired: boolean;
}
export type LabPerformer = 'hospital' | 'labs' | 'ehr-clinic';
export interface LabOrder {
  seq: number; test: LabTestKey; day: number; minute: number; performer: LabPerformer;
  results: { analyte: AnalyteKey; value: number }[];
  /** Ordered during this hospital stay (otherwise by the clinic). */
  stay?: number;
  /** This order repeats the test of order `repeatOf` a few days later, at another lab. */
  repeatOf?: number;
}
export interface Medication { seq: number; drug: DrugKey; dose: number; startDay: number; condition: ConditionKey; claims?: { drug: DrugKey; dose: number; conflict: 'dose-mismatch' | 'therapeutic-duplication' } }
export interface Screening { seq: number; kind: 'mammography' | 'colonoscopy'; day: number }
export interface Immunization { seq: number; vaccine: 'influenza' | 'tdap' | 'zoster' | 'pneumococcal'; day: number }
export interface Coverage { plan: string; startDay: number; endDay: number }
export interface CrmContact { day: number; reason: string }

export interface CarePlan {
  inEhr: boolean; inPayer: boolean; inCrm: boolean;
  visits: Visit[]; stays: Stay[]; labs: LabOrder[]; medications: Medication[]; screenings: Screening[];
  immunizations: Immunization[]; coverage?: Coverage; crm?: CrmContact;
  /** Baseline BMI (adults), varied a little per visit. */
  bmi?: number;
}

/** Model parameters: probabilities that shape care (documented in docs/simulator.md). */
export const careModel = {
  payerMember: 0.55,
  crmContact: 0.3,
  /** Diabetics with no HbA1c anywhere in the period (HEDIS HBD testing gaps are ~10-15 %). */
  a1cGap: 0.15,
  /** A test repeated 1-5 days later at another lab. */
  repeatTest: 0.03,
  /** Follow-up clinic visit within 7 days of an inpatient discharge. */
  followUp: 0.6,
  /** Medication lists that disagree between clinic and pharmacy claims. */
  medicationConflict: 0.05,
  /** Women 50-74 with a mammogram in the past 2 years: 76 % (NHIS 2019, CDC). */
  mammographyUpToDate: 0.76,
  /** Adults 45-75 up to date with colonoscopy: ~72 % (BRFSS 2020, CDC, any CRC test). */
  colonoscopyUpToDate: 0.72,
  /** Adult influenza vaccination coverage 2022-23: 46.9 % (CDC FluVaxView). */
  fluShot: 0.47,
} as const;

const ED_REASONS = [
  { icd10: 'R07.9', display: 'Chest pain, unspecified' }, { icd10: 'R10.9', display: 'Unspecified abdominal pain' },
  { icd10: 'S93.401A', display: 'Sprain of unspecified ligament of right ankle, initial encounter' },
  { icd10: 'R51.9', display: 'Headache, unspecified' }, { icd10: 'J06.9', display: 'Acute upper respiratory infection, unspecified' },
];
const INPATIENT_REASONS = [
  { icd10: 'J18.9', display: 'Pneumonia, unspecified organism' }, { icd10: 'N39.0', display: 'Urinary tract infection, site not specified' },
  { icd10: 'A41.9', display: 'Sepsis, unspecified organism' }, { icd10: 'K35.80', display: 'Unspecified acute appendicitis' },
];

function dayIn(rng: Rng, from: number, to: number): number {
  return rng.int(from, Math.max(from, to));
}

/** Plans one person's year, deterministically from (seed, person index). */
export function planCare(ctx: SimulationContext, person: Person): CarePlan {
  const rng = createRng(ctx.seed, 'care', person.index);
  const age = ageOn(person.birthDay, ctx.startDay);
  const lastDay = person.deathDay ?? ctx.endDay;
  const has = (c: ConditionKey) => person.conditions.includes(c);
  const n = person.conditions.length;
  let seq = 0;
  const plan: CarePlan = {
    inEhr: rng.chance(age < 18 ? 0.6 : Math.min(0.95, 0.55 + 0.08 * n)),
    inPayer: rng.chance(careModel.payerMember),
    inCrm: false,
    visits: [], stays: [], labs: [], medications: [], screenings: [], immunizations: [],
  };
  plan.inCrm = rng.chance(careModel.crmContact + (plan.inPayer ? 0.1 : 0));
  if (age >= 18) plan.bmi = Number(Math.min(60, Math.max(16, rng.normal(29.5, 6))).toFixed(1));
  const visit = (day: number, followUpOfStay?: number): Visit => {
    const htn = has('hypertension');
    const v: Visit = {
      seq: ++seq, day, minute: rng.int(8 * 60, 17 * 60),
      systolic: Math.round(rng.normal(htn ? 138 : 118, htn ? 14 : 10)), diastolic: Math.round(rng.normal(htn ? 86 : 76, 8)),
    };
    if (plan.bmi !== undefined) v.bmi = Number((plan.bmi + rng.normal(0, 0.4)).toFixed(1));
    if (followUpOfStay !== undefined) v.followUpOfStay = followUpOfStay;
    plan.visits.push(v);
    return v;
  };
  const lab = (test: LabTestKey, day: number, performer: LabPerformer, extra: Partial<LabOrder> = {}): LabOrder => {
    const order: LabOrder = {
      seq: ++seq, test, day, minute: rng.int(7 * 60, 18 * 60), performer,
      results: labTests[test].analytes.map((a) => ({ analyte: a, value: drawAnalyteValue(a, has('diabetes'), rng) })),
      ...extra,
    };
    plan.labs.push(order);
    return order;
  };

  if (plan.inEhr) {
    const count = Math.max(1, rng.poisson(1 + 0.8 * n));
    for (let i = 0; i < count; i++) visit(dayIn(rng, ctx.startDay, lastDay));
  }
  // Hospital use grows with age and with heart failure and COPD, the classic readmission drivers.
  const edCount = rng.poisson(0.15 + 0.08 * n + (has('asthma') || has('copd') ? 0.2 : 0));
  const ipCount = rng.poisson(0.03 + (age >= 65 ? 0.08 : 0) + (has('chf') ? 0.25 : 0) + (has('copd') ? 0.15 : 0) + (has('diabetes') ? 0.03 : 0));
  const stays: Stay[] = [];
  for (let i = 0; i < edCount + ipCount; i++) {
    const inpatient = i >= edCount;
    const admitDay = dayIn(rng, ctx.startDay, lastDay - (inpatient ? 8 : 1));
    const los = inpatient ? rng.int(1, 7) : rng.chance(0.8) ? 0 : 1;
    const chronic = person.conditions.find((c) => ['chf', 'copd', 'asthma', 'diabetes'].includes(c));
    const reason = inpatient && chronic && rng.chance(0.6)
      ? { icd10: chronic === 'copd' ? 'J44.1' : conditionInfo[chronic].icd10, display: conditionInfo[chronic].display }
      : rng.pick(inpatient ? INPATIENT_REASONS : ED_REASONS);
    stays.push({ seq: 0, kind: inpatient ? 'inpatient' : 'emergency', admitDay, admitMinute: rng.int(0, 1439), dischargeDay: admitDay + los, dischargeMinute: rng.int(6 * 60, 22 * 60), reason, expired: false });
  }
  if (person.deathDay !== undefined && rng.chance(0.4)) {
    // About 4 in 10 deaths happen in a hospital: a final inpatient stay ending on the day of death.
    const admitDay = Math.max(ctx.startDay, person.deathDay - rng.int(0, 5));
    stays.push({ seq: 0, kind: 'inpatient', admitDay, admitMinute: rng.int(0, 1439), dischargeDay: person.deathDay, dischargeMinute: rng.int(0, 1439), reason: rng.pick(INPATIENT_REASONS), expired: true });
  }
  stays.sort((a, b) => a.admitDay - b.admitDay || a.admitMinute - b.admitMinute);
  for (const s of stays) {
    s.seq = ++seq;
    if (s.dischargeDay === s.admitDay && s.dischargeMinute <= s.admitMinute) s.dischargeMinute = Math.min(1439, s.admitMinute + 180);
    plan.stays.push(s);
    if (s.kind === 'inpatient' || rng.chance(0.5)) {
      // Drawn on arrival: 30 and 50 minutes after admission, and before a same-day discharge.
      // (At a random time of the day they fell before an ED arrival or after its discharge,
      // where no receiver can tell them from outpatient draws.)
      const drawnAt = (after: number) => Math.min(s.admitMinute + after, s.dischargeDay === s.admitDay ? s.dischargeMinute : 1439);
      lab('bmp', s.admitDay, 'hospital', { stay: s.seq, minute: drawnAt(30) });
      lab('cbc', s.admitDay, 'hospital', { stay: s.seq, minute: drawnAt(50) });
    }
    if (s.kind === 'inpatient' && !s.expired && plan.inEhr && rng.chance(careModel.followUp) && s.dischargeDay + 1 <= lastDay) {
      visit(Math.min(lastDay, s.dischargeDay + rng.int(1, 7)), s.seq);
    }
  }

  // Clinic-ordered labs, drawn at a visit and run by the reference lab, the hospital lab, or
  // (HbA1c only) a point-of-care analyser in the clinic.
  if (plan.visits.length > 0) {
    const atVisit = () => rng.pick(plan.visits).day;
    const performer = (): LabPerformer => (rng.chance(0.65) ? 'labs' : 'hospital');
    if (has('diabetes') && !rng.chance(careModel.a1cGap)) {
      for (let i = 0; i < 2; i++) lab('a1c', atVisit(), rng.chance(0.25) ? 'ehr-clinic' : performer());
    }
    if (has('hyperlipidemia') || has('diabetes') || (age >= 40 && rng.chance(0.5))) lab('lipid', atVisit(), performer());
    if (has('hypertension') || has('chf') || has('diabetes')) lab('bmp', atVisit(), performer());
    if (age >= 18 && rng.chance(0.25)) lab('cbc', atVisit(), performer());
    for (const order of [...plan.labs]) {
      if (order.stay !== undefined || order.performer === 'ehr-clinic' || !rng.chance(careModel.repeatTest)) continue;
      const day = order.day + rng.int(1, 5);
      if (day > lastDay) continue;
      lab(order.test, day, order.performer === 'labs' ? 'hospital' : 'labs', { repeatOf: order.seq });
    }
  }
  plan.labs.sort((a, b) => a.day - b.day || a.minute - b.minute);

  if (plan.inEhr || plan.inPayer) {
    const conflict = rng.chance(careModel.medicationConflict);
    let conflictUsed = false;
    for (const c of person.conditions) {
      if (!rng.chance(c === 'depression' ? 0.6 : 0.8)) continue;
      const drug = rng.pick(drugsFor[c]);
      const med: Medication = { seq: ++seq, drug, dose: rng.pick(drugs[drug].doses), startDay: ctx.startDay - rng.int(30, 2000), condition: c };
      // One drug for two conditions (albuterol for asthma and COPD) is one prescription: two
      // active orders of it would be a duplicate therapy on the clinic list, which the labels
      // do not model.
      if (plan.medications.some((m) => m.drug === drug)) continue;
      if (conflict && !conflictUsed) {
        const alt = sameClassAlternative(drug);
        const otherDoses = drugs[drug].doses.filter((d) => d !== med.dose);
        if (alt && rng.chance(0.5)) med.claims = { drug: alt, dose: rng.pick(drugs[alt].doses), conflict: 'therapeutic-duplication' };
        else if (otherDoses.length > 0) med.claims = { drug, dose: rng.pick(otherDoses), conflict: 'dose-mismatch' };
        conflictUsed = med.claims !== undefined;
      }
      plan.medications.push(med);
    }
  }

  const female = person.sex === 'female';
  const screen = (kind: Screening['kind'], upToDate: number, windowDays: number) => {
    const day = rng.chance(upToDate) ? ctx.endDay - rng.int(0, windowDays) : ctx.endDay - windowDays - rng.int(30, 3000);
    if (day <= lastDay && (day >= ctx.startDay || rng.chance(0.85))) plan.screenings.push({ seq: ++seq, kind, day });
  };
  if (female && age >= 50 && age <= 74) screen('mammography', careModel.mammographyUpToDate, 730);
  if (age >= 45 && age <= 75) screen('colonoscopy', careModel.colonoscopyUpToDate, 3650);
  if (rng.chance(careModel.fluShot)) plan.immunizations.push({ seq: ++seq, vaccine: 'influenza', day: dayIn(rng, ctx.startDay, lastDay) });
  if (age >= 50 && rng.chance(0.1)) plan.immunizations.push({ seq: ++seq, vaccine: 'zoster', day: dayIn(rng, ctx.startDay, lastDay) });
  if (age >= 65 && rng.chance(0.08)) plan.immunizations.push({ seq: ++seq, vaccine: 'pneumococcal', day: dayIn(rng, ctx.startDay, lastDay) });
  if (age >= 11 && rng.chance(0.06)) plan.immunizations.push({ seq: ++seq, vaccine: 'tdap', day: dayIn(rng, ctx.startDay, lastDay) });

  if (plan.inPayer) {
    const plans = age >= 65 ? ['Medicare Advantage HMO', 'Medicare Advantage PPO'] : ['Commercial PPO', 'Commercial HMO', 'Medicaid Managed Care'];
    const startDay = rng.chance(0.1) ? dayIn(rng, ctx.startDay, ctx.endDay - 60) : ctx.startDay - rng.int(0, 1500);
    const endDay = person.deathDay ?? (rng.chance(0.07) ? dayIn(rng, Math.max(startDay, ctx.startDay) + 30, ctx.endDay) : ctx.endDay + 365);
    plan.coverage = { plan: rng.pick(plans), startDay, endDay };
  }
  if (plan.inCrm) {
    plan.crm = {
      day: dayIn(rng, ctx.startDay, lastDay),
      reason: rng.pick(['billing question', 'appointment scheduling', 'prescription refill', 'benefits question', 'find a doctor', 'ID card request', 'test results']),
    };
  }
  if (!plan.inEhr && !plan.inPayer && !plan.inCrm && plan.stays.length === 0 && plan.labs.length === 0) {
    // Everyone is known to at least one silo; someone who used no care is at least a plan member.
    plan.inPayer = true;
    plan.coverage = { plan: 'Commercial PPO', startDay: ctx.startDay - rng.int(0, 1500), endDay: person.deathDay ?? ctx.endDay + 365 };
  }
  plan.visits.sort((a, b) => a.day - b.day || a.minute - b.minute);
  return plan;
}
