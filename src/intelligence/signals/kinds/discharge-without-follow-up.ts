/**
 * Discharge without follow-up: an inpatient discharge with no outpatient visit (held or
 * planned) and no booked appointment within 7 days, and a 30-day variant.
 *
 * Why 7 and 30 days: HEDIS "Follow-Up After Hospitalization for Mental Illness" (FUH) and
 * "Transitions of Care" measure follow-up at 7 and 30 days; CMS Transitional Care Management
 * (CPT 99495/99496) requires a face-to-face visit within 7 or 14 days; early follow-up is
 * associated with fewer readmissions (Hernandez et al., JAMA 2010;303:1716).
 *
 * - The 7-day finding is raised from discharge (due by discharge + 7 days) and resolves
 *   itself when a visit or appointment in the window appears.
 * - The windows are calendar days, as the measures count them: "within 7 days after
 *   discharge" is a visit after the discharge and on or before the 7th day after the
 *   discharge date (HEDIS FUH/TRC, CMS TCM "within 7 calendar days"), whatever the hour.
 *   Counted in hours, a visit on the afternoon of day 7 after a morning discharge fell outside.
 *   Days are the source's own dates (the local date a time was written with).
 * - The 30-day finding is raised only once the 7-day window has passed without follow-up.
 * - Stays ending in death, discharges to another hospital, and stays followed by a
 *   readmission inside the window (the later stay takes over) are left out. Discharges of
 *   the past year count, as in the measures above (a measurement year's discharges): a
 *   transition that went without follow-up months ago still tells a care manager who fell
 *   through; older ones are history.
 */
import type { Patient } from '@medplum/fhirtypes';
import { addDays, addIsoDays, daysBetween, isoDay, parseFhirDate } from '../record-dates.ts';
import { dischargeDisposition, followUpContacts, inpatientStays, type Stay } from '../encounters.ts';
import { entriesOf, evidenceOf, type PersonRecord } from '../person-record.ts';
import type { Finding, SignalContext, SignalKind } from '../signal.ts';

const version = '1.1.0';
/**
 * Discharges after which no outpatient follow-up is due: death, and transfer to another
 * hospital for inpatient care. FHIR's codes (http://terminology.hl7.org/CodeSystem/discharge-disposition:
 * exp, hosp) and the NUBC patient discharge status codes HL7 v2 sends in PV1-36 (table 0112):
 * 02 transferred to a short-term general hospital, 20 expired, 40/41/42 expired under hospice.
 */
const noFollowUpDue = new Set(['exp', 'hosp', '02', '20', '40', '41', '42']);
/** Discharges further back than this are history (the measurement year of the measures above). */
export const dischargeLookbackDays = 365;
const variants = [
  { days: 7, priority: 'high' as const },
  { days: 30, priority: 'moderate' as const },
];

function detect(person: PersonRecord, context: SignalContext): Finding[] {
  const stays = inpatientStays(person).filter((s) => s.dischargedAt <= context.asOf);
  const contacts = followUpContacts(person);
  const diedBy = deathOf(person);
  const findings: Finding[] = [];
  for (const stay of stays) {
    if (noFollowUpDue.has(dischargeDisposition(stay.entry.resource) ?? '')) continue;
    // A death any source records (PID-29, a death on the member file) within the window.
    if (diedBy && diedBy <= addDays(stay.dischargedAt, 7)) continue;
    const readmission = inpatientStays(person).find((s) => s !== stay && s.admittedAt > stay.dischargedAt);
    for (const variant of variants) {
      // The last day of the window: discharge date + N, the whole day.
      const due = addIsoDays(stay.dischargedOn, variant.days);
      if (daysBetween(stay.dischargedAt, context.asOf) > dischargeLookbackDays) continue;
      if (variant.days > 7 && context.asOf <= addDays(stay.dischargedAt, 7)) continue;
      if (readmission && readmission.admittedOn <= due) continue;
      const followUp = contacts.find((c) => c.at > stay.dischargedAt && c.day <= due);
      if (followUp) continue;
      findings.push(toFinding(stay, variant.days, variant.priority, context));
    }
  }
  return findings;
}

/** The earliest death date any of the person's Patient records holds. */
function deathOf(person: PersonRecord): Date | undefined {
  const deaths = entriesOf<Patient>(person, 'Patient').flatMap((e) => parseFhirDate(e.resource.deceasedDateTime) ?? []);
  return deaths.sort((a, b) => a.getTime() - b.getTime())[0];
}

function toFinding(stay: Stay, days: number, priority: 'high' | 'moderate', context: SignalContext): Finding {
  const discharged = stay.dischargedOn;
  const due = addIsoDays(discharged, days);
  const passed = due < isoDay(context.asOf);
  return {
    kind: 'discharge-without-follow-up',
    key: `${days}d|Encounter/${stay.entry.resource.id}`,
    priority,
    title: `Discharged ${discharged} with no follow-up ${passed ? 'within' : 'booked within'} ${days} days`,
    explanation:
      `Inpatient stay ${stay.admittedOn}..${discharged} (${stay.entry.source}). ` +
      `No outpatient, virtual or home visit and no appointment ${passed ? 'took place' : 'is booked'} between discharge and ${due}, in any source.`,
    evidence: [evidenceOf(stay.entry, `inpatient stay ${stay.admittedOn}..${discharged}`)],
    rule: { id: `discharge-without-follow-up/${days}d`, version },
    actions: [{ code: 'schedule-visit', display: `Book a post-discharge follow-up visit by ${due}` }],
    dueBy: due,
  };
}

export const dischargeWithoutFollowUp: SignalKind = {
  id: 'discharge-without-follow-up',
  version,
  description: 'inpatient discharge with no outpatient visit or booked appointment within 7 days (and a 30-day variant)',
  detect,
};
