/**
 * Medication Activity (2.16.840.1.113883.10.20.22.4.16) → MedicationStatement (a medication
 * list says what the patient takes or took; C-CDA on FHIR "Medications" map), the drug inline
 * as medicationCodeableConcept from consumable/manufacturedProduct/manufacturedMaterial/code
 * (RxNorm as sent, translations and original text kept beside it). Dose, route, site, the
 * PIVL_TS frequency and the sig text fill one Dosage.
 */
import type { Dosage, MedicationStatement, TimingRepeat } from '@medplum/fhirtypes';
import type { CcdaContext } from './ccda-context.ts';
import { idKey, toCodeableConcept, toIdentifiers, toPeriod, toQuantity } from './cda-datatypes.ts';
import { child, children, descend, textContent, type CdaNode } from './cda-xml.ts';
import { negated, reportUnread, statusOf, xsiType } from './entries.ts';
import { authorReferences } from './participants.ts';

export const MEDICATION_ACTIVITY = '2.16.840.1.113883.10.20.22.4.16';
/** Nested statements read into the statement: none beyond the consumable; indications (4.19), instructions (4.20), supply (4.17/4.18), reactions are reported. */
const READ: string[] = [];

const STATUS: Record<string, MedicationStatement['status']> = {
  active: 'active',
  completed: 'completed',
  aborted: 'stopped',
  suspended: 'on-hold',
  held: 'on-hold',
  cancelled: 'not-taken',
  new: 'intended',
  nullified: 'entered-in-error',
};
/** UCUM time units of PIVL_TS periods → Timing.repeat.periodUnit. */
const PERIOD_UNIT: Record<string, TimingRepeat['periodUnit']> = { s: 's', min: 'min', h: 'h', d: 'd', wk: 'wk', mo: 'mo', a: 'a' };

export function mapMedicationActivity(ctx: CcdaContext, activity: CdaNode): void {
  const material = descend(activity, 'consumable/manufacturedProduct/manufacturedMaterial');
  const medication = toCodeableConcept(ctx, child(material, 'code')) ?? toCodeableConcept(ctx, child(material, 'name'));
  if (!medication) {
    ctx.report(activity.path, 'medication activity without a drug code, name or text: MedicationStatement needs a medication');
    return;
  }
  const times = children(activity, 'effectiveTime');
  const span = times.find((t) => !['PIVL_TS', 'EIVL_TS', 'SXPR_TS'].includes(xsiType(t)));
  const effective = toPeriod(ctx, span);
  const dosage = dosageOf(ctx, activity, times);
  reportUnread(ctx, activity, READ, 'medication activity');
  const status = negated(activity) ? 'not-taken' : (STATUS[statusOf(activity) ?? ''] ?? 'unknown');
  const [source] = authorReferences(activity);
  const resource: MedicationStatement = {
    resourceType: 'MedicationStatement',
    identifier: toIdentifiers(children(activity, 'id')),
    status,
    medicationCodeableConcept: medication,
    subject: ctx.patientRef,
    ...(effective ? (effective.end || !effective.start ? { effectivePeriod: effective } : { effectiveDateTime: effective.start }) : {}),
    ...(source ? { informationSource: source } : {}),
    ...(dosage ? { dosage: [dosage] } : {}),
  };
  if (resource.identifier?.length === 0) delete resource.identifier;
  ctx.add(resource, idKey(children(activity, 'id')), activity);
}

function dosageOf(ctx: CcdaContext, activity: CdaNode, times: CdaNode[]): Dosage | undefined {
  const dose = child(activity, 'doseQuantity');
  const doseRange = dose && (child(dose, 'low') || child(dose, 'high'));
  const doseQuantity = doseRange ? undefined : toQuantity(ctx, dose);
  const route = toCodeableConcept(ctx, child(activity, 'routeCode'));
  const site = toCodeableConcept(ctx, child(activity, 'approachSiteCode'));
  const text = ctx.narrativeText(descend(activity, 'text/reference')?.attr.value) ?? (textContent(child(activity, 'text')) || undefined);
  const pivl = times.find((t) => xsiType(t) === 'PIVL_TS');
  const period = child(pivl, 'period');
  const periodValue = Number(period?.attr.value);
  const periodUnit = PERIOD_UNIT[period?.attr.unit ?? ''];
  const repeat: TimingRepeat | undefined = period && Number.isFinite(periodValue) && periodUnit ? { frequency: 1, period: periodValue, periodUnit } : undefined;
  if (pivl && !repeat) ctx.report(pivl.path, 'medication frequency (PIVL_TS) without a period in a UCUM time unit');
  for (const t of times.filter((t) => ['EIVL_TS', 'SXPR_TS'].includes(xsiType(t)))) ctx.report(t.path, `medication timing ${xsiType(t)} is not mapped`);
  if (doseRange) ctx.report(dose.path, 'dose range (IVL_PQ doseQuantity) is not mapped');
  const dosage: Dosage = {
    ...(text ? { text } : {}),
    ...(repeat ? { timing: { repeat } } : {}),
    ...(site ? { site } : {}),
    ...(route ? { route } : {}),
    ...(doseQuantity ? { doseAndRate: [{ doseQuantity }] } : {}),
  };
  return Object.keys(dosage).length ? dosage : undefined;
}
