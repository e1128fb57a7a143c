/**
 * FHIR search on the record (http://hl7.org/fhir/R4/search.html), transport-free: a query in,
 * matching resources and paging cursors out. Like every read of the record it is decided by
 * the policy and audited once, whatever its outcome; a member's search is confined to their
 * own Patient compartment in SQL, and each result is still checked with the policy.
 */
import type { Resource } from '@medplum/fhirtypes';
import { resourceTypes } from '../../fhir/index.ts';
import type { Queryable } from '../../platform/db/db.ts';
import { LongitudeError, type Issue } from '../../platform/errors.ts';
import { requireAccessContext, type AccessContext } from '../../trust/access-context.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import { decide, isScopedToOwnRecord } from '../../trust/policy.ts';
import { selectElements } from './elements.ts';
import { countStatement, pageStatement, type SearchScope } from './search-sql.ts';
import { parseSearchRequest, type SearchRequest } from './search-request.ts';
import { decodeCursor, encodeCursor, type Cursor } from './sort-keys.ts';

export interface SearchOptions {
  /** `Prefer: handling=strict`: unknown parameters are errors rather than warnings. */
  strict?: boolean;
}

export interface SearchResult {
  request: SearchRequest;
  resources: Resource[];
  /** Present when `_total=accurate|estimate` or `_summary=count` asked for it. */
  total?: number;
  /** Opaque `_cursor` values of the neighbouring pages. */
  next?: string;
  previous?: string;
  /** Parameters ignored under lenient handling. */
  warnings: Issue[];
}

type Query = Iterable<readonly [string, string]>;

export class SearchService {
  private readonly knownTypes = resourceTypes();

  constructor(private readonly deps: { db: Queryable; audit: AuditLog }) {}

  /** Searches one resource type; `query` is the request's parameters in order, repeats kept. */
  async search(ctx: AccessContext, resourceType: string, query: Query, options: SearchOptions = {}): Promise<SearchResult> {
    requireAccessContext(ctx);
    const queryText = new URLSearchParams([...query].map(([k, v]): [string, string] => [k, v])).toString();
    const entity = { resourceType, query: queryText };
    // AuditEvents live in the audit chain, not the record; they have their own search.
    if (!this.knownTypes.has(resourceType) || resourceType === 'AuditEvent') {
      await this.deps.audit.record({ ctx, interaction: 'search', outcome: 'failure', description: 'unknown resource type', entity });
      throw new LongitudeError('LNG_NOT_FOUND', `unknown resource type ${resourceType}`);
    }
    const scope = await this.authorize(ctx, resourceType, entity);
    try {
      const result = await this.run(ctx, resourceType, query, options, scope);
      await this.deps.audit.record({ ctx, interaction: 'search', outcome: 'success', entity });
      return result;
    } catch (err) {
      const description = err instanceof LongitudeError ? `refused: ${err.message}` : 'failed';
      await this.deps.audit.record({ ctx, interaction: 'search', outcome: 'failure', description, entity });
      throw err;
    }
  }

  /** Decides with the policy; a member's search is allowed but confined to their record. */
  private async authorize(ctx: AccessContext, resourceType: string, entity: { resourceType: string; query: string }): Promise<SearchScope> {
    if (isScopedToOwnRecord(ctx, 'search', resourceType)) return { personId: ctx.personId ?? '' };
    const decision = decide(ctx, 'search', resourceType);
    if (decision.allowed) return {};
    await this.deps.audit.record({ ctx, interaction: 'search', outcome: 'failure', description: `refused: ${decision.reason}`, entity });
    throw new LongitudeError('LNG_FORBIDDEN', decision.reason);
  }

  private async run(ctx: AccessContext, resourceType: string, query: Query, options: SearchOptions, scope: SearchScope): Promise<SearchResult> {
    const request = parseSearchRequest(resourceType, query, { strict: options.strict ?? false });
    const sortText = request.sort.map((k) => `${k.descending ? '-' : ''}${k.code}`).join(',');
    const cursor = request.cursor ? decodeCursor(request.cursor, sortText) : undefined;
    const wantTotal = request.summaryCount || request.total !== 'none';
    // _total=estimate is answered exactly: counting through the same indexes is cheap at our
    // sizes, and a planner estimate would need EXPLAIN parsing on both backends.
    const total = wantTotal ? await this.count(request, scope) : undefined;
    const base = { request, warnings: request.warnings, ...(total !== undefined ? { total } : {}) };
    if (request.summaryCount || request.count === 0) return { ...base, resources: [] };

    const page = pageStatement(request, scope, cursor);
    const { rows } = await this.deps.db.query<Record<string, unknown> & { id: string; content: Resource }>(page.text, page.values);
    const more = rows.length > request.count;
    const pageRows = rows.slice(0, request.count);
    if (cursor?.direction === 'previous') pageRows.reverse();
    const cursorAt = (row: (typeof pageRows)[number], direction: Cursor['direction']) =>
      encodeCursor({ direction, sort: sortText, id: row.id, values: request.sort.map((_, i) => (row[`k${i}`] as string | null) ?? null) });
    const first = pageRows[0];
    const last = pageRows.at(-1);
    // Forward: a next page exists when the extra row came back; backward: a previous one does.
    const hasNext = cursor?.direction === 'previous' ? true : more;
    const hasPrevious = cursor === undefined ? false : cursor.direction === 'previous' ? more : true;
    const resources = pageRows
      .map((row) => row.content)
      // The SQL already confines a member; the policy stays the authority on each result.
      .filter((resource) => scope.personId === undefined || decide(ctx, 'read', resourceType, resource).allowed)
      .map((resource) => (request.elements ? selectElements(resource, request.elements) : resource));
    return {
      ...base,
      resources,
      ...(hasNext && last ? { next: cursorAt(last, 'next') } : {}),
      ...(hasPrevious && first ? { previous: cursorAt(first, 'previous') } : {}),
    };
  }

  private async count(request: SearchRequest, scope: SearchScope): Promise<number> {
    const statement = countStatement(request, scope);
    const { rows } = await this.deps.db.query<{ total: number }>(statement.text, statement.values);
    return rows[0]?.total ?? 0;
  }
}
