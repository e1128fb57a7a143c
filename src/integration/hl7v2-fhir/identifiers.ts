/**
 * Identifiers: CX and EI → Identifier (V2-to-FHIR IG CX[Identifier], EI[Identifier] maps), the
 * system an assigning authority stands for, and the deterministic identifiers that make a
 * reprocessed message update what it wrote the first time instead of writing it again.
 *
 * Assigning authority (HD: namespace ^ universal id ^ universal id type, HL7 table 0301) → system:
 * 1. the channel's `identifierSystems` override, by namespace or universal id;
 * 2. a universal id the IG's UniversalIDType map can turn into a URI: ISO → `urn:oid:`,
 *    UUID/GUID → `urn:uuid:`, URI/URL → itself;
 * 3. otherwise `urn:longitude:hl7:authority:<namespace>`. Not scoped to the sender: within one
 *    organization's feeds the same namespace ("HOSP-MRN") names the same authority, so the lab
 *    feed's patient finds the ADT feed's patient. Configure (1) where that is not true.
 */
import type { Identifier } from '@medplum/fhirtypes';
import { tableConcept } from './coding.ts';
import { urnSafe, type MappingContext } from './context.ts';
import { comp, sub, type Rep } from './segments.ts';

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The system URI of an assigning authority (HD), or undefined when the HD is empty.
 * @param hd - the HD as components (namespace, universal id, universal id type)
 */
export function authoritySystem(hd: Rep | undefined, ctx: MappingContext): string | undefined {
  const namespace = comp(hd, 1);
  const universalId = comp(hd, 2);
  const type = comp(hd, 3)?.toUpperCase();
  const configured = ctx.overrides.identifierSystems ?? {};
  if (namespace && configured[namespace]) return configured[namespace];
  if (universalId && configured[universalId]) return configured[universalId];
  if (universalId) {
    if ((type === 'ISO' || type === undefined) && OID.test(universalId)) return `urn:oid:${universalId}`;
    if ((type === 'UUID' || type === 'GUID') && UUID.test(universalId)) return `urn:uuid:${universalId.toLowerCase()}`;
    if ((type === 'URI' || type === 'URL') && /^(urn:|https?:\/\/)\S+$/i.test(universalId)) return universalId;
  }
  const name = namespace ?? universalId;
  return name ? `urn:longitude:hl7:authority:${urnSafe(name)}` : undefined;
}

export interface IdentifierOptions {
  /** System when the value names no assigning authority (scoped to the sender). */
  defaultSystem?: string;
  /** Identifier.type code (HL7 table 0203) when the value carries none. */
  type?: string;
  /** The element read, for date errors in CX.7/CX.8. */
  element: string;
}

/** CX → Identifier: value CX.1, system from CX.4, type CX.5 (table 0203), period CX.7–CX.8. */
export function cxIdentifier(rep: Rep | undefined, ctx: MappingContext, options: IdentifierOptions): Identifier | undefined {
  const value = comp(rep, 1);
  if (!value) return undefined;
  const authority = sub(rep, 4);
  const system = authoritySystem(authority, ctx) ?? options.defaultSystem;
  const type = tableConcept(comp(rep, 5) ?? options.type, '0203');
  const start = ctx.dateTimeIn(rep, 7, `${options.element}.7`);
  const end = ctx.dateTimeIn(rep, 8, `${options.element}.8`);
  const assigner = comp(authority, 1);
  return {
    ...(type ? { type } : {}),
    ...(system ? { system } : {}),
    value,
    ...(start || end ? { period: { ...(start ? { start } : {}), ...(end ? { end } : {}) } } : {}),
    ...(assigner ? { assigner: { display: assigner } } : {}),
  };
}

/** EI (and EIP's first part) → Identifier: value EI.1, system from EI.2–EI.4 (an HD laid flat). */
export function eiIdentifier(rep: Rep | undefined, ctx: MappingContext, options: Omit<IdentifierOptions, 'element'> = {}): Identifier | undefined {
  const value = comp(rep, 1);
  if (!value) return undefined;
  const hd: Rep = [[comp(rep, 2) ?? ''], [comp(rep, 3) ?? ''], [comp(rep, 4) ?? '']];
  const system = authoritySystem(hd, ctx) ?? options.defaultSystem;
  const type = tableConcept(options.type, '0203');
  return { ...(type ? { type } : {}), ...(system ? { system } : {}), value };
}

/**
 * A deterministic identifier for a resource the message itself does not identify:
 * `urn:longitude:hl7-key:<sender>:<segment>` | parts joined by `.`. The same message (or a
 * later one about the same thing, when the parts are business keys) yields the same one. The
 * `hl7-key` prefix marks it as minted here, never sent by the source.
 */
export function localIdentifier(ctx: MappingContext, segment: string, ...parts: (string | number)[]): Identifier {
  return { system: `${KEY_SYSTEM_PREFIX}${ctx.sender}:${segment.toLowerCase()}`, value: parts.map(String).join('.') };
}

/** The prefix of the systems of identifiers minted by localIdentifier. */
export const KEY_SYSTEM_PREFIX = 'urn:longitude:hl7-key:';

/** System for a value the sender sent without naming its assigning authority (scoped to the sender). */
export function localSystem(ctx: MappingContext, field: string): string {
  return `urn:longitude:hl7:${ctx.sender}:${field.toLowerCase()}`;
}

/** FHIR search escaping of `\ , | $` in a token part (http://hl7.org/fhir/R4/search.html#escaping). */
function escapeToken(text: string): string {
  return text.replace(/[\\,|$]/g, (c) => `\\${c}`);
}

/** `identifier=system|value`, URL-encoded, for a conditional interaction's criteria. */
export function identifierCriteria(identifier: Identifier, parameter = 'identifier'): string {
  const value = escapeToken(identifier.value ?? '');
  const token = identifier.system ? `${escapeToken(identifier.system)}|${value}` : value;
  return `${parameter}=${encodeURIComponent(token)}`;
}
