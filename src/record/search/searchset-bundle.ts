/**
 * The searchset Bundle of one search result (http://hl7.org/fhir/R4/bundle.html#searchset,
 * http://hl7.org/fhir/R4/search.html#conformance): matches with their full URLs, then the
 * `_include` / `_revinclude` results with search mode `include`, the page links as absolute
 * URLs that repeat the query (includes too) with a cursor, and ignored parameters as an
 * OperationOutcome entry with search mode `outcome`.
 */
import type { Bundle, BundleEntry, BundleLink } from '@medplum/fhirtypes';
import type { SearchResult } from './search-service.ts';

export interface SearchBundleOptions {
  baseUrl: string;
  /** Absent: a system-level search, whose links are on the base itself. */
  resourceType?: string;
  query: Iterable<readonly [string, string]>;
}

export function buildSearchBundle(result: SearchResult, options: SearchBundleOptions): Bundle {
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
  return { ...bundleHead(result, options), ...(entry.length > 0 ? { entry } : {}) };
}

/**
 * The same searchset as JSON text, its matches spliced in as stored, when the search served
 * them so (`result.stored`: no includes, no ignored parameters); undefined otherwise. A page
 * of 20 Observations is about 25 kB of JSON: parsed by node-pg and serialized again by
 * fastify it cost 0.2-0.3 ms of CPU per search, which the splice saves.
 */
export function searchBundleText(result: SearchResult, options: SearchBundleOptions): string | undefined {
  if (!result.stored || result.included.length > 0 || result.warnings.length > 0) return undefined;
  const head = bundleHead(result, options);
  if (result.stored.length === 0) return JSON.stringify(head);
  return bundleJson(head, result.stored.map((s) => ({ fullUrl: `${options.baseUrl}/${s.resourceType}/${s.id}`, json: s.json, mode: 'match' })));
}

/** Everything but the entries: type, total and the page links (they repeat the query, includes too, with a cursor). */
function bundleHead(result: SearchResult, options: SearchBundleOptions): Omit<Bundle, 'entry'> {
  const kept = [...options.query].filter(([name]) => name !== '_cursor');
  const link = (relation: string, cursor?: string): BundleLink => {
    const params = new URLSearchParams(kept.map(([k, v]): [string, string] => [k, v]));
    if (cursor) params.append('_cursor', cursor);
    const search = params.toString();
    const path = options.resourceType ? `${options.baseUrl}/${options.resourceType}` : options.baseUrl;
    return { relation, url: `${path}${search ? `?${search}` : ''}` };
  };
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(result.total !== undefined ? { total: result.total } : {}),
    link: [
      link('self', result.request.cursor),
      ...(result.next ? [link('next', result.next)] : []),
      ...(result.previous ? [link('previous', result.previous)] : []),
    ],
  };
}

/** A stored resource as its JSON text, served without a parse and a re-serialization. */
export interface StoredJson {
  resourceType: string;
  id: string;
  json: string;
}

/** An entry whose resource is already JSON text (as stored), spliced into the Bundle as is. */
export interface JsonEntry {
  fullUrl: string;
  json: string;
  mode: 'match' | 'include';
}

/**
 * A Bundle's JSON with `entry` built from stored text rather than from parsed resources: the
 * same document (key order included) that JSON.stringify of the parsed Bundle gives, without
 * parsing every resource only to serialize it again. `bundle` carries everything but `entry`.
 */
export function bundleJson(bundle: Omit<Bundle, 'entry'>, entries: readonly JsonEntry[]): string {
  const head = JSON.stringify(bundle);
  const entryJson = entries.map((e) => `{"fullUrl":${JSON.stringify(e.fullUrl)},"resource":${e.json},"search":{"mode":"${e.mode}"}}`).join(',');
  return `${head.slice(0, -1)},"entry":[${entryJson}]}`;
}
