/**
 * A person's longitudinal record as the signal kinds see it: every resource in the Patient
 * compartments of the person's source Patients, each with the source system it came from.
 *
 * A person is a set of source Patient ids. Today that is one Patient; when identity's golden
 * record is ready it will be the golden person's linked source Patients, and nothing below
 * changes (docs/signals.md, "The person").
 */
import type { Provenance, Resource } from '@medplum/fhirtypes';
import { MESSAGE_STORE_SYSTEM } from '../../integration/hl7v2-fhir/provenance.ts';
import type { Evidence } from './signal.ts';

export interface RecordEntry<T extends Resource = Resource> {
  resource: T;
  /** The source system (silo) the resource came from; `unknown` when nothing says. */
  source: string;
  /**
   * When the source said what the stored version says (assertedAtOf): the time the message that
   * wrote it was sent (MSH-7) or the row it came from was updated. Absent when the source gives
   * no date of its own. Not the time it was loaded: a feed loaded in one afternoon says nothing
   * about when each silo learned what it holds.
   */
  asserted?: string;
}

export interface PersonRecord {
  /** The person's id: today the (first) Patient id; later the golden record id. */
  id: string;
  /** The source Patient ids whose compartments make up the record. */
  patientIds: string[];
  entries: RecordEntry[];
}

/** `Type/id`. */
export function referenceOf(resource: Resource): string {
  return `${resource.resourceType}/${resource.id ?? ''}`;
}

/** The entries of one resource type. */
export function entriesOf<T extends Resource>(person: PersonRecord, resourceType: T['resourceType']): RecordEntry<T>[] {
  return person.entries.filter((e): e is RecordEntry<T> => e.resource.resourceType === resourceType);
}

/** A resource as evidence: its reference and source system. */
export function evidenceOf(entry: RecordEntry, display?: string): Evidence {
  return { reference: referenceOf(entry.resource), sourceSystem: entry.source, ...(display ? { display } : {}) };
}

const SOURCE_SYSTEM_IDENTIFIERS = ['urn:longitude:source-system', 'urn:longitude:hl7:sending-application'];

/** The source system a Provenance names: its agent Device's identifier, else the display. */
export function provenanceSource(provenance: Provenance): string | undefined {
  for (const agent of provenance.agent ?? []) {
    const id = agent.who?.identifier;
    if (id?.value && (!id.system || SOURCE_SYSTEM_IDENTIFIERS.includes(id.system))) return id.value;
  }
  return provenance.agent?.[0]?.who?.display;
}

/**
 * Where a resource came from, in order of trust: a Provenance targeting it (the integration
 * layer writes one per message, agent = the sending system), the channel in `meta.source`
 * (`urn:longitude:channel/<channel>#<message>`), the system of a Patient's first identifier.
 * @param provenances - Provenances by the `Type/id` they target
 */
export function sourceSystemOf(resource: Resource, provenances: ReadonlyMap<string, Provenance>): string {
  const provenance = provenances.get(referenceOf(resource));
  const fromProvenance = provenance ? provenanceSource(provenance) : undefined;
  if (fromProvenance) return fromProvenance;
  const metaSource = resource.meta?.source;
  if (metaSource) {
    const channel = /^urn:longitude:channel\/([^#]+)/.exec(metaSource)?.[1];
    return channel ? decodeURIComponent(channel) : metaSource;
  }
  if (resource.resourceType === 'Patient') {
    const system = resource.identifier?.find((i) => i.system)?.system;
    if (system) return system;
  }
  return 'unknown';
}

/** Provenances keyed by the inbound message they record (entity `urn:longitude:message-store|<id>`). */
export function provenancesByMessage(provenances: readonly Provenance[]): Map<string, Provenance> {
  const byMessage = new Map<string, Provenance>();
  for (const provenance of provenances) {
    for (const entity of provenance.entity ?? []) {
      const id = entity.what.identifier;
      if (id?.system === MESSAGE_STORE_SYSTEM && id.value) byMessage.set(id.value, provenance);
    }
  }
  return byMessage;
}

/**
 * When the source asserted the stored version of a resource: `occurredDateTime` of the
 * Provenance of the message that wrote it. That message is the one `meta.source` names
 * (`urn:longitude:channel/<channel>#<message>`, stamped on every write), not the newest
 * Provenance targeting the resource: a results message whose PID has no address only ensures
 * the Patient it is about (it does not rewrite demographics), so its date says nothing about them.
 * @param byMessage - provenancesByMessage of the record's Provenances
 */
export function assertedAtOf(resource: Resource, byMessage: ReadonlyMap<string, Provenance>): string | undefined {
  const message = /^urn:longitude:channel\/[^#]+#(.+)$/.exec(resource.meta?.source ?? '')?.[1];
  return message ? byMessage.get(decodeURIComponent(message))?.occurredDateTime : undefined;
}

/** A record entry: the resource, its source system and when the source asserted it. */
export function recordEntryOf(resource: Resource, byTarget: ReadonlyMap<string, Provenance>, byMessage: ReadonlyMap<string, Provenance>): RecordEntry {
  const asserted = assertedAtOf(resource, byMessage);
  return { resource, source: sourceSystemOf(resource, byTarget), ...(asserted ? { asserted } : {}) };
}

/** Provenances keyed by each `Type/id` they target (a versioned target counts for its resource). */
export function provenancesByTarget(provenances: readonly Provenance[]): Map<string, Provenance> {
  const byTarget = new Map<string, Provenance>();
  const sorted = [...provenances].sort((a, b) => (a.recorded ?? '').localeCompare(b.recorded ?? ''));
  for (const provenance of sorted) {
    for (const target of provenance.target ?? []) {
      const ref = target.reference?.replace(/\/_history\/.*$/, '');
      // The newest Provenance wins: the last system to write the resource is its source.
      if (ref) byTarget.set(ref, provenance);
    }
  }
  return byTarget;
}

/** Builds a record from loose resources (tests, CDS Hooks prefetch): sources from their Provenances. */
export function personRecordOf(id: string, patientIds: string[], resources: readonly Resource[]): PersonRecord {
  const provenances = resources.filter((r): r is Provenance => r.resourceType === 'Provenance');
  const byTarget = provenancesByTarget(provenances);
  const byMessage = provenancesByMessage(provenances);
  return {
    id,
    patientIds,
    entries: resources
      .filter((r) => r.resourceType !== 'Provenance' && r.resourceType !== 'DetectedIssue')
      .map((resource) => recordEntryOf(resource, byTarget, byMessage)),
  };
}
