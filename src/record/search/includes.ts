/**
 * `_include` and `_revinclude` (http://hl7.org/fhir/R4/search.html#include): the resources a
 * page of matches refers to, or that refer to it, returned beside the matches with search
 * mode `include`. Only for the page being returned, never counted in `total`, each resource
 * once (a match is never repeated as an include).
 *
 * `:iterate` (R4; `:recurse` is the STU3 name clients still send) follows a directive again
 * from the resources it included, level by level, at most `maxIncludeDepth` references away
 * from a match; a resource already returned is not followed twice, so reference cycles end.
 * Each level is one set-based statement over search_reference (forward: the frontier's own
 * rows by (id, resource_type); reverse: rows pointing at it by (target_type, target_id)).
 *
 * Every included resource goes through the access policy like a read of it would: a caller
 * never receives, and is never led on through, a resource it could not read directly.
 */
import type { Resource } from '@medplum/fhirtypes';
import { resourceTypes } from '../../fhir/index.ts';
import type { Queryable } from '../../platform/db/db.ts';
import { errorAt, type Issue } from '../../platform/errors.ts';
import type { AccessContext } from '../../trust/access-context.ts';
import { decide } from '../../trust/policy.ts';
import type { SearchParameterLookup } from './search-parameter-registry.ts';
import type { Statement } from './search-sql.ts';
import { allOf, SqlBuilder } from './sql-builder.ts';

export interface IncludeDirective {
  /** `_include` or `_revinclude` with its modifier, as written: warnings point at it. */
  name: string;
  /** The type whose reference parameter is followed; absent for `_include=*` and `_revinclude=*`. */
  sourceType?: string;
  /** The reference parameter; absent for `*` (every reference parameter of sourceType). */
  code?: string;
  /** Only references to resources of this type (`Observation:subject:Patient`). */
  targetType?: string;
  /** `:iterate` / `:recurse`: followed from included resources too. */
  iterate: boolean;
}

export interface Includes {
  includes: readonly IncludeDirective[];
  revincludes: readonly IncludeDirective[];
}

/** How many references away from a match `:iterate` may go. */
export const maxIncludeDepth = 3;
/** Included resources per search page, at most; past it the Bundle says the list is cut. */
export const maxIncluded = 1000;

/** `Type:parameter[:TargetType]`, or `Type:*` (search.html#include). */
const directivePattern = /^([A-Z][A-Za-z]+):([A-Za-z][A-Za-z0-9_-]*|\*)(?::([A-Z][A-Za-z]+))?$/;

export function isIncludeParameter(name: string): boolean {
  const [base] = name.split(':');
  return base === '_include' || base === '_revinclude';
}

/**
 * One `_include` / `_revinclude` parameter. Malformed values are 400 whatever the handling;
 * a type or parameter we do not know is `unusable` (refused under strict handling, a warning
 * under lenient). Undefined: an empty value, ignored.
 */
export function parseIncludeParameter(
  name: string,
  value: string,
  lookup: SearchParameterLookup,
): IncludeDirective | { unusable: string } | undefined {
  const [base, modifier, ...extra] = name.split(':');
  const reverse = base === '_revinclude';
  if (extra.length > 0 || (modifier !== undefined && modifier !== 'iterate' && modifier !== 'recurse')) {
    throw errorAt('LNG_BAD_REQUEST', `${name}: the modifiers of ${base} are :iterate and :recurse`, name);
  }
  if (value === '') return undefined;
  const iterate = modifier !== undefined;
  // `*` alone: every reference parameter of every type, followed out of the matches
  // (`_include`) or into them (`_revinclude`: everything that refers to a match).
  if (value === '*') return { name, iterate };
  const match = directivePattern.exec(value);
  if (!match) {
    const example = reverse ? 'Provenance:target' : 'Observation:patient or *';
    throw errorAt('LNG_BAD_REQUEST', `${name} takes SourceType:parameter or SourceType:parameter:TargetType, e.g. ${example}`, name);
  }
  const [, sourceType = '', code = '', targetType] = match;
  const known = resourceTypes();
  if (!known.has(sourceType)) return { unusable: `${name}: unknown resource type ${sourceType}` };
  const param = code === '*' ? undefined : lookup.parametersOf(sourceType).get(code);
  if (code !== '*' && param?.type !== 'reference') return { unusable: `${name}: ${code} is not a reference parameter of ${sourceType}` };
  const targets = param?.targets ?? [];
  if (targetType !== undefined && (!known.has(targetType) || (targets.length > 0 && !targets.includes(targetType)))) {
    return { unusable: `${name}: ${sourceType}:${code} does not refer to ${targetType}` };
  }
  return { name, sourceType, ...(code !== '*' ? { code } : {}), ...(targetType !== undefined ? { targetType } : {}), iterate };
}

interface ResourceKey {
  resourceType: string;
  id: string;
}

const keyOf = (k: ResourceKey) => `${k.resourceType}/${k.id}`;

/**
 * The resources the directives reach from `matches` that the caller may read, in levels, with
 * a warning when `limit` cut them short. `matches` are the page as returned (already passed
 * by the policy).
 */
export async function findIncludedResources(
  db: Queryable,
  ctx: AccessContext,
  directives: Includes,
  matches: readonly Resource[],
  limit = maxIncluded,
): Promise<{ resources: Resource[]; warnings: Issue[] }> {
  const seen = new Map<string, ResourceKey>();
  for (const m of matches) if (m.id) seen.set(keyOf({ resourceType: m.resourceType, id: m.id }), { resourceType: m.resourceType, id: m.id });
  let frontier = [...seen.values()];
  const included: Resource[] = [];
  let fetched = 0;
  for (let depth = 1; depth <= maxIncludeDepth && frontier.length > 0; depth++) {
    // search.html#include: without :iterate a directive applies to the matches only.
    const level = {
      includes: directives.includes.filter((d) => depth === 1 || d.iterate),
      revincludes: directives.revincludes.filter((d) => depth === 1 || d.iterate),
    };
    if (level.includes.length + level.revincludes.length === 0) break;
    const remaining = limit - fetched;
    const statement = includeStatement(level, frontier, [...seen.values()], remaining + 1);
    const { rows } = await db.query<{ resource_type: string; id: string; content: Resource }>(statement.text, statement.values);
    const cut = rows.length > remaining;
    frontier = [];
    for (const row of rows.slice(0, remaining)) {
      const key = { resourceType: row.resource_type, id: row.id };
      seen.set(keyOf(key), key);
      fetched++;
      // A resource the caller may not read is neither returned nor followed further.
      if (!decide(ctx, 'read', row.resource_type, row.content).allowed) continue;
      included.push(row.content);
      frontier.push(key);
    }
    if (cut) {
      const [first] = [...directives.includes, ...directives.revincludes];
      return {
        resources: included,
        warnings: [{
          severity: 'warning',
          code: 'too-costly',
          diagnostics: `more than ${limit} resources to include; the rest were left out (ask for a smaller _count)`,
          expression: [first?.name ?? '_include'],
        }],
      };
    }
  }
  return { resources: included, warnings: [] };
}

/**
 * One level: the live resources the directives reach from `frontier`, minus those already
 * `seen`, in a stable order (type, id), at most `limit`.
 */
export function includeStatement(level: Includes, frontier: readonly ResourceKey[], seen: readonly ResourceKey[], limit: number): Statement {
  const b = new SqlBuilder();
  const frontierTypes = b.param(frontier.map((k) => k.resourceType), 'text[]');
  const frontierIds = b.param(frontier.map((k) => k.id), 'text[]');
  const forward = level.includes.map(
    (d) => `select x.target_type as resource_type, x.target_id as id
        from frontier f join search_reference x on x.id = f.id and x.resource_type = f.resource_type
       where ${allOf([
         ...(d.sourceType ? [`f.resource_type = ${b.param(d.sourceType)}`] : []),
         ...(d.code ? [`x.code = ${b.param(d.code)}`] : []),
         d.targetType ? `x.target_type = ${b.param(d.targetType)}` : 'x.target_type is not null',
       ])}`,
  );
  const reverse = level.revincludes.map(
    (d) => `select x.resource_type, x.id
        from frontier f join search_reference x on x.target_type = f.resource_type and x.target_id = f.id
       where ${allOf([
         ...(d.sourceType ? [`x.resource_type = ${b.param(d.sourceType)}`] : []),
         ...(d.code ? [`x.code = ${b.param(d.code)}`] : []),
         ...(d.targetType ? [`f.resource_type = ${b.param(d.targetType)}`] : []),
       ])}`,
  );
  const text = `with frontier as (select * from unnest(${frontierTypes}, ${frontierIds}) as u(resource_type, id)),
       seen as (select * from unnest(${b.param(seen.map((k) => k.resourceType), 'text[]')}, ${b.param(seen.map((k) => k.id), 'text[]')}) as u(resource_type, id)),
       reached as (${[...forward, ...reverse].join('\n      union\n      ')})
  select t.resource_type, t.id, t.content
    from (select distinct resource_type, id from reached) k join resource t on t.resource_type = k.resource_type and t.id = k.id
   where not t.deleted
     and not exists (select 1 from seen s where s.resource_type = t.resource_type and s.id = t.id)
   order by t.resource_type, t.id
   limit ${b.param(limit)}`;
  return { text, values: b.values };
}
