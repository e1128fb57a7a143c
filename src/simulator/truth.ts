/**
 * Ground truth for one person: the signals a correct system should raise, each with the
 * records it rests on. Signals are derived from what the silos actually hold (their evidence
 * maps), not from the clean model alone: a screening nobody recorded is a gap, because no
 * system could know about it.
 */
import type { CarePlan } from './care-events.ts';
import { conditionInfo } from './conditions.ts';
import { ageOn, isoDate } from './dates.ts';
import { labTests } from './lab-catalog.ts';
import { drugLabel, drugs } from './medications.ts';
import type { EvidenceRef, SiloRecordView, SiloResult } from './silos/silo-output.ts';
import type { Address, Household, Person, SimulationContext } from './types.ts';

export const signalKinds = ['care-gap', 'duplicate-test', 'medication-conflict', 'discharge-no-follow-up', 'contact-drift'] as const;
export type SignalKind = (typeof signalKinds)[number];

export interface Signal {
  id: string;
  kind: SignalKind;
  /** Finer classification within the kind (e.g. diabetes-hba1c, dose-mismatch, address). */
  code: string;
  personId: string;
  reasons: string[];
  evidence: EvidenceRef[];
  details?: Record<string, unknown>;
}

/**
 * How soon a repeat of each simulated test is a duplicate, in days: HbA1c 90 (ADA Standards
 * of Care 2024, section 6), lipid panel 365 (2018 AHA/ACC cholesterol guideline), the basic
 * metabolic panel and the CBC 7 outside hospital stays (Choosing Wisely, Society of Hospital
 * Medicine 2013). The labels follow these clinical intervals, not any system's code.
 */
export const duplicateWindowDays: Record<'a1c' | 'lipid' | 'bmp' | 'cbc', { days: number; outpatientOnly?: boolean }> = {
  a1c: { days: 90 },
  lipid: { days: 365 },
  bmp: { days: 7, outpatientOnly: true },
  cbc: { days: 7, outpatientOnly: true },
};

export interface PersonTruthInput {
  ctx: SimulationContext;
  person: Person;
  household: Household;
  plan: CarePlan;
  silos: SiloResult[];
}

function evidenceFor(silos: SiloResult[], key: string): EvidenceRef[] {
  return silos.flatMap((s) => s.evidence.get(key) ?? []);
}

/** Whether a stay was admitted after another one's discharge (to the minute). */
function isAfter(later: CarePlan['stays'][number], earlier: CarePlan['stays'][number]): boolean {
  return later.admitDay > earlier.dischargeDay || (later.admitDay === earlier.dischargeDay && later.admitMinute > earlier.dischargeMinute);
}

function formatAddress(a: Address): string {
  return `${a.line1}, ${a.city}, ${a.state} ${a.zip}`;
}

export function deriveSignals(input: PersonTruthInput): Signal[] {
  const { ctx, person, plan, silos, household } = input;
  const signals: Signal[] = [];
  const add = (s: Omit<Signal, 'id' | 'personId'>) => signals.push({ id: `${person.id}-${s.kind}-${signals.length + 1}`, personId: person.id, ...s });
  const records = silos.flatMap((s) => s.records);
  const personEvidence = records.map((r) => r.contactEvidence);
  const alive = person.deathDay === undefined;
  const age = ageOn(person.birthDay, ctx.endDay);
  const period = `${isoDate(ctx.startDay)}..${isoDate(ctx.endDay)}`;

  // Care gaps (simplified HEDIS-style measures; docs/simulator.md gives the exact rules).
  const diabetesEvidence = evidenceFor(silos, 'cond:diabetes');
  // An HbA1c counts when some silo shows it: a result (clinic, hospital, reference lab) or a claim for CPT 83036.
  const a1cSeen = plan.labs.some((l) => l.test === 'a1c' && evidenceFor(silos, `lab:${l.seq}`).length > 0);
  if (alive && age >= 18 && age <= 75 && diabetesEvidence.length > 0 && !a1cSeen) {
    add({ kind: 'care-gap', code: 'diabetes-hba1c', reasons: [`diabetes (${conditionInfo.diabetes.icd10}) on record and no HbA1c (LOINC 4548-4) in the measurement period ${period}`], evidence: diabetesEvidence, details: { measurementPeriod: period } });
  }
  const screeningGap = (kind: 'mammography' | 'colonoscopy', lookbackDays: number, code: string, label: string) => {
    const since = ctx.endDay - lookbackDays;
    const seen = plan.screenings.some((s) => s.kind === kind && s.day >= since && evidenceFor(silos, `screen:${s.seq}`).length > 0);
    if (!seen) add({ kind: 'care-gap', code, reasons: [`${label}: no ${kind} on record since ${isoDate(since)}`], evidence: personEvidence, details: { lookbackStart: isoDate(since), measurementEnd: isoDate(ctx.endDay) } });
  };
  if (alive && person.sex === 'female' && age >= 50 && age <= 74) screeningGap('mammography', 820, 'breast-cancer-screening', 'woman aged 50-74');
  if (alive && age >= 45 && age <= 75) screeningGap('colonoscopy', 3652, 'colorectal-cancer-screening', 'adult aged 45-75');

  // Duplicate tests: a result of a test repeated, in any silo, sooner than the test's
  // clinically meaningful interval (duplicateWindowDays): the planned repeats a few days later
  // at the other lab, and routine draws that happened to fall close together. Tests ordered
  // in a hospital stay or emergency visit, and one-week panels drawn on a day of an inpatient
  // stay, are hospital care and do not count.
  const inStay = (day: number) => plan.stays.some((st) => st.kind === 'inpatient' && st.admitDay <= day && day <= st.dischargeDay);
  const resulted = plan.labs.flatMap((order) => {
    const result = evidenceFor(silos, `lab:${order.seq}`).find((e) => e.silo === order.performer);
    const window = duplicateWindowDays[order.test];
    if (!result || order.stay !== undefined || (window.outpatientOnly && inStay(order.day))) return [];
    return [{ order, result }];
  });
  for (const test of Object.keys(duplicateWindowDays) as (keyof typeof duplicateWindowDays)[]) {
    const draws = resulted.filter((r) => r.order.test === test).sort((a, b) => a.order.day - b.order.day);
    for (let i = 1; i < draws.length; i++) {
      const first = draws[i - 1]!;
      const again = draws[i]!;
      const daysApart = again.order.day - first.order.day;
      if (daysApart === 0 || daysApart >= duplicateWindowDays[test].days) continue;
      const info = labTests[test];
      add({
        kind: 'duplicate-test', code: 'repeat-within-days',
        reasons: [`${info.name} (LOINC ${info.loinc}) collected on ${isoDate(first.order.day)} (${first.result.silo}) and again on ${isoDate(again.order.day)} (${again.result.silo}), ${daysApart} day(s) apart`],
        evidence: [first.result, again.result], details: { loinc: info.loinc, daysApart, date: isoDate(again.order.day), planned: again.order.repeatOf !== undefined },
      });
    }
  }

  for (const med of plan.medications) {
    if (!med.claims) continue;
    const ehr = evidenceFor(silos, `med:${med.seq}`).filter((e) => e.silo === 'ehr-clinic');
    const claims = evidenceFor(silos, `med:${med.seq}`).filter((e) => e.silo === 'payer');
    if (ehr.length === 0 || claims.length === 0) continue;
    const listed = drugLabel(med.drug, med.dose, false);
    const dispensed = drugLabel(med.claims.drug, med.claims.dose, false);
    add({
      kind: 'medication-conflict', code: med.claims.conflict,
      reasons: [med.claims.conflict === 'dose-mismatch'
        ? `clinic medication list has ${listed}; pharmacy claims dispense ${dispensed}`
        : `clinic lists ${listed} and pharmacy claims dispense ${dispensed}: two ${drugs[med.drug].drugClass} drugs`],
      evidence: [...ehr, ...claims],
      details: { clinic: { rxnorm: drugs[med.drug].rxnorm, dose: med.dose }, claims: { rxnorm: drugs[med.claims.drug].rxnorm, dose: med.claims.dose } },
    });
  }

  for (const stay of plan.stays) {
    if (stay.kind !== 'inpatient' || stay.expired || stay.dischargeDay > ctx.endDay - 7) continue;
    if (person.deathDay !== undefined && person.deathDay <= stay.dischargeDay + 7) continue;
    // Back in hospital within the week: follow-up is due after the later stay, which takes over
    // (HEDIS FUH and TRC count only the last discharge when a readmission follows within the
    // follow-up period).
    const readmitted = plan.stays.some((o) => o.kind === 'inpatient' && o.seq !== stay.seq && isAfter(o, stay) && o.admitDay <= stay.dischargeDay + 7 && evidenceFor(silos, `stay:${o.seq}`).length > 0);
    if (readmitted) continue;
    const followed = plan.visits.some((v) => v.day > stay.dischargeDay && v.day <= stay.dischargeDay + 7 && evidenceFor(silos, `visit:${v.seq}`).length > 0);
    const discharge = evidenceFor(silos, `stay:${stay.seq}`).filter((e) => e.messageType === 'ADT^A03');
    if (followed || discharge.length === 0) continue;
    add({ kind: 'discharge-no-follow-up', code: 'no-visit-within-7-days', reasons: [`discharged on ${isoDate(stay.dischargeDay)} (${stay.reason.display}) with no clinic visit by ${isoDate(stay.dischargeDay + 7)}`], evidence: discharge, details: { dischargeDate: isoDate(stay.dischargeDay) } });
  }

  const moved = household.residences[1];
  if (moved) {
    const old = household.residences[0]!;
    const drift = (field: 'address' | 'homePhone', value: (r: SiloRecordView) => string | undefined, now: string | undefined, before: string | undefined) => {
      if (!now || now === before) return;
      const holders = records.filter((r) => value(r) !== undefined);
      const outdated = holders.filter((r) => value(r) !== now);
      const current = holders.filter((r) => value(r) === now);
      if (outdated.length === 0 || current.length === 0) return;
      add({
        kind: 'contact-drift', code: field,
        reasons: outdated.map((r) => `${r.silo} ${r.recordId} still has ${field === 'address' ? 'the address' : 'the home phone'} from before the move on ${isoDate(moved.fromDay)}`),
        evidence: [...outdated, ...current].map((r) => r.contactEvidence),
        details: {
          field, since: isoDate(moved.fromDay),
          outdated: outdated.map((r) => ({ silo: r.silo, recordId: r.recordId, value: value(r) })),
          current: current.map((r) => ({ silo: r.silo, recordId: r.recordId, value: now, updated: isoDate(r.contactUpdatedDay) })),
        },
      });
    };
    drift('address', (r) => (r.address ? formatAddress(r.address) : undefined), formatAddress(moved.address), formatAddress(old.address));
    drift('homePhone', (r) => r.homePhone, moved.homePhone, old.homePhone);
  }
  return signals;
}
