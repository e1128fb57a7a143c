/**
 * ORC + OBR → ServiceRequest, per the V2-to-FHIR IG's ORC[ServiceRequest] and OBR[ServiceRequest]
 * maps: identifiers from the placer (ORC-2/OBR-2), filler (ORC-3/OBR-3) and placer group
 * (ORC-4) numbers, status from ORC-5 (OrderStatus map, HL7 table 0038) or else ORC-1
 * (OrderControlCode[ServiceRequest.status], table 0119), code OBR-4, requester ORC-12/OBR-16.
 *
 * Keyed by the placer order number: the order's own identity from the system that placed it,
 * which the results (ORU) and later order messages (ORM status changes) all repeat.
 */
import type { Annotation, CodeableConcept, Identifier, ServiceRequest } from '@medplum/fhirtypes';
import type { BundleBuilder, Ref, WriteMode } from './bundle-builder.ts';
import { codeableConcept, mapCode, tableConcept } from './coding.ts';
import type { MappingContext } from './context.ts';
import { practitionerReference } from './datatypes.ts';
import { eiIdentifier, localIdentifier, localSystem } from './identifiers.ts';
import { comp, type Seg } from './segments.ts';

/** Order status (table 0038) → ServiceRequest.status (IG OrderStatus map). */
const orderStatus: Record<string, ServiceRequest['status']> = {
  A: 'active',
  CA: 'revoked',
  CM: 'completed',
  DC: 'revoked',
  ER: 'entered-in-error',
  HD: 'on-hold',
  IP: 'active',
  RP: 'revoked',
  SC: 'active',
};

/**
 * Order control (table 0119) → ServiceRequest.status when ORC-5 is empty: the IG's
 * OrderControlCode[ServiceRequest.status] map. A request to cancel or hold (CA, HD) leaves the
 * order active until the filler confirms (CR, OH); controls it leaves unmapped (RE, SC, XO …)
 * give `unknown`.
 */
const orderControl: Record<string, ServiceRequest['status']> = {
  AF: 'active',
  CA: 'active',
  CR: 'revoked',
  DC: 'revoked',
  DF: 'revoked',
  DR: 'revoked',
  FU: 'completed',
  HD: 'active',
  HR: 'on-hold',
  NW: 'active',
  OC: 'revoked',
  OD: 'revoked',
  OH: 'on-hold',
  OK: 'active',
  PR: 'active',
  PY: 'active',
  RL: 'active',
  RO: 'active',
  RQ: 'active',
};

/** Priority (TQ1-9, table 0485) → request priority. */
const priority: Record<string, ServiceRequest['priority']> = { S: 'stat', A: 'asap', R: 'routine', P: 'urgent', T: 'urgent', C: 'routine' };

export interface OrderSegments {
  orc?: Seg;
  obr?: Seg;
  tq1?: Seg;
  ntes?: readonly Seg[];
}

/** The order identifiers: placer, filler, placer group (EI/EIP), typed PLAC, FILL, PGN (table 0203). */
export function orderIdentifiers({ orc, obr }: OrderSegments, ctx: MappingContext): Identifier[] {
  const ei = (rep: Parameters<typeof eiIdentifier>[0], type: string, segment: string) =>
    eiIdentifier(rep, ctx, { type, defaultSystem: localSystem(ctx, `${segment}-${type.toLowerCase()}`) });
  return [
    ei(orc?.rep(2) ?? obr?.rep(2), 'PLAC', 'order'),
    ei(orc?.rep(3) ?? obr?.rep(3), 'FILL', 'order'),
    ei(orc?.rep(4), 'PGN', 'order'),
  ].filter((i): i is Identifier => i !== undefined);
}

/** The value orders scope their children's keys by: filler number, else placer number. */
export function orderScope(identifiers: readonly Identifier[], fallback: string): string {
  const pick = (code: string) => identifiers.find((i) => i.type?.coding?.[0]?.code === code)?.value;
  return pick('FILL') ?? pick('PLAC') ?? fallback;
}

/** ORC/OBR → ServiceRequest, not yet keyed. */
export function serviceRequestFrom(order: OrderSegments, ctx: MappingContext, subject: Ref, encounter?: Ref): ServiceRequest {
  const { orc, obr, tq1 } = order;
  const identifier = orderIdentifiers(order, ctx);
  const status = mapCode(orc?.text(5), orderStatus) ?? mapCode(orc?.text(1), orderControl) ?? 'unknown';
  const code = codeableConcept(obr?.rep(4));
  const requester = practitionerReference(orc?.rep(12) ?? obr?.rep(16), ctx);
  const authoredOn = orc ? ctx.dateTime(orc, 9) : undefined;
  const occurrence = (tq1 ? ctx.dateTime(tq1, 7) : undefined) ?? (obr ? ctx.dateTime(obr, 6) : undefined);
  const urgency = mapCode(tq1?.text(9) ?? obr?.text(5), priority);
  const reasons = (obr?.reps(31) ?? []).map((r) => codeableConcept(r)).filter((c): c is CodeableConcept => c !== undefined);
  const annotations: Annotation[] = (order.ntes ?? []).map((n) => n.text(3)).filter((t): t is string => !!t).map((text) => ({ text }));
  const category = tableConcept(obr?.text(24), '0074');
  return {
    resourceType: 'ServiceRequest',
    ...(identifier.length > 0 ? { identifier } : {}),
    status,
    intent: 'order',
    ...(category ? { category: [category] } : {}),
    ...(urgency ? { priority: urgency } : {}),
    ...(code ? { code } : {}),
    subject,
    ...(encounter ? { encounter } : {}),
    ...(occurrence ? { occurrenceDateTime: occurrence } : {}),
    ...(authoredOn ? { authoredOn } : {}),
    ...(requester ? { requester } : {}),
    ...(reasons.length > 0 ? { reasonCode: reasons } : {}),
    ...(annotations.length > 0 ? { note: annotations } : {}),
    ...(comp(obr?.rep(13), 1) ? { patientInstruction: comp(obr?.rep(13), 1) } : {}),
  };
}

/** Adds the order; keyed by placer, else filler number, else the message and order position. */
export function addServiceRequest(ctx: MappingContext, builder: BundleBuilder, request: ServiceRequest, position: number, mode: WriteMode): Ref {
  const ids = request.identifier ?? [];
  const key = ids.find((i) => i.type?.coding?.[0]?.code === 'PLAC') ?? ids.find((i) => i.type?.coding?.[0]?.code === 'FILL') ?? localIdentifier(ctx, 'ORC', ctx.controlId, position);
  return builder.add(request, key, mode, 'same');
}
