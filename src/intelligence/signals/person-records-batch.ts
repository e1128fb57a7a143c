/**
 * Loads the records of a page of persons at once, for a full signals run: the same resources,
 * decisions and audit entries as one `loadPersonRecord` per person (Patient read, then
 * `$everything` of each source Patient), in a few set-based statements instead of five round
 * trips and two audit commits per person. On the embedded database a statement costs about a
 * millisecond of planning whatever it returns, so per-person statements were most of a run
 * (docs/benchmarks.md, "Signals and identity at demo scale").
 */
import type { Patient, Provenance, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../../platform/db/db.ts';
import { LongitudeError } from '../../platform/errors.ts';
import type { AccessContext } from '../../trust/access-context.ts';
import type { AuditEntry } from '../../trust/audit/audit-event.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import { decide } from '../../trust/policy.ts';
import type { PersonRef } from './person-directory.ts';
import { leftOutOfRecord, provenanceTargets } from './person-record-loader.ts';
import { compartmentLinks } from '../../record/patient-everything.ts';
import { provenancesByMessage, provenancesByTarget, recordEntryOf, type PersonRecord } from './person-record.ts';

export interface BatchRecordDeps {
  db: Queryable;
  audit: AuditLog;
}

/** A person's record, or why it could not be read (the person's run fails, the others go on). */
export type LoadedRecord = { record: PersonRecord } | { error: LongitudeError };

interface PatientRow {
  id: string;
  version_id: number;
  deleted: boolean;
  content: Patient | null;
}

/** The current rows of these Patients. */
async function currentPatients(db: Queryable, ids: readonly string[]): Promise<Map<string, PatientRow>> {
  const { rows } = await db.query<PatientRow>(
    `select id, version_id, deleted, content from resource where resource_type = 'Patient' and id = any($1::text[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/** Every compartment member of these Patients (each Patient itself included), by Patient. */
async function compartmentMembers(db: Queryable, patientIds: readonly string[]): Promise<Map<string, Resource[]>> {
  const { rows } = await db.query<{ owner: string; content: Resource }>(
    `with members as (
       select x.target_id as owner, x.resource_type, x.id
         from search_reference x
         join unnest($2::text[], $3::text[]) as c(t, code) on c.t = x.resource_type and c.code = x.code
        where x.target_type = 'Patient' and x.target_id = any($1::text[])
       union
       select p, 'Patient', p from unnest($1::text[]) as p
     )
     select m.owner, r.content
       from resource r
       join members m on m.resource_type = r.resource_type and m.id = r.id
      where not r.deleted
      order by m.owner, r.resource_type, r.id`,
    [patientIds, compartmentLinks().types, compartmentLinks().codes],
  );
  const byOwner = new Map<string, Resource[]>();
  for (const row of rows) (byOwner.get(row.owner) ?? byOwner.set(row.owner, []).get(row.owner)!).push(row.content);
  return byOwner;
}

/**
 * The records of these persons. Access is decided as a Patient read and `$everything` decide
 * it (the Patient read first, then the types and each resource), and each Patient's read and
 * `$everything` are audited as they would be one by one.
 */
export async function loadPersonRecords(deps: BatchRecordDeps, ctx: AccessContext, persons: readonly PersonRef[]): Promise<Map<string, LoadedRecord>> {
  const patientIds = [...new Set(persons.flatMap((p) => p.patientIds))];
  const patients = await currentPatients(deps.db, patientIds);
  const audits: AuditEntry[] = [];
  const refused = new Map<string, LongitudeError>();
  for (const id of patientIds) {
    const error = readPatient(ctx, id, patients.get(id), audits);
    if (error) refused.set(id, error);
  }
  const readable = patientIds.filter((id) => !refused.has(id));
  const members = readable.length > 0 ? await compartmentMembers(deps.db, readable) : new Map<string, Resource[]>();
  const known = new Set(['Patient', ...compartmentLinks().types]);
  // Types the caller may not read are left out, not refused (as $everything does); a member reads all of their own.
  const readableTypes = new Set([...known].filter((t) => decide(ctx, 'read', t).allowed));
  for (const id of readable) {
    audits.push({ ctx, interaction: 'search', outcome: 'success', description: 'Patient $everything', entity: { reference: `Patient/${id}`, resourceType: 'Patient', query: '$everything' } });
  }
  // Awaited together: the audit log commits them as a group.
  await Promise.all(audits.map((entry) => deps.audit.record(entry)));

  const out = new Map<string, LoadedRecord>();
  const resourcesOf = new Map<string, Map<string, Resource>>();
  for (const person of persons) {
    if (person.patientIds.length === 0) {
      out.set(person.id, { error: new LongitudeError('LNG_BAD_REQUEST', `person ${person.id} has no source Patient`) });
      continue;
    }
    const error = person.patientIds.map((id) => refused.get(id)).find((e) => e !== undefined);
    if (error) {
      out.set(person.id, { error });
      continue;
    }
    const resources = new Map<string, Resource>();
    for (const patientId of person.patientIds) {
      const types = ctx.personId === patientId ? known : readableTypes;
      for (const r of members.get(patientId) ?? []) {
        if (!types.has(r.resourceType) || leftOutOfRecord.has(r.resourceType)) continue;
        if (!decide(ctx, 'read', r.resourceType, r).allowed) continue;
        resources.set(`${r.resourceType}/${r.id}`, r);
      }
    }
    resourcesOf.set(person.id, resources);
  }
  const allReferences = [...new Set([...resourcesOf.values()].flatMap((m) => [...m.keys()]))];
  const targets = await provenanceTargets(deps.db, ctx, allReferences);
  for (const person of persons) {
    const resources = resourcesOf.get(person.id);
    if (!resources) continue;
    // As loadPersonRecord: the Provenances naming this record's resources, by id, each once.
    const own = new Map<string, Provenance>();
    for (const t of targets) if (resources.has(t.target) && !own.has(t.provenance.id!)) own.set(t.provenance.id!, t.provenance);
    for (const id of own.keys()) resources.delete(`Provenance/${id}`);
    const inRecord = [...resources.values()];
    const all = [...own.values(), ...inRecord.filter((r): r is Provenance => r.resourceType === 'Provenance')];
    const byTarget = provenancesByTarget(all);
    const byMessage = provenancesByMessage(all);
    out.set(person.id, {
      record: {
        id: person.id,
        patientIds: [...person.patientIds],
        entries: inRecord.filter((r) => r.resourceType !== 'Provenance').map((resource) => recordEntryOf(resource, byTarget, byMessage)),
      },
    });
  }
  return out;
}

/** The Patient read that decides access to a record: the audit entry it leaves, or why it failed. */
function readPatient(ctx: AccessContext, id: string, row: PatientRow | undefined, audits: AuditEntry[]): LongitudeError | undefined {
  const reference = `Patient/${id}`;
  const decision = decide(ctx, 'read', 'Patient', row?.content ?? undefined);
  if (!decision.allowed) {
    audits.push({ ctx, interaction: 'read', outcome: 'failure', description: `refused: ${decision.reason}`, entity: { reference, resourceType: 'Patient' } });
    return new LongitudeError('LNG_FORBIDDEN', decision.reason);
  }
  if (!row) {
    audits.push({ ctx, interaction: 'read', outcome: 'failure', description: 'not found', entity: { reference, resourceType: 'Patient' } });
    return new LongitudeError('LNG_NOT_FOUND', `${reference} is not known`);
  }
  if (row.deleted || !row.content) {
    audits.push({ ctx, interaction: 'read', outcome: 'failure', description: 'deleted', entity: { reference, resourceType: 'Patient' } });
    return new LongitudeError('LNG_GONE', `${reference} was deleted`);
  }
  audits.push({ ctx, interaction: 'read', outcome: 'success', entity: { reference: `${reference}/_history/${row.version_id}`, resourceType: 'Patient' } });
  return undefined;
}
