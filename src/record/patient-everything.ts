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
import { decide } from '../trust/policy.ts';
import type { ResourceStore } from './resource-store.ts';
import { patientCompartmentParameters } from './search/search-parameters.ts';

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
  // Reading the Patient decides access to the record as a whole (and answers 404/410).
  const patient = await deps.store.read<Patient>(ctx, 'Patient', patientId);
  const patientIds = [patientId, ...(options.linkedPatients?.(patient) ?? []).filter((id) => id !== patientId)];
  const known = new Set(['Patient', ...compartmentLinks().types]);
  const unknown = options.types?.find((t) => !known.has(t));
  if (unknown) throw errorAt('LNG_BAD_REQUEST', `_type: ${unknown} has no place in a Patient's record`, '_type');
  // Types the caller may not read are left out, not refused: a service agent's $everything is
  // the administrative part of the record.
  const types = [...(options.types ?? known)].filter((t) => decide(ctx, 'read', t).allowed || ctx.personId === patientId);
  const { rows } = await deps.db.query<{ resource_type: string; id: string; content: Resource }>(
    `with members as (
       select x.resource_type, x.id
         from search_reference x
         join unnest($2::text[], $3::text[]) as c(t, code) on c.t = x.resource_type and c.code = x.code
        where x.target_type = 'Patient' and x.target_id = any($1::text[])
       union
       select 'Patient', unnest($1::text[])
     )
     select r.resource_type, r.id, r.content
       from resource r
       join members m on m.resource_type = r.resource_type and m.id = r.id
      where not r.deleted
        and r.resource_type = any($4::text[])
        and ($5::timestamptz is null or r.last_updated >= $5)
        and ($6::text is null or (r.resource_type, r.id) > ($6, $7))
      order by r.resource_type, r.id
      limit $8`,
    [
      patientIds,
      compartmentLinks().types,
      compartmentLinks().codes,
      types,
      options.since?.toISOString() ?? null,
      options.after?.resourceType ?? null,
      options.after?.id ?? null,
      options.count + 1,
    ],
  );
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
    // The policy stays the authority on each resource (a member's own record, checked one by one).
    resources: page.map((r) => r.content).filter((resource) => decide(ctx, 'read', resource.resourceType, resource).allowed),
    ...(rows.length > options.count && last ? { next: { resourceType: last.resource_type, id: last.id } } : {}),
  };
}
