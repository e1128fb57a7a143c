/**
 * A person's longitudinal record as the signal kinds see it: every resource in the Patient
 * compartments of the person's source Patients, each with the source system it came from.
 *
 * A person is a set of source Patient ids. Today that is one Patient; when identity's golden
 * record is ready it will be the golden person's linked source Patients, and nothing below
 * changes (docs/signals.md, "The person").
 */
import type { Provenance, Resource } from '@medplum/fhirtypes';
import type { Evidence } from './signal.ts';

export interface RecordEntry<T extends Resource = Resource> {
  resource: T;
  /** The source system (silo) the resource came from; `unknown` when nothing says. */
  source: string;
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
  const provenances = provenancesByTarget(resources.filter((r): r is Provenance => r.resourceType === 'Provenance'));
  return {
    id,
    patientIds,
    entries: resources
      .filter((r) => r.resourceType !== 'Provenance' && r.resourceType !== 'DetectedIssue')
      .map((resource) => ({ resource, source: sourceSystemOf(resource, provenances) })),
  };
}
