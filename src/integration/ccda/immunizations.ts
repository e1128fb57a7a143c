/**
 * Immunization Activity (2.16.840.1.113883.10.20.22.4.52) → Immunization (C-CDA on FHIR
 * "Immunizations" map): vaccine from consumable/manufacturedProduct/manufacturedMaterial/code
 * (CVX as sent), lot from lotNumberText, negationInd → status not-done with the Immunization
 * Refusal Reason (4.53) as statusReason.
 */
import type { Immunization } from '@medplum/fhirtypes';
import type { CcdaContext } from './ccda-context.ts';
import { idKey, toCodeableConcept, toIdentifiers, toPeriod, toQuantity } from './cda-datatypes.ts';
import { child, children, descend, textContent, type CdaNode } from './cda-xml.ts';
import { negated, nested, reportUnread } from './entries.ts';
import { performerReferences } from './participants.ts';

export const IMMUNIZATION_ACTIVITY = '2.16.840.1.113883.10.20.22.4.52';
const REFUSAL_REASON = '2.16.840.1.113883.10.20.22.4.53';

export function mapImmunizationActivity(ctx: CcdaContext, activity: CdaNode): void {
  const material = descend(activity, 'consumable/manufacturedProduct/manufacturedMaterial');
  const vaccine = toCodeableConcept(ctx, child(material, 'code'));
  if (!vaccine) {
    ctx.report(activity.path, 'immunization activity without a vaccine code or text');
    return;
  }
  const when = toPeriod(ctx, child(activity, 'effectiveTime'))?.start;
  if (!when) ctx.report(activity.path, 'immunization without an effectiveTime: occurrence recorded as unknown');
  const lot = textContent(child(material, 'lotNumberText'));
  const manufacturer = textContent(descend(activity, 'consumable/manufacturedProduct/manufacturerOrganization/name'));
  const refusal = toCodeableConcept(ctx, child(nested(activity, REFUSAL_REASON)[0], 'code'));
  const route = toCodeableConcept(ctx, child(activity, 'routeCode'));
  const site = toCodeableConcept(ctx, child(activity, 'approachSiteCode'));
  const dose = toQuantity(ctx, child(activity, 'doseQuantity'));
  const performers = performerReferences(activity);
  reportUnread(ctx, activity, [REFUSAL_REASON], 'immunization activity');
  const resource: Immunization = {
    resourceType: 'Immunization',
    identifier: toIdentifiers(children(activity, 'id')),
    status: negated(activity) ? 'not-done' : 'completed',
    ...(refusal ? { statusReason: refusal } : {}),
    vaccineCode: vaccine,
    patient: ctx.patientRef,
    ...(when ? { occurrenceDateTime: when } : { occurrenceString: 'unknown (no effectiveTime in the document)' }),
    // moodCode EVN: the document reports a given dose (primarySource is not stated in CDA).
    ...(manufacturer ? { manufacturer: { display: manufacturer } } : {}),
    ...(lot ? { lotNumber: lot } : {}),
    ...(site ? { site } : {}),
    ...(route ? { route } : {}),
    ...(dose ? { doseQuantity: dose } : {}),
    ...(performers.length ? { performer: performers.map((actor) => ({ actor })) } : {}),
  };
  if (resource.identifier?.length === 0) delete resource.identifier;
  ctx.add(resource, idKey(children(activity, 'id')), activity);
}
