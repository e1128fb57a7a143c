/**
 * Filters that test other resources than the searched one, as nested EXISTS joins through
 * search_reference:
 * - a chain, `subject:Patient.name=peter` (http://hl7.org/fhir/R4/search.html#chaining),
 *   follows the searched resource's reference rows (resource_type, id, code) to their
 *   (target_type, target_id) and tests the resource found there;
 * - reverse chaining, `_has:Observation:patient:code=1234-5` (search.html#has), goes the other
 *   way: an Observation's `patient` row points at the searched resource, and the Observation
 *   is tested;
 * - `_list=L` (search.html#list) asks List L's `item` rows to point at the searched resource.
 *
 * The resource a link reaches is read from `resource` under the alias `r`, shadowing the outer
 * `r` inside its own subquery, so the test on it is the ordinary filterCondition: any filter,
 * another link included (links nest to any depth). Reading `resource` keeps deleted targets
 * out, gives `_id` and `:missing` their meaning on the target, and lets a member's search
 * reach only resources of their own compartment, as the outer search does.
 */
import { unescapeValue } from './search-values.ts';
import { filterCondition } from './filter-sql.ts';
import type { SearchFilter } from './search-request.ts';
import type { SqlBuilder } from './sql-builder.ts';

/** How a filter reaches the resources it tests (the searched resource itself when absent). */
export type FilterLink =
  /** The filter's `code` is a reference parameter of the searched type; `filter` holds on a resource it points at. */
  | { kind: 'chain'; targetTypes: string[]; filter: SearchFilter }
  /** A `sourceType` resource points at the searched one through its reference parameter `code`, and `filter` holds on it. */
  | { kind: 'has'; sourceType: string; filter: SearchFilter }
  /** The searched resource is an item of one of the Lists whose ids are the filter's values. */
  | { kind: 'list' };

/**
 * The SQL confining a row `r` of one of these types to what the caller may search (a member's
 * own compartment, search-sql.ts); absent when the search is not confined.
 */
export type Confinement = (b: SqlBuilder, resourceTypes: readonly string[]) => string;

/** The List parameter that indexes List.entry.item (http://hl7.org/fhir/R4/list.html#search). */
const listItemCode = 'item';

export function linkCondition(b: SqlBuilder, filter: SearchFilter, link: FilterLink, confine: Confinement | undefined): string {
  switch (link.kind) {
    case 'chain':
      return chainCondition(b, filter.code, link.targetTypes, link.filter, confine);
    case 'has':
      return hasCondition(b, filter.code, link.sourceType, link.filter, confine);
    case 'list':
      return listCondition(b, filter.values.map(unescapeValue), confine);
  }
}

/**
 * A reference row of `r` under `code` points at a resource of one of `targetTypes` on which
 * `inner` holds. With one target type the type is a constant on both sides of the join, so
 * the planner can start from the inner filter's value index and come back through
 * search_reference_target_idx.
 */
function chainCondition(b: SqlBuilder, code: string, targetTypes: readonly string[], inner: SearchFilter, confine: Confinement | undefined): string {
  const [only] = targetTypes;
  const single = targetTypes.length === 1 && only !== undefined ? b.param(only) : undefined;
  const targetTest = single ? `c.target_type = ${single}` : `c.target_type = any(${b.param(targetTypes, 'text[]')})`;
  const reached = reachedCondition(b, single ?? 'c.target_type', 'c.target_id', targetTypes, inner, confine);
  return `exists (select 1 from search_reference c
      where c.resource_type = r.resource_type and c.id = r.id and c.code = ${b.param(code)} and ${targetTest}
        and ${reached})`;
}

/**
 * A `sourceType` resource on which `inner` holds has a reference row under `code` pointing
 * at `r` (search_reference_target_idx from the source side, search_reference_reverse_idx
 * from `r`).
 */
function hasCondition(b: SqlBuilder, code: string, sourceType: string, inner: SearchFilter, confine: Confinement | undefined): string {
  const type = b.param(sourceType);
  const reached = reachedCondition(b, type, 'h.id', [sourceType], inner, confine);
  return `exists (select 1 from search_reference h
      where h.target_type = r.resource_type and h.target_id = r.id and h.resource_type = ${type} and h.code = ${b.param(code)}
        and ${reached})`;
}

/**
 * One of the Lists has an `item` row pointing at `r`. A List that does not exist has no rows,
 * so `_list` with an unknown id matches nothing: it is a filter, not a read.
 */
function listCondition(b: SqlBuilder, listIds: readonly string[], confine: Confinement | undefined): string {
  const list = b.param('List');
  const confined = confine
    ? `\n        and exists (select 1 from resource r where r.resource_type = ${list} and r.id = l.id and not r.deleted and ${confine(b, ['List'])})`
    : '';
  return `exists (select 1 from search_reference l
      where l.resource_type = ${list} and l.code = ${b.param(listItemCode)} and l.id = any(${b.param(listIds, 'text[]')})
        and l.target_type = r.resource_type and l.target_id = r.id${confined})`;
}

/**
 * The resource at (typeSql, idSql) is live, within the caller's reach, and `inner` holds on
 * it; `r` names it inside the subquery.
 */
function reachedCondition(
  b: SqlBuilder,
  typeSql: string,
  idSql: string,
  types: readonly string[],
  inner: SearchFilter,
  confine: Confinement | undefined,
): string {
  const conditions = [`r.resource_type = ${typeSql}`, `r.id = ${idSql}`, 'not r.deleted'];
  if (confine) conditions.push(confine(b, types));
  conditions.push(filterCondition(b, inner, confine));
  return `exists (select 1 from resource r where ${conditions.join(' and ')})`;
}

/** Every resource type a filter reaches beyond the searched one: the caller must be allowed to search each. */
export function linkedResourceTypes(filters: readonly SearchFilter[]): string[] {
  const types = new Set<string>();
  const visit = (filter: SearchFilter): void => {
    const link = filter.link;
    if (!link) return;
    switch (link.kind) {
      case 'chain':
        for (const type of link.targetTypes) types.add(type);
        visit(link.filter);
        return;
      case 'has':
        types.add(link.sourceType);
        visit(link.filter);
        return;
      case 'list':
        types.add('List');
        return;
    }
  };
  filters.forEach(visit);
  return [...types];
}

/** The filters links apply to the resources they reach, at every depth (their ValueSets are expanded too). */
export function linkedFilters(filters: readonly SearchFilter[]): SearchFilter[] {
  return filters.flatMap((filter) => {
    const link = filter.link;
    if (!link || link.kind === 'list') return [];
    return [link.filter, ...linkedFilters([link.filter])];
  });
}
