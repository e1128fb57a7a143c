/**
 * FHIR search on the record (http://hl7.org/fhir/R4/search.html), transport-free: a query in,
 * matching resources and paging cursors out. Like every read of the record it is decided by
 * the policy and audited once, whatever its outcome; a member's search is confined to their
 * own Patient compartment in SQL, and each result is still checked with the policy.
 */
import type { Resource } from '@medplum/fhirtypes';
import { resourceTypes } from '../../fhir/index.ts';
import type { Queryable } from '../../platform/db/db.ts';
import { errorAt, LongitudeError, type Issue } from '../../platform/errors.ts';
import { requireAccessContext, type AccessContext } from '../../trust/access-context.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import { decide, isScopedToOwnRecord } from '../../trust/policy.ts';
import { selectElements, summarize } from './elements.ts';
import { countStatement, pageStatement, type SearchScope } from './search-sql.ts';
import { parseSearchRequest, type SearchRequest } from './search-request.ts';
import type { SearchParameterRegistry } from './search-parameter-registry.ts';
import { decodeCursor, encodeCursor, type Cursor } from './sort-keys.ts';
import { expandValueSetFilters } from './value-set-expansion.ts';
import { linkedFilters, linkedResourceTypes } from './chain-sql.ts';
import { findIncludedResources } from './includes.ts';
import type { StoredJson } from './searchset-bundle.ts';

export interface SearchOptions {
  /** `Prefer: handling=strict`: unknown parameters are errors rather than warnings. */
  strict?: boolean;
}

export interface SearchResult {
  request: SearchRequest;
  resources: Resource[];
  /** `_include` / `_revinclude` results for this page (search mode `include`), the caller may read each. */
  included: Resource[];
  /**
   * The matches as stored JSON text, in the order of `resources`, when they are served
   * unchanged (searchset-bundle.ts splices them): no member to check one by one, no
   * `_elements` or `_summary`, no `_include` or `_revinclude`.
   */
  stored?: readonly StoredJson[];
  /** Present when `_total=accurate|estimate` or `_summary=count` asked for it. */
  total?: number;
  /** Opaque `_cursor` values of the neighbouring pages. */
  next?: string;
  previous?: string;
  /** Parameters ignored under lenient handling. */
  warnings: Issue[];
}

type Query = Iterable<readonly [string, string]>;
type AuditedQuery = { resourceType: string; query: string };

function queryText(query: readonly (readonly [string, string])[]): string {
  return new URLSearchParams(query.map(([k, v]): [string, string] => [k, v])).toString();
}

export class SearchService {
  private readonly knownTypes = resourceTypes();

  /** @param deps.parameters - the hub's search parameters, custom SearchParameters included. */
  constructor(private readonly deps: { db: Queryable; audit: AuditLog; parameters: SearchParameterRegistry }) {}

  /** Searches one resource type; `query` is the request's parameters in order, repeats kept. */
  async search(ctx: AccessContext, resourceType: string, query: Query, options: SearchOptions = {}): Promise<SearchResult> {
    requireAccessContext(ctx);
    const list = [...query];
    const entity = { resourceType, query: queryText(list) };
    if (!this.isSearchable(resourceType)) {
      await this.auditFailure(ctx, entity, 'unknown resource type');
      throw new LongitudeError('LNG_NOT_FOUND', `unknown resource type ${resourceType}`);
    }
    return this.searchTypes(ctx, [resourceType], list, options, entity);
  }

  /** Every match of a search, page after page (`next` cursors): for batch work, not for HTTP. */
  async searchAll(ctx: AccessContext, resourceType: string, query: Query): Promise<Resource[]> {
    const first = [...query];
    const found: Resource[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.search(ctx, resourceType, cursor ? [...first, ['_cursor', cursor]] : first);
      found.push(...page.resources);
      cursor = page.next;
    } while (cursor);
    return found;
  }

  /**
   * A system-level search over the types listed in `_type` (http://hl7.org/fhir/R4/search.html#all);
   * only parameters all of them share may be used.
   */
  async searchSystem(ctx: AccessContext, query: Query, options: SearchOptions = {}): Promise<SearchResult> {
    requireAccessContext(ctx);
    const list = [...query];
    const types = [...new Set(list.filter(([name]) => name === '_type').flatMap(([, v]) => v.split(',')).filter((t) => t !== ''))];
    const entity = { resourceType: types.join(','), query: queryText(list) };
    const unknown = types.find((t) => !this.isSearchable(t));
    if (types.length === 0 || unknown !== undefined) {
      await this.auditFailure(ctx, entity, 'bad _type');
      const message = unknown ? `_type: unknown resource type ${unknown}` : 'a system-level search needs _type, e.g. _type=Patient,Observation';
      throw errorAt('LNG_BAD_REQUEST', message, '_type');
    }
    return this.searchTypes(ctx, types, list.filter(([name]) => name !== '_type'), options, entity);
  }

  /** AuditEvents live in the audit chain, not the record; they have their own search. */
  private isSearchable(resourceType: string): boolean {
    return this.knownTypes.has(resourceType) && resourceType !== 'AuditEvent';
  }

  private async searchTypes(ctx: AccessContext, types: string[], query: Query, options: SearchOptions, entity: AuditedQuery): Promise<SearchResult> {
    const scope = await this.authorize(ctx, types, entity);
    try {
      const result = await this.run(ctx, types, query, options, scope);
      await this.deps.audit.record({ ctx, interaction: 'search', outcome: 'success', entity });
      return result;
    } catch (err) {
      await this.auditFailure(ctx, entity, err instanceof LongitudeError ? `refused: ${err.message}` : 'failed');
      throw err;
    }
  }

  private auditFailure(ctx: AccessContext, entity: AuditedQuery, description: string): Promise<void> {
    return this.deps.audit.record({ ctx, interaction: 'search', outcome: 'failure', description, entity });
  }

  /**
   * Decides with the policy; a member's search is allowed but confined to their record. When
   * any of the types is confined, the whole search is (the stricter reading is the safe one).
   */
  private async authorize(ctx: AccessContext, types: readonly string[], entity: AuditedQuery): Promise<SearchScope> {
    let scoped = false;
    for (const type of types) {
      if (isScopedToOwnRecord(ctx, 'search', type)) {
        scoped = true;
        continue;
      }
      const decision = decide(ctx, 'search', type);
      if (decision.allowed) continue;
      await this.auditFailure(ctx, entity, `refused: ${decision.reason}`);
      throw new LongitudeError('LNG_FORBIDDEN', decision.reason);
    }
    return scoped ? { personId: ctx.personId ?? '' } : {};
  }

  private async run(ctx: AccessContext, types: string[], query: Query, options: SearchOptions, scope: SearchScope): Promise<SearchResult> {
    const request = parseSearchRequest(types, query, { strict: options.strict ?? false, parameters: await this.deps.parameters.current() });
    // :in / :not-in name stored ValueSets: expanded now, so the SQL carries their codes.
    await expandValueSetFilters(this.deps.db, request);
    await expandValueSetFilters(this.deps.db, { ...request, filters: linkedFilters(request.filters) });
    scope = this.authorizeLinkedTypes(ctx, request, scope);
    const sortText = request.sort.map((k) => `${k.descending ? '-' : ''}${k.code}`).join(',');
    const cursor = request.cursor ? decodeCursor(request.cursor, sortText) : undefined;
    const wantTotal = request.summaryCount || request.total !== 'none';
    // _total=estimate is answered exactly: counting through the same indexes is cheap at our
    // sizes, and a planner estimate would need EXPLAIN parsing on both backends.
    const total = wantTotal ? await this.count(request, scope) : undefined;
    const base = { request, warnings: request.warnings, ...(total !== undefined ? { total } : {}) };
    if (request.summaryCount || request.count === 0) return { ...base, resources: [], included: [] };

    const page = pageStatement(request, scope, cursor);
    const { rows } = await this.deps.db.query<Record<string, unknown> & { resource_type: string; id: string; json: string }>(page.text, page.values);
    const more = rows.length > request.count;
    const pageRows = rows.slice(0, request.count);
    if (cursor?.direction === 'previous') pageRows.reverse();
    const cursorAt = (row: (typeof pageRows)[number], direction: Cursor['direction']) =>
      encodeCursor({ direction, sort: sortText, resourceType: row.resource_type, id: row.id, values: request.sort.map((_, i) => (row[`k${i}`] as string | null) ?? null) });
    const first = pageRows[0];
    const last = pageRows.at(-1);
    // Forward: a next page exists when the extra row came back; backward: a previous one does.
    const hasNext = cursor?.direction === 'previous' ? true : more;
    const hasPrevious = cursor === undefined ? false : cursor.direction === 'previous' ? more : true;
    const links = { ...(hasNext && last ? { next: cursorAt(last, 'next') } : {}), ...(hasPrevious && first ? { previous: cursorAt(first, 'previous') } : {}) };
    const stored = pageRows.map((row) => ({ resourceType: row.resource_type, id: row.id, json: row.json }));
    if (servedAsStored(request, scope)) return storedResult({ ...base, included: [], ...links }, stored);
    const readable = stored
      .map((row) => JSON.parse(row.json) as Resource)
      // The SQL already confines a member; the policy stays the authority on each result.
      .filter((resource) => scope.personId === undefined || decide(ctx, 'read', resource.resourceType, resource).allowed);
    const resources = readable
      .map((resource) => (request.elements ? selectElements(resource, request.elements) : resource))
      .map((resource) => (request.summary ? summarize(resource, request.summary) : resource));
    // search.html#include: for the returned page only, each included resource decided by the policy.
    const included = await findIncludedResources(this.deps.db, ctx, request, readable);
    return {
      ...base,
      warnings: [...request.warnings, ...included.warnings],
      resources,
      included: included.resources,
      ...links,
    };
  }

  /**
   * Chains, `_has` and `_list` read other types than the searched ones: the caller must be
   * allowed to search those too (a service agent may not find Patients by their Conditions),
   * and the search is confined to a member's record when any of them is.
   */
  private authorizeLinkedTypes(ctx: AccessContext, request: SearchRequest, scope: SearchScope): SearchScope {
    let scoped = scope.personId !== undefined;
    for (const type of linkedResourceTypes(request.filters)) {
      if (isScopedToOwnRecord(ctx, 'search', type)) {
        scoped = true;
        continue;
      }
      const decision = decide(ctx, 'search', type);
      if (!decision.allowed) throw new LongitudeError('LNG_FORBIDDEN', `${decision.reason} (reached through a chained, _has or _list parameter)`);
    }
    return scoped ? { personId: ctx.personId ?? '' } : {};
  }

  private async count(request: SearchRequest, scope: SearchScope): Promise<number> {
    const statement = countStatement(request, scope);
    const { rows } = await this.deps.db.query<{ total: number }>(statement.text, statement.values);
    return rows[0]?.total ?? 0;
  }
}

/**
 * True when the page goes out exactly as stored: the policy needs no look at each resource
 * (only a member's grant depends on content), nothing trims it, and no include follows its
 * references (which needs them parsed).
 */
function servedAsStored(request: SearchRequest, scope: SearchScope): boolean {
  return scope.personId === undefined && !request.elements && !request.summary && request.includes.length === 0 && request.revincludes.length === 0;
}

/** A result whose `resources` are parsed from `stored` only if a caller reads them (the HTTP answer does not). */
function storedResult(result: Omit<SearchResult, 'resources' | 'stored'>, stored: readonly StoredJson[]): SearchResult {
  let parsed: Resource[] | undefined;
  return Object.defineProperty({ ...result, stored }, 'resources', {
    enumerable: true,
    get: () => (parsed ??= stored.map((s) => JSON.parse(s.json) as Resource)),
  }) as SearchResult;
}
