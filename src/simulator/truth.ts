/**
 * Ground truth for one person: the signals a correct system should raise, each with the
 * records it rests on. Signals are derived from what the silos actually hold (their evidence
 * maps), not from the clean model alone: a screening nobody recorded is a gap, because no
 * system could know about it.
 */
import type { CarePlan } from './care-events.ts';
import { conditionInfo } from './conditions.ts';
import { addYears, ageOn, dateParts, dayOf, isoDate } from './dates.ts';
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

/** Whether the person has what every measure's Initial Population needs besides an age. */
function hasQualifyingVisit(input: PersonTruthInput): boolean {
  // AdultOutpatientEncounters 4.11.000 "Qualifying Encounters": an Encounter coded in Office
  // Visit (and six other outpatient value sets), performed, its period during the Measurement
  // Period. Here that is a clinic visit (Encounter typed CPT 99213 or 99214, both in Office
  // Visit). Not the payer's claim for it (a claim line is mapped to a Procedure, which the
  // retrieve [Encounter: "Office Visit"] does not read) nor a hospital registration (an
  // Encounter with no CPT type).
  const { ctx, plan, silos } = input;
  return plan.visits.some((v) => v.day >= ctx.startDay && v.day <= ctx.endDay && evidenceFor(silos, `visit:${v.seq}`).some((e) => e.silo === 'ehr-clinic'));
}

/**
 * The care gaps of the three measures the simulator labels, each define of the measure read
 * against what the silos hold, with the Measurement Period the eval runs (the simulated one).
 *
 * - Initial Population: AgeInYearsAt(date from end of "Measurement Period") in the measure's
 *   range (CMS125 52-74 and female, CMS130 46-75, CMS122 18-75) and a qualifying encounter in
 *   the period (hasQualifyingVisit). A person's death does not take them out: none of the three
 *   reads a death date.
 * - Denominator Exclusions: hospice, palliative care, advanced illness with frailty at 66+, long
 *   term nursing home residence, bilateral mastectomy (CMS125), colorectal cancer or total
 *   colectomy (CMS130). Nothing the simulator writes is in those value sets (its diagnoses are
 *   the seven chronic conditions, the stay reasons and Z codes, none a frailty code; discharge
 *   dispositions are home or expired), so no person is excluded.
 * - Numerator / gap: below, per measure.
 */
export function careGapLabels(input: PersonTruthInput): Omit<Signal, 'id' | 'personId'>[] {
  const { ctx, person, plan, silos } = input;
  const gaps: Omit<Signal, 'id' | 'personId'>[] = [];
  if (!hasQualifyingVisit(input)) return gaps;
  const age = ageOn(person.birthDay, ctx.endDay);
  const period = `${isoDate(ctx.startDay)}..${isoDate(ctx.endDay)}`;
  const personEvidence = silos.flatMap((s) => s.records).map((r) => r.contactEvidence);
  const seen = (key: string, silo?: string) => evidenceFor(silos, key).some((e) => (silo ? e.silo === silo : e.silo !== 'payer'));

  // CMS122 Initial Population also needs a Condition in "Diabetes" whose prevalence overlaps the
  // period: the clinic's problem-list entry (E11.9 and SNOMED 44054006; a text-only "DM2" is
  // coded at entry) with its onset before the period. Every clinic patient with diabetes has it.
  // Numerator (the gap of an inverse measure): "Has No Record Of Glycemic Status Assessment"
  // (no HbA1c result, category laboratory, collected during the period), or "Has Most Recent
  // Elevated Glycemic Status Assessment" (the lowest result on the most recent day > 9 %). A
  // result is a clinic point-of-care Observation or a lab's ORU; the payer's claim for CPT 83036
  // is a Procedure, not a result, and says nothing about the value.
  const diabetesEvidence = evidenceFor(silos, 'cond:diabetes');
  if (age >= 18 && age <= 75 && diabetesEvidence.some((e) => e.silo === 'ehr-clinic')) {
    const results = plan.labs.filter((l) => l.test === 'a1c' && l.day >= ctx.startDay && l.day <= ctx.endDay && seen(`lab:${l.seq}`));
    const lastDay = Math.max(...results.map((l) => l.day));
    const lowest = Math.min(...results.filter((l) => l.day === lastDay).map((l) => l.results[0]!.value));
    if (results.length === 0) {
      gaps.push({ kind: 'care-gap', code: 'diabetes-hba1c', reasons: [`diabetes (${conditionInfo.diabetes.icd10}) on record and no HbA1c (LOINC 4548-4) result in the measurement period ${period}`], evidence: diabetesEvidence, details: { measurementPeriod: period, measure: 'CMS122' } });
    } else if (lowest > 9) {
      gaps.push({ kind: 'care-gap', code: 'diabetes-hba1c', reasons: [`diabetes (${conditionInfo.diabetes.icd10}) on record and the most recent HbA1c, on ${isoDate(lastDay)}, is ${lowest} % (> 9 %)`], evidence: diabetesEvidence, details: { measurementPeriod: period, measure: 'CMS122', lastResult: { date: isoDate(lastDay), value: lowest } } });
    }
  }

  // CMS125 Numerator: an Observation in "Mammography" (LOINC), final, whose effective time ends
  // during day of Interval["October 1 Two Years Prior to the Measurement Period", end of the
  // period]: the clinic's report (ehr-clinic.ts). The CPT 77067 of the clinic's Procedure and
  // of the claim is not in the value set.
  const { year } = dateParts(ctx.startDay);
  const mammographySince = dayOf(`${year - 2}-10-01`);
  if (person.sex === 'female' && age >= 52 && age <= 74) {
    const screened = plan.screenings.some((s) => s.kind === 'mammography' && s.day >= mammographySince && s.day <= ctx.endDay && seen(`screen:${s.seq}`, 'ehr-clinic'));
    if (!screened) gaps.push({ kind: 'care-gap', code: 'breast-cancer-screening', reasons: [`woman aged 52-74 with a visit in ${period}: no mammogram report on record since ${isoDate(mammographySince)}`], evidence: personEvidence, details: { lookbackStart: isoDate(mammographySince), measurementEnd: isoDate(ctx.endDay), measure: 'CMS125' } });
  }

  // CMS130 Numerator: "Colonoscopy Performed", a completed Procedure in "Colonoscopy" (the
  // clinic's CPT 45378, the claim's HCPCS G0121) ending during day of Interval[start of the
  // period - 9 years, end of the period] (FOBT, sDNA-FIT, sigmoidoscopy and CT colonography are
  // not simulated).
  const colonoscopySince = addYears(ctx.startDay, -9);
  if (age >= 46 && age <= 75) {
    const screened = plan.screenings.some((s) => s.kind === 'colonoscopy' && s.day >= colonoscopySince && s.day <= ctx.endDay && evidenceFor(silos, `screen:${s.seq}`).length > 0);
    if (!screened) gaps.push({ kind: 'care-gap', code: 'colorectal-cancer-screening', reasons: [`adult aged 46-75 with a visit in ${period}: no colonoscopy on record since ${isoDate(colonoscopySince)}`], evidence: personEvidence, details: { lookbackStart: isoDate(colonoscopySince), measurementEnd: isoDate(ctx.endDay), measure: 'CMS130' } });
  }
  return gaps;
}

export function deriveSignals(input: PersonTruthInput): Signal[] {
  const { ctx, person, plan, silos, household } = input;
  const signals: Signal[] = [];
  const add = (s: Omit<Signal, 'id' | 'personId'>) => signals.push({ id: `${person.id}-${s.kind}-${signals.length + 1}`, personId: person.id, ...s });
  const records = silos.flatMap((s) => s.records);

  // Care gaps: what the eCQMs Longitude runs (FHIR/QI-Core drafts for the 2025 reporting year:
  // CMS125 BreastCancerScreeningFHIR 0.0.001, CMS130 ColonCancerScreeningFHIR 0.1.000, CMS122
  // DiabetesGlycemicStatusAssessmentGreaterThan9PercentFHIR 0.1.002) find in what the silos hold,
  // define by define (careGapLabels; docs/simulator.md gives the rules).
  for (const gap of careGapLabels(input)) add(gap);

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
