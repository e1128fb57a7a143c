/**
 * HL7 v2 message → FHIR R4 transaction Bundle: picks the message map by MSH-9 (message code
 * and trigger event, HL7 tables 0076 and 0003), runs it, applies the channel's overrides and
 * adds the Provenance. Anything not listed here is filtered with a reason, never half-mapped.
 */
import type { Bundle } from '@medplum/fhirtypes';
import type { Hl7Message } from '../hl7v2/message.ts';
import { HandlerError, type HandlerResult } from '../message-store/message-processor.ts';
import { applyOverrides } from './apply-overrides.ts';
import { BundleBuilder } from './bundle-builder.ts';
import { MappingContext, type MappingInput } from './context.ts';
import { mapAdt, mapDocument, mapMerge, mapOrders, mapPharmacyOrders, mapResults, mapSchedule, mapVaccinations, type MessageMap } from './message-maps.ts';

/** MSH-9.1^MSH-9.2 → its map. */
const messageMaps: Readonly<Record<string, MessageMap>> = {
  'ADT^A01': mapAdt,
  'ADT^A02': mapAdt,
  'ADT^A03': mapAdt,
  'ADT^A04': mapAdt,
  'ADT^A05': mapAdt,
  'ADT^A08': mapAdt,
  'ADT^A11': mapAdt,
  'ADT^A13': mapAdt,
  'ADT^A28': mapAdt,
  'ADT^A31': mapAdt,
  'ADT^A40': mapMerge,
  'ORU^R01': mapResults,
  'ORM^O01': mapOrders,
  'OML^O21': mapOrders,
  'SIU^S12': mapSchedule,
  'SIU^S13': mapSchedule,
  'SIU^S14': mapSchedule,
  'SIU^S15': mapSchedule,
  'VXU^V04': mapVaccinations,
  'MDM^T02': mapDocument,
  'RDE^O11': mapPharmacyOrders,
};

export const supportedMessageTypes: readonly string[] = Object.keys(messageMaps);

function typeOf(message: Hl7Message): string {
  const { code, trigger } = message.messageType;
  return `${code}^${trigger}`;
}

/** Why a message will not be mapped, or undefined when it will. */
export function unsupportedReason(message: Hl7Message): string | undefined {
  const type = typeOf(message);
  return messageMaps[type] ? undefined : `${type} is not mapped to FHIR (mapped: ${supportedMessageTypes.join(', ')})`;
}

/**
 * Maps one message to a FHIR transaction Bundle.
 * @param input - where the message came from (channel, message store id, receipt time) and the channel's overrides
 * @throws HandlerError (stage `map`) naming the element at fault, or code `unsupported-message`
 */
export function mapHl7ToBundle(message: Hl7Message, input: MappingInput): Bundle {
  const map = messageMaps[typeOf(message)];
  if (!map) throw new HandlerError({ stage: 'map', code: 'unsupported-message', message: unsupportedReason(message)!, element: 'MSH-9' });
  const ctx = new MappingContext(message, input);
  const builder = new BundleBuilder(ctx);
  map(ctx, builder);
  applyOverrides(ctx, builder);
  return builder.build();
}

/** As mapHl7ToBundle, but an unsupported type is `filtered` (what a message handler answers). */
export function mapHl7Message(message: Hl7Message, input: MappingInput): HandlerResult {
  const reason = unsupportedReason(message);
  return reason ? { kind: 'filtered', reason } : { kind: 'bundle', bundle: mapHl7ToBundle(message, input) };
}
