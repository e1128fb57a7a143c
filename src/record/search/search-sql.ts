/**
 * Assembles the statements of one search: the page (with one extra row to know whether
 * another page follows; each resource as its stored JSON text, `json`) and, when asked, the
 * count. Both apply the filters and the member's compartment over rows `r` of the type and
 * skip tombstones; a page is read from `resource` or driven from one filter's index rows.
 *
 * The cost of shared index tables (migration 0004), measured on PostgreSQL 15 with 20
 * Synthea patients (7,127 resources, 3,064 Observations), `Observation?patient=X&code=
 * http://loinc.org|8302-2&date=ge2010`: 6.1-7.1 ms per query here (about 2 ms of it planning
 * three semi-joins) against 0.5-0.9 ms for a per-type table with one row per Observation
 * and a column per parameter (btree on patient, GIN on code) answering the same query. The
 * per-type layout is ~8x faster on multi-parameter searches; the shared one needs no DDL per
 * parameter (custom SearchParameters, $reindex) and gives chaining and _include one
 * reference table to join. If searches become the bottleneck, hot types can get per-type
 * tables beside the shared ones without changing this interface.
 */
import type { Confinement } from './chain-sql.ts';
import { filterCandidates, filterCondition, isDrivable } from './filter-sql.ts';
import { patientCompartmentParameters } from './search-parameters.ts';
import type { SearchFilter, SearchRequest } from './search-request.ts';
import { cursorCondition, orderBy, sortExpression, type Cursor } from './sort-keys.ts';
import { allOf, anyOf, SqlBuilder } from './sql-builder.ts';

export interface Statement {
  text: string;
  values: unknown[];
}

/** `personId` restricts the search to that Patient's compartment (a member's own record). */
export interface SearchScope {
  personId?: string;
}

function whereClause(b: SqlBuilder, request: SearchRequest, scope: SearchScope): string[] {
  const types = request.resourceTypes;
  // One type as an equality, so the planner carries the constant into every index probe.
  const typeCondition = types.length === 1 ? `r.resource_type = ${b.param(types[0])}` : `r.resource_type = any(${b.param(types, 'text[]')})`;
  return [typeCondition, 'not r.deleted', ...filterConditions(b, request, scope)];
}

/** The filters (but `skip`, the one a driven search starts from) and a member's compartment, over `r`. */
function filterConditions(b: SqlBuilder, request: SearchRequest, scope: SearchScope, skip?: SearchFilter): string[] {
  const confine = scope.personId !== undefined ? compartmentOf(scope.personId) : undefined;
  // A chain, _has or _list reaches other resources: they are confined like the searched ones.
  const conditions = request.filters.filter((filter) => filter !== skip).map((filter) => filterCondition(b, filter, confine));
  if (confine) conditions.push(confine(b, request.resourceTypes));
  return conditions;
}

/** A member's compartment over the row `r`, whichever of the types it has. */
function compartmentOf(personId: string): Confinement {
  return (b, types) => {
    const perType = types.map((type) => compartmentCondition(b, type, personId));
    return types.length === 1 ? perType[0]! : anyOf(types.map((type, i) => `(r.resource_type = ${b.param(type)} and ${perType[i]})`));
  };
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

/** @param b - a builder already holding parameters (several searches in one statement), else a new one. */
export function pageStatement(request: SearchRequest, scope: SearchScope, cursor: Cursor | undefined, b = new SqlBuilder()): Statement {
  const driver = drivingFilter(request);
  return driver ? drivenPageStatement(request, scope, cursor, driver, b) : scanPageStatement(request, scope, cursor, b);
}

function scanPageStatement(request: SearchRequest, scope: SearchScope, cursor: Cursor | undefined, b: SqlBuilder): Statement {
  const keys = request.sort.map((key) => sortExpression(b, key));
  const conditions = whereClause(b, request, scope);
  if (cursor) conditions.push(cursorCondition(b, keys, cursor));
  const keyColumns = keys.map((k, i) => `, (${k.sql})::text as k${i}`).join('');
  const text = `select r.resource_type, r.id, r.content::text as json${keyColumns}
    from resource r
   where ${conditions.join('\n     and ')}
   order by ${orderBy(keys, cursor?.direction ?? 'next')}
   limit ${b.param(request.count + 1)}`;
  return { text, values: b.values };
}

/**
 * Which filter a search in (type, id) order is driven from, if any: one type, no `_sort`, no
 * `_lastUpdated` (the candidates carry no resource columns), and a filter matching through its
 * own index rows. References first (a patient's rows are few among many), then tokens and
 * URIs, strings, numbers and quantities, dates last; the first written wins a tie.
 */
function drivingFilter(request: SearchRequest): SearchFilter | undefined {
  if (request.resourceTypes.length !== 1 || request.sort.length > 0) return undefined;
  if (request.filters.some((f) => f.column === 'last_updated')) return undefined;
  const rank = (f: SearchFilter) => driverRank[f.type] ?? 9;
  return request.filters.filter(isDrivable).reduce<SearchFilter | undefined>((best, f) => (best === undefined || rank(f) < rank(best) ? f : best), undefined);
}

const driverRank: Partial<Record<SearchFilter['type'], number>> = { reference: 0, token: 1, uri: 1, string: 2, number: 3, quantity: 3, date: 4 };

/**
 * A page read from one filter's index rows: every candidate is tested against the other
 * filters, the matches sorted by id (one type, so the (type, id) order is the id order), and
 * only the page's `resource` rows are read. The work is bounded by the driving filter's rows
 * (a patient's Observations), whatever the statistics say.
 *
 * Scanning `resource` instead read and sorted every match with its content, or walked the
 * whole primary key hoping to meet a page of matches early, a bet lost for a patient with few
 * of them. `Observation?patient=X&category=laboratory` for the largest Synthea patient (810
 * Observations, 599 laboratory), EXPLAIN ANALYZE on PostgreSQL 15: 6,666 buffers and 20-45 ms
 * before, 3,510 buffers and 4-10 ms after. Deleted resources have no index rows (the indexer
 * removes them), so every candidate is live.
 */
function drivenPageStatement(request: SearchRequest, scope: SearchScope, cursor: Cursor | undefined, driver: SearchFilter, b: SqlBuilder): Statement {
  const type = request.resourceTypes[0]!;
  const candidates = filterCandidates(b, driver, type)!;
  const conditions = filterConditions(b, request, scope, driver);
  if (cursor) conditions.push(idCursorCondition(b, type, cursor));
  const direction = cursor?.direction === 'previous' ? 'desc' : 'asc';
  // `r.id || ''` sorts as r.id does but no index can hand it over sorted: with statistics
  // from early in a load, the planner otherwise walked a whole index in id order hoping to
  // meet a page of matches soon (bench/fhir over HTTP, one connection: p50 323 ms).
  const text = `select r.resource_type, r.id, r.content::text as json
    from (select r.resource_type, r.id
            from (${candidates}) r
           where ${allOf(conditions)}
           order by r.id || '' ${direction}
           limit ${b.param(request.count + 1)}) p
    join resource r on r.resource_type = p.resource_type and r.id = p.id
   where not r.deleted
   order by p.id ${direction}`;
  return { text, values: b.values };
}

/** Rows after (next) or before (previous) the cursor's, as an id range when the cursor is of the searched type. */
function idCursorCondition(b: SqlBuilder, type: string, cursor: Cursor): string {
  if (cursor.resourceType !== type) return cursorCondition(b, [], cursor);
  return `r.id ${cursor.direction === 'next' ? '>' : '<'} ${b.param(cursor.id, 'text')}`;
}

export function countStatement(request: SearchRequest, scope: SearchScope): Statement {
  const b = new SqlBuilder();
  const text = `select count(*)::int as total from resource r where ${whereClause(b, request, scope).join(' and ')}`;
  return { text, values: b.values };
}
