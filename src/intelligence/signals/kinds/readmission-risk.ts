/**
 * Readmission risk by the LACE index (van Walraven et al., "Derivation and validation of an
 * index to predict early death or unplanned readmission after discharge from hospital to the
 * community", CMAJ 2010;182:551), for the person's latest inpatient discharge in the last 30
 * days. Each component is a fact with its evidence:
 * - L, length of stay in days: <1 → 0, 1 → 1, 2 → 2, 3 → 3, 4-6 → 4, 7-13 → 5, ≥14 → 7;
 * - A, acute (emergent) admission → 3: admitted from the emergency department
 *   (hospitalization.admitSource `emd`), or an emergency visit starting within 24 hours before;
 * - C, Charlson comorbidity index (charlson.ts): 0-3 as is, ≥4 → 5;
 * - E, emergency visits in the 6 months before admission (the one leading to it excluded):
 *   0-3 as is, ≥4 → 4.
 * A score of 10 or more is high risk (the paper's threshold); only high risk raises a signal.
 */
import type { Condition } from '@medplum/fhirtypes';
import { emergencyVisits, inpatientStays, type Stay } from '../encounters.ts';
import { entriesOf, evidenceOf, referenceOf, type PersonRecord } from '../person-record.ts';
import { addDays, daysBetween, isoDay, parseFhirDate } from '../record-dates.ts';
import type { Evidence, Fact, Finding, SignalContext, SignalKind } from '../signal.ts';
import { charlsonCategoriesOf, charlsonIndex, type CharlsonCategory } from './charlson.ts';

const version = '1.0.0';
export const laceHighRisk = 10;
const recentDays = 30;

export interface LaceComponent {
  letter: 'L' | 'A' | 'C' | 'E';
  points: number;
  value: string;
  evidence: Evidence[];
}

export function lengthOfStayPoints(days: number): number {
  if (days < 1) return 0;
  if (days <= 3) return days;
  if (days <= 6) return 4;
  if (days <= 13) return 5;
  return 7;
}

export function charlsonPoints(index: number): number {
  return index >= 4 ? 5 : index;
}

export function emergencyVisitPoints(visits: number): number {
  return Math.min(visits, 4);
}

/** The four LACE components of one stay. */
export function laceComponents(person: PersonRecord, stay: Stay): LaceComponent[] {
  const los = daysBetween(stay.admittedAt, stay.dischargedAt);
  const visits = emergencyVisits(person);
  const leadIn = visits.filter((v) => v.at <= stay.admittedAt && v.at >= addDays(stay.admittedAt, -1));
  const fromEd = stay.entry.resource.hospitalization?.admitSource?.coding?.some((c) => c.code === 'emd') ?? false;
  const acute = fromEd || leadIn.length > 0;
  const before = visits.filter((v) => v.at < stay.admittedAt && v.at >= addDays(stay.admittedAt, -183) && !leadIn.includes(v));
  const comorbid: { entry: (typeof conditions)[number]; categories: CharlsonCategory[] }[] = [];
  const conditions = entriesOf<Condition>(person, 'Condition').filter((c) => {
    const verification = c.resource.verificationStatus?.coding?.[0]?.code;
    const onset = parseFhirDate(c.resource.onsetDateTime ?? c.resource.recordedDate);
    return verification !== 'refuted' && verification !== 'entered-in-error' && (!onset || onset <= stay.dischargedAt);
  });
  for (const entry of conditions) {
    const categories = charlsonCategoriesOf(entry.resource);
    if (categories.length > 0) comorbid.push({ entry, categories });
  }
  const charlson = charlsonIndex(comorbid.flatMap((c) => c.categories));
  const names = [...new Set(comorbid.flatMap((c) => c.categories.map((k) => k.name)))];
  return [
    { letter: 'L', points: lengthOfStayPoints(los), value: `${los} day(s) in hospital`, evidence: [evidenceOf(stay.entry, 'inpatient stay')] },
    {
      letter: 'A',
      points: acute ? 3 : 0,
      value: acute ? (fromEd ? 'emergent admission (admitted from the emergency department)' : 'emergent admission (emergency visit the day before)') : 'elective admission',
      evidence: [evidenceOf(stay.entry), ...leadIn.map((v) => evidenceOf(v.entry, 'emergency visit'))],
    },
    {
      letter: 'C',
      points: charlsonPoints(charlson),
      value: `Charlson index ${charlson}${names.length > 0 ? ` (${names.join(', ')})` : ''}`,
      evidence: comorbid.map((c) => evidenceOf(c.entry, c.entry.resource.code?.text ?? c.categories[0]!.name)),
    },
    {
      letter: 'E',
      points: emergencyVisitPoints(before.length),
      value: `${before.length} emergency visit(s) in the 6 months before admission`,
      evidence: before.map((v) => evidenceOf(v.entry, `emergency visit ${isoDay(v.at)}`)),
    },
  ];
}

function detect(person: PersonRecord, context: SignalContext): Finding[] {
  const stay = inpatientStays(person)
    .filter((s) => s.dischargedAt <= context.asOf && daysBetween(s.dischargedAt, context.asOf) <= recentDays)
    .at(-1);
  if (!stay) return [];
  const components = laceComponents(person, stay);
  const score = components.reduce((sum, c) => sum + c.points, 0);
  if (score < laceHighRisk) return [];
  const evidence = new Map<string, Evidence>();
  for (const c of components) for (const e of c.evidence) if (!evidence.has(e.reference)) evidence.set(e.reference, e);
  const facts: Fact[] = components.map((c) => ({ label: `${c.letter} = ${c.points}`, value: c.value, evidence: c.evidence.map((e) => e.reference) }));
  return [
    {
      kind: 'readmission-risk',
      key: referenceOf(stay.entry.resource),
      priority: 'high',
      title: `High readmission risk: LACE ${score} after discharge on ${isoDay(stay.dischargedAt)}`,
      explanation:
        `LACE index ${score} (high risk is ${laceHighRisk} or more): ` +
        components.map((c) => `${c.letter} ${c.points} (${c.value})`).join(', ') +
        '. Patients scoring 10 or more had a markedly higher 30-day rate of death or unplanned readmission (van Walraven et al., CMAJ 2010).',
      evidence: [...evidence.values()],
      facts,
      rule: { id: 'LACE', version },
      actions: [
        { code: 'schedule-visit', display: 'Arrange a follow-up visit within 7 days of discharge' },
        { code: 'reconcile-medications', display: 'Reconcile medications and enrol in transitional care' },
      ],
      dueBy: isoDay(addDays(stay.dischargedAt, 7)),
    },
  ];
}

export const readmissionRisk: SignalKind = {
  id: 'readmission-risk',
  version,
  description: 'high 30-day readmission risk by the LACE index after a recent inpatient discharge, each component with its evidence',
  detect,
};
