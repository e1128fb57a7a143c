/**
 * Patient/[id]/$everything (http://hl7.org/fhir/R4/patient-operation-everything.html): the
 * Patient and every resource in its compartment, found through the search index's reference
 * rows (the CompartmentDefinition's parameters), filtered by `_since` and `_type`, and paged
 * by (type, id) keyset so a long record is served in pages that stay correct while it grows.
 * For a golden Patient, the compartments of the source Patients it links too: the longitudinal
 * record across silos, what a care manager asks $everything of a person for.
 */
import type { Patient, Resource } from '@medplum/fhirtypes';
import { resourceTypes } from '../fhir/index.ts';
import type { Queryable } from '../platform/db/db.ts';
import { errorAt } from '../platform/errors.ts';
import type { AccessContext } from '../trust/access-context.ts';
import type { AuditLog } from '../trust/audit/audit-log.ts';
import { decide, isScopedToOwnRecord } from '../trust/policy.ts';
import type { ResourceStore } from './resource-store.ts';
import { patientCompartmentParameters } from './search/search-parameters.ts';
import type { StoredJson } from './search/searchset-bundle.ts';

export interface EverythingOptions {
  /**
   * The other Patients whose records belong to this one's (a golden Patient's source records):
   * given the Patient read, the ids to include. Plugged in by the composition root, so the
   * record layer does not know who decides it (identity does).
   */
  linkedPatients?: (patient: Patient) => readonly string[];
  since?: Date;
  types?: readonly string[];
  count: number;
  /** The last (type, id) of the previous page. */
  after?: { resourceType: string; id: string };
}

export interface EverythingPage {
  resources: Resource[];
  next?: { resourceType: string; id: string };
}

export interface EverythingJsonPage {
  entries: StoredJson[];
  next?: { resourceType: string; id: string };
}

export interface CompartmentLinks {
  types: string[];
  codes: string[];
}

let links: CompartmentLinks | undefined;

/** (type, parameter) pairs that place a resource in a Patient compartment (CompartmentDefinition). */
export function compartmentLinks(): CompartmentLinks {
  if (!links) {
    links = { types: [], codes: [] };
    for (const type of resourceTypes()) {
      for (const code of patientCompartmentParameters(type)) {
        links.types.push(type);
        links.codes.push(code);
      }
    }
  }
  return links;
}

export async function patientEverything(
  deps: { db: Queryable; store: ResourceStore; audit: AuditLog },
  ctx: AccessContext,
  patientId: string,
  options: EverythingOptions,
): Promise<EverythingPage> {
  const { entries, next } = await patientEverythingJson(deps, ctx, patientId, options);
  return { resources: entries.map((e) => JSON.parse(e.json) as Resource), ...(next ? { next } : {}) };
}

/**
 * $everything as stored JSON text, for the HTTP answer: the largest Synthea record (1,141
 * resources, 1.2 MB) cost 15-25 ms of JSON.parse (node-pg, jsonb) plus JSON.stringify
 * (fastify) per page, against about 2 ms to splice the stored text into the Bundle.
 */
export async function patientEverythingJson(
  deps: { db: Queryable; store: ResourceStore; audit: AuditLog },
  ctx: AccessContext,
  patientId: string,
  options: EverythingOptions,
): Promise<EverythingJsonPage> {
  // Reading the Patient decides access to the record as a whole (and answers 404/410).
  const patient = await deps.store.read<Patient>(ctx, 'Patient', patientId);
  const patientIds = [patientId, ...(options.linkedPatients?.(patient) ?? []).filter((id) => id !== patientId)];
  const known = new Set(['Patient', ...compartmentLinks().types]);
  const unknown = options.types?.find((t) => !known.has(t));
  if (unknown) throw errorAt('LNG_BAD_REQUEST', `_type: ${unknown} has no place in a Patient's record`, '_type');
  // Types the caller may not read are left out, not refused: a service agent's $everything is
  // the administrative part of the record.
  const types = [...(options.types ?? known)].filter((t) => decide(ctx, 'read', t).allowed || ctx.personId === patientId);
  const statement = everythingStatement(patientIds, types, options);
  const { rows } = await deps.db.query<{ resource_type: string; id: string; json: string }>(statement.text, statement.values);
  const page = rows.slice(0, options.count);
  await deps.audit.record({
    ctx,
    interaction: 'search',
    outcome: 'success',
    description: 'Patient $everything',
    entity: { reference: `Patient/${patientId}`, resourceType: 'Patient', query: `$everything${options.types ? `?_type=${options.types.join(',')}` : ''}` },
  });
  const last = page.at(-1);
  return {
    entries: page.map((r) => ({ resourceType: r.resource_type, id: r.id, json: r.json })).filter((entry) => mayRead(ctx, entry)),
    ...(rows.length > options.count && last ? { next: { resourceType: last.resource_type, id: last.id } } : {}),
  };
}

/**
 * The policy stays the authority on each resource. Only a grant limited to the caller's own
 * record (a member) depends on the resource's content, so only then is the text parsed.
 */
function mayRead(ctx: AccessContext, entry: StoredJson): boolean {
  if (!isScopedToOwnRecord(ctx, 'read', entry.resourceType)) return decide(ctx, 'read', entry.resourceType).allowed;
  return decide(ctx, 'read', entry.resourceType, JSON.parse(entry.json) as Resource).allowed;
}

/**
 * One page of the compartment, in (type, id) order. The page boundary is tested on the
 * members' (type, id), before any resource row is read: as a row comparison on `resource`
 * (`(r.resource_type, r.id) > ($6, $7)`) it became a range condition of every primary-key
 * probe: the second page of the largest Synthea record (1,141 resources, `_count=1000`) took
 * 925-1,431 ms on PostgreSQL 15 (EXPLAIN ANALYZE, 114,226 buffers) and 56 ms on PGlite;
 * tested on the members, 2.5 ms and 4.1 ms (672 buffers).
 */
function everythingStatement(patientIds: readonly string[], types: readonly string[], options: EverythingOptions): { text: string; values: unknown[] } {
  return {
    text: `with members as (
       select x.resource_type, x.id
         from search_reference x
         join unnest($2::text[], $3::text[]) as c(t, code) on c.t = x.resource_type and c.code = x.code
        where x.target_type = 'Patient' and x.target_id = any($1::text[])
       union
       select 'Patient', unnest($1::text[])
     )
     select r.resource_type, r.id, r.content::text as json
       from members m
       join resource r on r.resource_type = m.resource_type and r.id = m.id
      where not r.deleted
        and m.resource_type = any($4::text[])
        and ($5::timestamptz is null or r.last_updated >= $5)
        and ($6::text is null or m.resource_type > $6 or (m.resource_type = $6 and m.id > $7))
      order by m.resource_type, m.id
      limit $8`,
    values: [
      patientIds,
      compartmentLinks().types,
      compartmentLinks().codes,
      types,
      options.since?.toISOString() ?? null,
      options.after?.resourceType ?? null,
      options.after?.id ?? null,
      options.count + 1,
    ],
  };
}
