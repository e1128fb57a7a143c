/**
 * Collects what one message maps to and writes it as one FHIR transaction Bundle
 * (http://hl7.org/fhir/R4/http.html#transaction), so the message's data is applied atomically
 * with the message marked processed.
 *
 * Every entry is conditional, which is what makes reprocessing idempotent: the same message
 * twice finds what it wrote the first time and writes nothing new (an identical PUT makes no
 * new version). Two write modes:
 * - `upsert`: `PUT Type?identifier=system|value` (http.html#cond-update) for what this message
 *   is the source of truth for: an ADT's Patient, an ORU's results, a SIU's Appointment;
 * - `ensure`: `POST` with `ifNoneExist` (http.html#ccreate) for what a message only refers to:
 *   the Patient of a lab result, the order a result is based on. An ORU must not overwrite the
 *   demographics the ADT feed keeps current with the thinner PID it carries.
 *
 * The record evaluates every condition before it writes anything, so two entries of one Bundle
 * with the same criteria would both "not exist" and both be created: the builder never emits
 * that. The same thing ensured twice is one entry; two upserts that collide get the second a
 * deterministic suffix (`~2`).
 */
import { createHash } from 'node:crypto';
import type { Bundle, BundleEntry, Identifier, Reference, Resource } from '@medplum/fhirtypes';
import { MAPPING_VERSION, type MappingContext } from './context.ts';
import { identifierCriteria } from './identifiers.ts';
import { provenanceFor } from './provenance.ts';

export type WriteMode = 'upsert' | 'ensure';

/**
 * A reference this layer makes: to an entry of the Bundle (urn:uuid) or a logical reference
 * (identifier + display). Typed `Reference<never>` because it never carries a contained
 * `resource`, which lets it stand wherever FHIR narrows the target (Reference(Patient)).
 */
export type Ref = Reference<never>;

/** System of the meta.tag that records the mapping version on every resource written. */
export const MAPPING_TAG_SYSTEM = 'urn:longitude:hl7v2-fhir:mapping-version';

interface Planned {
  resource: Resource;
  criteria: string;
  mode: WriteMode;
  fullUrl: string;
}

/** A name-based UUID (RFC 4122 §4.3 layout, SHA-1): the same input always gives the same fullUrl. */
export function stableUuid(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class BundleBuilder {
  private readonly planned: Planned[] = [];
  private readonly byKey = new Map<string, Planned>();

  constructor(private readonly ctx: MappingContext) {}

  /**
   * Adds a resource keyed by one of its identifiers (added to it when missing); returns the
   * reference other entries use.
   * @param duplicates - what a second resource with the same key is: `same` (a business
   *   identifier: the specimen two orders share) returns the first entry; `distinct` (a key
   *   derived from codes: two OBX with the same code) is kept apart with a `~n` suffix.
   *   Ensuring what is already planned always returns the planned entry.
   */
  add<T extends Resource & { identifier?: Identifier[] }>(resource: T, key: Identifier, mode: WriteMode = 'upsert', duplicates: 'same' | 'distinct' = 'distinct'): Ref {
    let identifier = key;
    for (let n = 2; ; n++) {
      const existing = this.byKey.get(`${resource.resourceType}?${identifierCriteria(identifier)}`);
      if (!existing) break;
      if (duplicates === 'same' || mode === 'ensure' || existing.mode === 'ensure') return { reference: existing.fullUrl };
      identifier = { ...key, value: `${key.value}~${n}` };
    }
    const identifiers = resource.identifier ?? [];
    const carries = identifiers.some((i) => i.system === identifier.system && i.value === identifier.value);
    const keyed = { ...resource, identifier: carries ? identifiers : [...identifiers, identifier] };
    return this.plan(keyed, identifierCriteria(identifier), mode);
  }

  /** Adds a resource with explicit search criteria (a Provenance has no identifier element). */
  plan(resource: Resource, criteria: string, mode: WriteMode = 'upsert'): Ref {
    const mapKey = `${resource.resourceType}?${criteria}`;
    const existing = this.byKey.get(mapKey);
    if (existing) return { reference: existing.fullUrl };
    const entry: Planned = { resource, criteria, mode, fullUrl: `urn:uuid:${stableUuid(mapKey)}` };
    this.planned.push(entry);
    this.byKey.set(mapKey, entry);
    return { reference: entry.fullUrl };
  }

  /** The first planned resource of a type (a message's "main" Patient, Encounter …). */
  first<T extends Resource>(resourceType: T['resourceType']): T | undefined {
    return this.planned.find((p) => p.resource.resourceType === resourceType)?.resource as T | undefined;
  }

  /** Replaces a planned resource in place (overrides edit the main resources after mapping). */
  update<T extends Resource>(resource: T, change: (r: T) => T): void {
    const entry = this.planned.find((p) => p.resource === resource);
    if (entry) entry.resource = change(resource);
  }

  get size(): number {
    return this.planned.length;
  }

  /** The transaction Bundle: every resource stamped with meta.source and the mapping version, plus the Provenance. */
  build(): Bundle {
    const meta = { source: this.ctx.metaSource, tag: [{ system: MAPPING_TAG_SYSTEM, code: MAPPING_VERSION }] };
    const entries = this.planned.map((p) => ({ ...p, resource: { ...p.resource, meta: { ...p.resource.meta, ...meta } } as Resource }));
    const provenance = provenanceFor(this.ctx, entries.map((e) => ({ reference: e.fullUrl })));
    entries.push({ ...provenance, resource: { ...provenance.resource, meta } as Resource, fullUrl: `urn:uuid:${stableUuid(`Provenance?${provenance.criteria}`)}` });
    return { resourceType: 'Bundle', type: 'transaction', entry: entries.map(toEntry) };
  }
}

function toEntry(p: Planned): BundleEntry {
  const type = p.resource.resourceType;
  return p.mode === 'upsert'
    ? { fullUrl: p.fullUrl, resource: p.resource, request: { method: 'PUT', url: `${type}?${p.criteria}` } }
    : { fullUrl: p.fullUrl, resource: p.resource, request: { method: 'POST', url: type, ifNoneExist: p.criteria } };
}
