/**
 * Loads a PersonRecord from the store: every resource in the compartments of the person's
 * source Patients (Patient $everything, so the read is decided by the policy and audited),
 * and the Provenances that name where each came from.
 */
import type { Provenance, Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../../platform/db/db.ts';
import { LongitudeError } from '../../platform/errors.ts';
import { patientEverything } from '../../record/patient-everything.ts';
import type { ResourceStore } from '../../record/resource-store.ts';
import type { AccessContext } from '../../trust/access-context.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import { decide } from '../../trust/policy.ts';
import { provenancesByMessage, provenancesByTarget, recordEntryOf, type PersonRecord } from './person-record.ts';

export interface RecordDeps {
  db: Queryable;
  store: ResourceStore;
  audit: AuditLog;
}

/** Signals are not part of the record they are computed from (that would loop). */
export const leftOutOfRecord: ReadonlySet<string> = new Set(['DetectedIssue', 'AuditEvent']);
const pageSize = 1000;

/**
 * @param personId - the person's id (today the first Patient id; later the golden id)
 * @param patientIds - the source Patients whose compartments make up the record
 */
export async function loadPersonRecord(deps: RecordDeps, ctx: AccessContext, personId: string, patientIds: readonly string[]): Promise<PersonRecord> {
  if (patientIds.length === 0) throw new LongitudeError('LNG_BAD_REQUEST', `person ${personId} has no source Patient`);
  const resources = new Map<string, Resource>();
  for (const patientId of patientIds) {
    let after: { resourceType: string; id: string } | undefined;
    do {
      const page = await patientEverything(deps, ctx, patientId, { count: pageSize, ...(after ? { after } : {}) });
      for (const r of page.resources) if (!leftOutOfRecord.has(r.resourceType)) resources.set(`${r.resourceType}/${r.id}`, r);
      after = page.next;
    } while (after);
  }
  const provenances = await provenancesTargeting(deps.db, ctx, [...resources.keys()]);
  for (const p of provenances) resources.delete(`Provenance/${p.id}`);
  const all = [...provenances, ...[...resources.values()].filter((r): r is Provenance => r.resourceType === 'Provenance')];
  const byTarget = provenancesByTarget(all);
  const byMessage = provenancesByMessage(all);
  return {
    id: personId,
    patientIds: [...patientIds],
    entries: [...resources.values()]
      .filter((r) => r.resourceType !== 'Provenance')
      .map((resource) => recordEntryOf(resource, byTarget, byMessage)),
  };
}

/**
 * The Provenances whose target is one of the references, through the search index. The
 * compartment read above was audited; these say only where each resource came from.
 */
export async function provenancesTargeting(db: Queryable, ctx: AccessContext, references: string[]): Promise<Provenance[]> {
  const seen = new Set<string>();
  return (await provenanceTargets(db, ctx, references)).map((t) => t.provenance).filter((p) => !seen.has(p.id!) && seen.add(p.id!));
}

/** Each (Provenance, `Type/id` it targets) pair for these references, through the search index. */
export async function provenanceTargets(db: Queryable, ctx: AccessContext, references: string[]): Promise<{ target: string; provenance: Provenance }[]> {
  if (references.length === 0 || !decide(ctx, 'read', 'Provenance').allowed) return [];
  const types = references.map((r) => r.slice(0, r.indexOf('/')));
  const ids = references.map((r) => r.slice(r.indexOf('/') + 1));
  const { rows } = await db.query<{ target_type: string; target_id: string; content: Provenance }>(
    `select x.target_type, x.target_id, r.content
       from search_reference x
       join unnest($1::text[], $2::text[]) as t(target_type, target_id)
         on t.target_type = x.target_type and t.target_id = x.target_id
       join resource r on r.resource_type = 'Provenance' and r.id = x.id and not r.deleted
      where x.resource_type = 'Provenance' and x.code = 'target'
      order by r.id`,
    [types, ids],
  );
  const seen = new Set<string>();
  return rows
    .map((r) => ({ target: `${r.target_type}/${r.target_id}`, provenance: r.content }))
    .filter((t) => !seen.has(`${t.provenance.id}|${t.target}`) && seen.add(`${t.provenance.id}|${t.target}`));
}
