/**
 * The searchset Bundle of one search result (http://hl7.org/fhir/R4/bundle.html#searchset,
 * http://hl7.org/fhir/R4/search.html#conformance): matches with their full URLs, then the
 * `_include` / `_revinclude` results with search mode `include`, the page links as absolute
 * URLs that repeat the query (includes too) with a cursor, and ignored parameters as an
 * OperationOutcome entry with search mode `outcome`.
 */
import type { Bundle, BundleEntry, BundleLink } from '@medplum/fhirtypes';
import type { SearchResult } from './search-service.ts';

export function buildSearchBundle(
  result: SearchResult,
  /** `resourceType` absent: a system-level search, whose links are on the base itself. */
  options: { baseUrl: string; resourceType?: string; query: Iterable<readonly [string, string]> },
): Bundle {
  const kept = [...options.query].filter(([name]) => name !== '_cursor');
  const link = (relation: string, cursor?: string): BundleLink => {
    const params = new URLSearchParams(kept.map(([k, v]): [string, string] => [k, v]));
    if (cursor) params.append('_cursor', cursor);
    const search = params.toString();
    const path = options.resourceType ? `${options.baseUrl}/${options.resourceType}` : options.baseUrl;
    return { relation, url: `${path}${search ? `?${search}` : ''}` };
  };
  const selfCursor = result.request.cursor;
  const entry: BundleEntry[] = result.resources.map((resource) => ({
    fullUrl: `${options.baseUrl}/${resource.resourceType}/${resource.id}`,
    resource,
    search: { mode: 'match' },
  }));
  // search.html#include: included resources follow the matches, marked so clients tell them apart.
  for (const resource of result.included) {
    entry.push({ fullUrl: `${options.baseUrl}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'include' } });
  }
  if (result.warnings.length > 0) {
    entry.push({
      resource: {
        resourceType: 'OperationOutcome',
        issue: result.warnings.map((w) => ({ severity: w.severity, code: w.code, diagnostics: w.diagnostics, ...(w.expression ? { expression: w.expression } : {}) })),
      },
      search: { mode: 'outcome' },
    });
  }
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(result.total !== undefined ? { total: result.total } : {}),
    link: [
      link('self', selfCursor),
      ...(result.next ? [link('next', result.next)] : []),
      ...(result.previous ? [link('previous', result.previous)] : []),
    ],
    ...(entry.length > 0 ? { entry } : {}),
  };
}
