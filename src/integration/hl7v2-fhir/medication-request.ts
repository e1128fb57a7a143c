/**
 * ORC + RXE (+ RXR, TQ1, NTE) of a pharmacy encoded order (RDE^O11) → MedicationRequest, per
 * the V2-to-FHIR IG's ORC[MedicationRequest], RXE[MedicationRequest], RXR[MedicationRequest]
 * and TQ1[MedicationRequest] maps: medication RXE-2 (give code), dose RXE-3..RXE-5,
 * instructions RXE-7, dispense amount RXE-10/11, refills RXE-12, substitution
 * RXE-9 (table 0167), rate RXE-23/24, route and site from RXR, timing from TQ1.
 *
 * Keyed by the placer order number (ORC-2), like every order: later RDE messages about the
 * same order (a discontinue, ORC-1 = DC) update the same MedicationRequest.
 */
import type { Dosage, MedicationRequest } from '@medplum/fhirtypes';
import { HandlerError } from '../message-store/message-processor.ts';
import type { BundleBuilder, Ref } from './bundle-builder.ts';
import { codeableConcept, mapCode } from './coding.ts';
import type { MappingContext } from './context.ts';
import { decimal, practitionerReference, quantityUnits } from './datatypes.ts';
import { localIdentifier, localSystem } from './identifiers.ts';
import { notes } from './observation.ts';
import { comp, type Seg } from './segments.ts';
import { orderIdentifiers } from './service-request.ts';

type Status = MedicationRequest['status'];
/** Order status (ORC-5, table 0038) → MedicationRequest.status. */
const orderStatus: Record<string, Status> = { A: 'active', CA: 'cancelled', CM: 'completed', DC: 'stopped', ER: 'entered-in-error', HD: 'on-hold', IP: 'active', SC: 'active', RP: 'stopped' };
/**
 * Order control (ORC-1, table 0119) → MedicationRequest.status when ORC-5 is empty: the IG's
 * OrderControlCode map, with its `revoked` split the way MedicationRequest splits it:
 * cancelled (before anything was given: CR, OC, DF) and stopped (discontinued: DC, OD, DR).
 */
const orderControl: Record<string, Status> = {
  AF: 'active',
  CA: 'active',
  CR: 'cancelled',
  DC: 'stopped',
  DF: 'cancelled',
  DR: 'stopped',
  FU: 'completed',
  HD: 'active',
  HR: 'on-hold',
  NW: 'active',
  OC: 'cancelled',
  OD: 'stopped',
  OH: 'on-hold',
  OK: 'active',
  PR: 'active',
  PY: 'active',
  RL: 'active',
  RO: 'active',
  RQ: 'active',
};

export interface PharmacyOrderSegments {
  orc: Seg;
  rxe: Seg;
  rxr?: Seg;
  tq1?: Seg;
  ntes: readonly Seg[];
}

function dosage({ rxe, rxr, tq1 }: PharmacyOrderSegments): Dosage {
  const low = decimal(rxe.text(3));
  const high = decimal(rxe.text(4));
  const units = quantityUnits(rxe.rep(5));
  const rate = decimal(rxe.text(23));
  const instructions = rxe.reps(7).map((r) => comp(r, 2) ?? comp(r, 1)).filter(Boolean).join('\n');
  const route = rxr ? codeableConcept(rxr.rep(1), { table: '0162' }) : undefined;
  const site = rxr ? codeableConcept(rxr.rep(2), { table: '0550' }) : undefined;
  const method = rxr ? codeableConcept(rxr.rep(4), { table: '0165' }) : undefined;
  const pattern = tq1 ? (comp(tq1.rep(3), 1) ?? comp(tq1.rep(3), 2)) : undefined;
  const doseAndRate = [
    {
      ...(low !== undefined && high !== undefined && high !== low
        ? { doseRange: { low: { value: low, ...units }, high: { value: high, ...units } } }
        : low !== undefined
          ? { doseQuantity: { value: low, ...units } }
          : {}),
      ...(rate !== undefined ? { rateQuantity: { value: rate, ...quantityUnits(rxe.rep(24)) } } : {}),
    },
  ].filter((d) => Object.keys(d).length > 0);
  return {
    ...(instructions ? { text: instructions } : {}),
    ...(pattern ? { timing: { code: { text: pattern } } } : {}),
    ...(site ? { site } : {}),
    ...(route ? { route } : {}),
    ...(method ? { method } : {}),
    ...(doseAndRate.length > 0 ? { doseAndRate } : {}),
  };
}

/** ORC/RXE → MedicationRequest, not yet keyed. */
export function medicationRequestFromRxe(order: PharmacyOrderSegments, ctx: MappingContext, subject: Ref, encounter?: Ref): MedicationRequest {
  const { orc, rxe } = order;
  const medication = codeableConcept(rxe.rep(2));
  if (!medication) throw new HandlerError({ stage: 'map', code: 'missing-field', message: 'RXE-2 (give code) is required', element: rxe.element(2) });
  const prescription = rxe.text(15);
  const identifier = [
    ...orderIdentifiers({ orc }, ctx),
    // RXE-15, the pharmacy's prescription number.
    ...(prescription ? [{ type: { text: 'prescription number' }, system: localSystem(ctx, 'rxe-15'), value: prescription }] : []),
  ];
  const status = mapCode(orc.text(5), orderStatus) ?? mapCode(orc.text(1), orderControl) ?? 'unknown';
  const requester = practitionerReference(orc.rep(12) ?? rxe.rep(13), ctx);
  const authoredOn = ctx.dateTime(orc, 9);
  const quantity = decimal(rxe.text(10));
  const refills = Number(rxe.text(12));
  const dose = dosage(order);
  const substitution = rxe.text(9);
  const annotations = notes(order.ntes);
  return {
    resourceType: 'MedicationRequest',
    ...(identifier.length > 0 ? { identifier } : {}),
    status,
    // RDE is the pharmacy's encoding of an order: the filler's view of it (FHIR request-intent filler-order).
    intent: 'filler-order',
    medicationCodeableConcept: medication,
    subject,
    ...(encounter ? { encounter } : {}),
    ...(authoredOn ? { authoredOn } : {}),
    ...(requester ? { requester } : {}),
    ...(annotations.length > 0 ? { note: annotations } : {}),
    ...(Object.keys(dose).length > 0 ? { dosageInstruction: [dose] } : {}),
    ...(quantity !== undefined || (Number.isInteger(refills) && refills >= 0 && rxe.text(12))
      ? {
          dispenseRequest: {
            ...(Number.isInteger(refills) && rxe.text(12) ? { numberOfRepeatsAllowed: refills } : {}),
            ...(quantity !== undefined ? { quantity: { value: quantity, ...quantityUnits(rxe.rep(11)) } } : {}),
          },
        }
      : {}),
    ...(substitution ? { substitution: { allowedBoolean: substitution !== 'N' } } : {}),
  };
}

export function addMedicationRequest(ctx: MappingContext, builder: BundleBuilder, request: MedicationRequest, position: number): Ref {
  const ids = request.identifier ?? [];
  const key = ids.find((i) => i.type?.coding?.[0]?.code === 'PLAC') ?? ids.find((i) => i.type?.coding?.[0]?.code === 'FILL') ?? localIdentifier(ctx, 'RXE', ctx.controlId, position);
  return builder.add(request, key, 'upsert', 'same');
}
