/**
 * Small helpers for this folder's tests: a message from segment lines, a mapping context, and
 * the resources of a mapped Bundle by type. Not used by the mapping itself.
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Hl7Message } from '../hl7v2/message.ts';
import { parseMessageOrThrow } from '../hl7v2/parse.ts';
import { MappingContext } from './context.ts';
import { mapHl7ToBundle } from './map-message.ts';
import { parseMappingOverrides, type MappingOverridesInput } from './overrides.ts';
import { firstSegment, type Seg } from './segments.ts';

export const RECEIVED_AT = new Date('2024-03-01T10:00:00Z');

/** A message from its segments (CR-separated, as on the wire). */
export function hl7(...segments: string[]): Hl7Message {
  return parseMessageOrThrow(segments.join('\r'));
}

/** An MSH for a message type, with an offset-less or offset timestamp as given. */
export function msh(type: string, controlId = 'MSG1', sent = '20240301100000+0100', version = '2.5.1'): string {
  return `MSH|^~\\&|LAB|HOSP|HUB|HUB|${sent}||${type}|${controlId}|P|${version}`;
}

/** A segment from its valued fields by number: `fields('PV1', { 2: 'I', 44: '20240301' })`. */
export function fields(name: string, values: Record<number, string>): string {
  const last = Math.max(...Object.keys(values).map(Number));
  return [name, ...Array.from({ length: last }, (_, i) => values[i + 1] ?? '')].join('|');
}

export function contextFor(message: Hl7Message, overrides: MappingOverridesInput = {}): MappingContext {
  return new MappingContext(message, { messageId: '42', channel: 'lab', receivedAt: RECEIVED_AT, overrides: parseMappingOverrides(overrides) });
}

export function segment(message: Hl7Message, name: string): Seg {
  const seg = firstSegment(message, name);
  if (!seg) throw new Error(`no ${name} in the test message`);
  return seg;
}

export function mapped(message: Hl7Message, overrides: MappingOverridesInput = {}): Bundle {
  return mapHl7ToBundle(message, { messageId: '42', channel: 'lab', receivedAt: RECEIVED_AT, overrides: parseMappingOverrides(overrides) });
}

/** The resources of one type in a Bundle, in entry order. */
export function resourcesOf<T extends Resource>(bundle: Bundle, resourceType: T['resourceType']): T[] {
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is T => r?.resourceType === resourceType);
}

/** The one resource of a type (fails the test when there is not exactly one). */
export function only<T extends Resource>(bundle: Bundle, resourceType: T['resourceType']): T {
  const found = resourcesOf<T>(bundle, resourceType);
  if (found.length !== 1) throw new Error(`expected one ${resourceType}, found ${found.length}`);
  return found[0]!;
}
