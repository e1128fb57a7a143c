/**
 * ORC + RXA + RXR → Immunization, per the V2-to-FHIR IG's ORC[Immunization], RXA[Immunization]
 * and RXR[Immunization] maps: vaccine RXA-5, occurrence RXA-3, dose RXA-6/RXA-7 (999 means
 * "amount unknown" in CDC's implementation guide and is left out), primary source RXA-9 (NIP001:
 * 00 is a new record, anything else historical), lot RXA-15, expiry RXA-16, manufacturer RXA-17
 * (MVX), status RXA-20 (completion status, table 0322) and RXA-21 (action code D → deleted),
 * route RXR-1 (table 0162), site RXR-2 (table 0163).
 *
 * Keyed by the filler order number ORC-3 when sent; a historical dose usually has none, so it
 * is keyed by patient, vaccine and date: the same history resent is the same Immunization.
 */
import type { Identifier, Immunization, ImmunizationPerformer } from '@medplum/fhirtypes';
import { HandlerError } from '../message-store/message-processor.ts';
import type { BundleBuilder, Ref } from './bundle-builder.ts';
import { codeableConcept, codeSystemUri, mapCode, v2Table } from './coding.ts';
import type { MappingContext } from './context.ts';
import { decimal, locationText, practitionerReference, quantityUnits } from './datatypes.ts';
import { localIdentifier } from './identifiers.ts';
import { notes } from './observation.ts';
import { comp, type Seg } from './segments.ts';
import { orderIdentifiers } from './service-request.ts';

/** Completion status (table 0322) → Immunization.status. */
const completion: Record<string, Immunization['status']> = { CP: 'completed', PA: 'completed', RE: 'not-done', NA: 'not-done' };

function performer(rep: Parameters<typeof practitionerReference>[0], fn: 'AP' | 'OP', ctx: MappingContext): ImmunizationPerformer | undefined {
  const actor = practitionerReference(rep, ctx);
  return actor ? { function: { coding: [{ system: v2Table('0443'), code: fn }] }, actor } : undefined;
}

export interface VaccinationSegments {
  orc?: Seg;
  rxa: Seg;
  rxr?: Seg;
  ntes: readonly Seg[];
}

/** ORC/RXA/RXR → Immunization, not yet keyed. */
export function immunizationFromRxa({ orc, rxa, rxr, ntes }: VaccinationSegments, ctx: MappingContext, patient: Ref, encounter?: Ref): Immunization {
  const vaccineCode = codeableConcept(rxa.rep(5), { table: '0292' });
  if (!vaccineCode) throw new HandlerError({ stage: 'map', code: 'missing-field', message: 'RXA-5 (administered code) is required', element: rxa.element(5) });
  const occurrence = ctx.dateTime(rxa, 3);
  if (!occurrence) throw new HandlerError({ stage: 'map', code: 'missing-field', message: 'RXA-3 (start of administration) is required', element: rxa.element(3) });
  const status = rxa.text(21) === 'D' ? 'entered-in-error' : (mapCode(rxa.text(20), completion) ?? 'completed');
  const amount = decimal(rxa.text(6));
  const dose = amount !== undefined && amount !== 999 ? { value: amount, ...quantityUnits(rxa.rep(7)) } : undefined;
  const source = comp(rxa.rep(9), 1);
  const manufacturer = rxa.rep(17);
  const manufacturerSystem = codeSystemUri(comp(manufacturer, 3));
  const expiration = ctx.date(rxa, 16);
  // RXA-27 administer-at (v2.7+, the IG's row), else RXA-11's facility (LA2.4) or place.
  const where = locationText(rxa.rep(27)) ?? comp(rxa.rep(11), 4) ?? locationText(rxa.rep(11));
  const indications = rxa.reps(19).map((r) => codeableConcept(r)).filter((c) => c !== undefined);
  const performers = [performer(rxa.rep(10), 'AP', ctx), performer(orc?.rep(12), 'OP', ctx)].filter((p): p is ImmunizationPerformer => p !== undefined);
  const refusal = codeableConcept(rxa.rep(18));
  const site = rxr ? codeableConcept(rxr.rep(2), { table: '0163' }) : undefined;
  const route = rxr ? codeableConcept(rxr.rep(1), { table: '0162' }) : undefined;
  const recorded = ctx.dateTime(rxa, 22);
  const identifier = orc ? orderIdentifiers({ orc }, ctx) : [];
  const annotations = notes(ntes);
  return {
    resourceType: 'Immunization',
    ...(identifier.length > 0 ? { identifier } : {}),
    status,
    ...(status === 'not-done' && refusal ? { statusReason: refusal } : {}),
    vaccineCode,
    patient,
    ...(encounter ? { encounter } : {}),
    occurrenceDateTime: occurrence,
    ...(recorded ? { recorded } : {}),
    ...(source ? { primarySource: source === '00' } : {}),
    ...(source && source !== '00' ? { reportOrigin: codeableConcept(rxa.rep(9))! } : {}),
    ...(where ? { location: { type: 'Location', display: where } } : {}),
    ...(comp(manufacturer, 1) || comp(manufacturer, 2)
      ? {
          manufacturer: {
            type: 'Organization',
            ...(comp(manufacturer, 1) ? { identifier: { ...(manufacturerSystem ? { system: manufacturerSystem } : {}), value: comp(manufacturer, 1)! } } : {}),
            ...(comp(manufacturer, 2) ? { display: comp(manufacturer, 2)! } : {}),
          },
        }
      : {}),
    ...(rxa.text(15) ? { lotNumber: rxa.text(15) } : {}),
    ...(expiration ? { expirationDate: expiration } : {}),
    ...(site ? { site } : {}),
    ...(route ? { route } : {}),
    ...(dose ? { doseQuantity: dose } : {}),
    ...(indications.length > 0 ? { reasonCode: indications } : {}),
    ...(performers.length > 0 ? { performer: performers } : {}),
    ...(annotations.length > 0 ? { note: annotations } : {}),
    ...(rxa.text(20) === 'PA' ? { isSubpotent: true } : {}),
  };
}

export function addImmunization(ctx: MappingContext, builder: BundleBuilder, immunization: Immunization, patientKey: Identifier): Ref {
  const ids = immunization.identifier ?? [];
  const vaccine = immunization.vaccineCode.coding?.[0]?.code ?? immunization.vaccineCode.text ?? 'vaccine';
  const key =
    ids.find((i) => i.type?.coding?.[0]?.code === 'FILL') ?? ids.find((i) => i.type?.coding?.[0]?.code === 'PLAC') ?? localIdentifier(ctx, 'RXA', patientKey.value ?? '', vaccine, immunization.occurrenceDateTime ?? '');
  return builder.add(immunization, key, 'upsert', 'same');
}
