/**
 * The golden Patient of a person, materialized through the record store: tagged golden, its
 * id the person id, `Patient.link` seealso to every source Patient (or replaced-by to the
 * survivor of a merge). Source Patients are only read. When the golden content changes, an
 * `identity.person.changed` outbox event names the changed elements and where each now comes
 * from (no values: consumers read the golden Patient).
 */
import type { Patient } from '@medplum/fhirtypes';
import { appendEvents, type NewEvent } from '../platform/outbox/events.ts';
import { LongitudeError } from '../platform/errors.ts';
import type { StoreTransaction } from '../record/resource-store.ts';
import { GOLDEN_TAG, isGoldenPatient } from './from-fhir-patient.ts';
import type { PersonStatus } from './person-store.ts';
import { changedElements, surviveGoldenRecord, type SurvivedRecord, type SurvivorSource, type SurvivorshipRules } from './survivorship.ts';

/** Identifier system of the person id on the golden Patient. */
/** A golden Patient's source Patient ids (its `seealso` links); none for any other Patient. */
export function goldenSourceIds(patient: Patient): string[] {
  if (!isGoldenPatient(patient)) return [];
  return (patient.link ?? [])
    .filter((l) => l.type === 'seealso')
    .map((l) => /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(l.other.reference ?? '')?.[1])
    .filter((id): id is string => id !== undefined);
}

export const PERSON_ID_SYSTEM = 'urn:longitude:identity:person';
export const PERSON_CHANGED_TOPIC = 'identity.person.changed';

export interface GoldenPerson {
  id: string;
  status: PersonStatus;
  replacedBy: string | null;
}

export function buildGoldenPatient(person: GoldenPerson, sources: readonly SurvivorSource[], rules: SurvivorshipRules): { patient: Patient; survived?: SurvivedRecord } {
  const meta = { tag: [{ ...GOLDEN_TAG }] };
  const personIdentifier = { system: PERSON_ID_SYSTEM, value: person.id };
  if (person.status !== 'active' || sources.length === 0) {
    return {
      patient: {
        resourceType: 'Patient', id: person.id, meta, active: false, identifier: [personIdentifier],
        ...(person.replacedBy ? { link: [{ other: { reference: `Patient/${person.replacedBy}` }, type: 'replaced-by' as const }] } : {}),
      },
    };
  }
  const survived = surviveGoldenRecord(sources, rules);
  const refs = [...sources.map((s) => s.ref)].sort();
  return {
    survived,
    patient: {
      ...survived.patient,
      id: person.id,
      meta,
      identifier: [personIdentifier, ...(survived.patient.identifier ?? [])],
      link: refs.map((ref) => ({ other: { reference: ref }, type: 'seealso' as const })),
    },
  };
}

async function readCurrent(tx: StoreTransaction, id: string): Promise<Patient | undefined> {
  try {
    return await tx.read<Patient>('Patient', id);
  } catch (err) {
    if (err instanceof LongitudeError && (err.code === 'LNG_NOT_FOUND' || err.code === 'LNG_GONE')) return undefined;
    throw err;
  }
}

export interface GoldenWrite {
  personId: string;
  /** Elements whose value changed (empty when only links or nothing changed). */
  changed: string[];
  /** A new version was written. */
  written: boolean;
}

/**
 * Writes the golden Patients of these persons in the caller's store transaction, with their
 * change events. `isNew` says the person was created in this unit of work (a fresh id), so
 * there is no golden record to read first.
 */
export async function writeGoldenRecords(
  tx: StoreTransaction,
  persons: readonly { person: GoldenPerson; sources: readonly SurvivorSource[]; isNew?: boolean }[],
  rules: SurvivorshipRules,
): Promise<GoldenWrite[]> {
  const out: GoldenWrite[] = [];
  const events: NewEvent[] = [];
  for (const { person, sources, isNew } of persons) {
    const before = isNew ? undefined : await readCurrent(tx, person.id);
    const { patient, survived } = buildGoldenPatient(person, sources, rules);
    const result = await tx.update(patient);
    const changed = changedElements(before, patient).filter((e) => e !== 'identifier' || before !== undefined);
    out.push({ personId: person.id, changed, written: result.changed });
    if (!result.changed) continue;
    events.push({
      topic: PERSON_CHANGED_TOPIC,
      resourceType: 'Patient',
      resourceId: person.id,
      versionId: Number(result.resource.meta?.versionId ?? 0),
      payload: {
        personId: person.id,
        status: person.status,
        ...(person.replacedBy ? { replacedBy: person.replacedBy } : {}),
        created: before === undefined,
        changed,
        sources: (patient.link ?? []).map((l) => l.other.reference),
        provenance: Object.fromEntries(changed.map((e) => [e, survived?.provenance[e as keyof SurvivedRecord['provenance']] ?? null])),
      },
    });
  }
  // Last statements of the unit of work: the commit-order lock is held only from here.
  if (events.length > 0) await tx.alongside((q) => appendEvents(q, events));
  return out;
}
