/**
 * Assembles the statements of one search: the page (with one extra row to know whether
 * another page follows) and, when asked, the count. Both read `resource` r for the type,
 * skip tombstones, and apply the filters and the member's compartment.
 */
import { filterCondition } from './filter-sql.ts';
import { patientCompartmentParameters } from './search-parameters.ts';
import type { SearchRequest } from './search-request.ts';
import { cursorCondition, orderBy, sortExpression, type Cursor } from './sort-keys.ts';
import { SqlBuilder } from './sql-builder.ts';

export interface Statement {
  text: string;
  values: unknown[];
}

/** `personId` restricts the search to that Patient's compartment (a member's own record). */
export interface SearchScope {
  personId?: string;
}

function whereClause(b: SqlBuilder, request: SearchRequest, scope: SearchScope): string[] {
  const conditions = [`r.resource_type = ${b.param(request.resourceType)}`, 'not r.deleted'];
  for (const filter of request.filters) conditions.push(filterCondition(b, filter));
  if (scope.personId !== undefined) conditions.push(compartmentCondition(b, request.resourceType, scope.personId));
  return conditions;
}

/**
 * The Patient compartment in SQL (http://hl7.org/fhir/R4/compartmentdefinition-patient.html):
 * the Patient itself, or a resource whose compartment parameters reference it.
 */
function compartmentCondition(b: SqlBuilder, resourceType: string, personId: string): string {
  if (resourceType === 'Patient') return `r.id = ${b.param(personId)}`;
  const codes = patientCompartmentParameters(resourceType);
  if (codes.length === 0) return 'false';
  return `exists (select 1 from search_reference x where x.resource_type = r.resource_type and x.id = r.id
    and x.code = any(${b.param(codes, 'text[]')}) and x.target_id = ${b.param(personId)} and x.target_type = 'Patient')`;
}

export function pageStatement(request: SearchRequest, scope: SearchScope, cursor: Cursor | undefined): Statement {
  const b = new SqlBuilder();
  const keys = request.sort.map((key) => sortExpression(b, key));
  const conditions = whereClause(b, request, scope);
  if (cursor) conditions.push(cursorCondition(b, keys, cursor));
  const keyColumns = keys.map((k, i) => `, (${k.sql})::text as k${i}`).join('');
  const text = `select r.id, r.content${keyColumns}
    from resource r
   where ${conditions.join('\n     and ')}
   order by ${orderBy(keys, cursor?.direction ?? 'next')}
   limit ${b.param(request.count + 1)}`;
  return { text, values: b.values };
}

export function countStatement(request: SearchRequest, scope: SearchScope): Statement {
  const b = new SqlBuilder();
  const text = `select count(*)::int as total from resource r where ${whereClause(b, request, scope).join(' and ')}`;
  return { text, values: b.values };
}
