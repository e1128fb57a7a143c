/**
 * Full-text search (http://hl7.org/fhir/R4/search.html#text): `_text` searches the narrative
 * (text.div without its markup), `_content` every string value of the resource, narrative
 * included. PostgreSQL text search (tsvector, GIN) on both backends; the table is search_text
 * (migration 0006), one row per current resource, replaced with each write.
 *
 * The 'simple' configuration (lower-case words, no stemming, no stop words), on text folded to
 * unaccented form here, as string search folds it (search.html#string). Not 'english': it
 * drops stop words ("hepatitis A" would match every hepatitis, "vitamin A" every vitamin) and
 * stems clinical words into each other; the record also holds names, codes and identifiers,
 * and narratives in other languages, where stemming does harm. Words match whole.
 *
 * Values use websearch_to_tsquery syntax: words are AND-ed, "quoted phrases" keep their order,
 * `or` between words, `-word` excludes; it never fails on user input. A comma separates
 * alternatives (OR), as for every parameter (search.html#combining).
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../../platform/db/db.ts';
import { errorAt } from '../../platform/errors.ts';
import type { SqlBuilder } from './sql-builder.ts';
import type { SearchFilter } from './search-request.ts';
import { splitOrList, unescapeValue } from './search-values.ts';

export const fullTextParameters = {
  _text: { kind: 'text', column: 'text_vector', url: 'http://hl7.org/fhir/SearchParameter/DomainResource-text' },
  _content: { kind: 'content', column: 'content_vector', url: 'http://hl7.org/fhir/SearchParameter/Resource-content' },
} as const;
export type FullTextParameter = keyof typeof fullTextParameters;

export function isFullTextParameter(code: string): code is FullTextParameter {
  return Object.hasOwn(fullTextParameters, code);
}

/**
 * Text longer than this is indexed on its first part: a tsvector holds at most 1 MB, and a
 * resource with more prose than this is a document, better searched as one.
 */
const maxTextLength = 100_000;

/**
 * Keys whose strings are not text a person would search for: ids, references and URIs
 * (system, url, profile), base64 data (Attachment.data) and the store's meta; `div` is added
 * once, without its markup.
 */
const skippedKeys = new Set(['resourceType', 'id', 'meta', 'reference', 'system', 'url', 'profile', 'data', 'div', 'fullUrl']);

/** Removes accents, as normalizeString does for string search; 'simple' folds the case. */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '');
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The words of an XHTML narrative (narrative.html#Narrative): tags dropped, entities decoded. */
export function narrativeText(div: string): string {
  return div
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith('#')) {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
      }
      return entities[name.toLowerCase()] ?? whole;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/** The text `_text` and `_content` search in one resource, folded and cut to length. */
export function extractSearchText(resource: Resource): { narrative: string; content: string } {
  const div = (resource as { text?: { div?: string } }).text?.div;
  const narrative = typeof div === 'string' ? narrativeText(div) : '';
  const parts: string[] = narrative ? [narrative] : [];
  let length = narrative.length;
  const visit = (value: unknown, key: string): void => {
    if (length >= maxTextLength || skippedKeys.has(key)) return;
    if (typeof value === 'string') {
      parts.push(value);
      length += value.length + 1;
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) visit(v, k);
    }
  };
  // The narrative object itself is done above; a nested `text` (CodeableConcept.text) is a string.
  for (const [k, v] of Object.entries(resource)) if (k !== 'text') visit(v, k);
  return { narrative: fold(narrative.slice(0, maxTextLength)), content: fold(parts.join(' ').slice(0, maxTextLength)) };
}

export interface TextRowSource {
  resourceType: string;
  id: string;
  /** null: deleted, the row goes. */
  resource: Resource | null;
}

/**
 * Replaces the search_text rows of several resources in one statement: an upsert for those
 * that exist, a delete for those deleted (data-modifying CTEs). The vectors are made by
 * PostgreSQL (to_tsvector), so indexing and querying share one parser.
 *
 * @param alsoSelect - an SQL expression (text of this folder, never input) read in the same
 *   statement and returned: the indexer reads the SearchParameter stamp this way, one round
 *   trip instead of two on every write.
 */
export async function replaceTextRows(tx: Queryable, sources: readonly TextRowSource[], alsoSelect?: string): Promise<string | undefined> {
  const live = sources.filter((s) => s.resource !== null);
  const gone = sources.filter((s) => s.resource === null);
  const values: unknown[] = [];
  const ctes: string[] = [];
  if (gone.length > 0) {
    values.push(gone.map((s) => s.resourceType), gone.map((s) => s.id));
    ctes.push(`gone as (delete from search_text t using unnest($1::text[], $2::text[]) as k(resource_type, id)
      where t.id = k.id and t.resource_type = k.resource_type)`);
  }
  if (live.length > 0) {
    const texts = live.map((s) => extractSearchText(s.resource!));
    const at = values.length;
    values.push(live.map((s) => s.resourceType), live.map((s) => s.id), texts.map((t) => t.narrative), texts.map((t) => t.content));
    ctes.push(`live as (insert into search_text (resource_type, id, text_vector, content_vector)
      select k.resource_type, k.id, to_tsvector('simple', k.narrative), to_tsvector('simple', k.content)
        from unnest($${at + 1}::text[], $${at + 2}::text[], $${at + 3}::text[], $${at + 4}::text[]) as k(resource_type, id, narrative, content)
      on conflict (id, resource_type) do update set text_vector = excluded.text_vector, content_vector = excluded.content_vector)`);
  }
  if (ctes.length === 0 && alsoSelect === undefined) return undefined;
  const { rows } = await tx.query<{ value: string | null }>(
    `${ctes.length > 0 ? `with ${ctes.join(',\n')}\n` : ''}select ${alsoSelect ?? 'null::text'} as value`,
    values,
  );
  return rows[0]?.value ?? undefined;
}

/** The filter of one `_text` or `_content` occurrence; undefined for an empty value (ignored). */
export function parseFullTextFilter(name: string, code: FullTextParameter, modifier: string | undefined, value: string): SearchFilter | undefined {
  if (modifier !== undefined) {
    // search.html#modifiers: a server SHALL reject a modifier it does not support.
    throw errorAt('LNG_BAD_REQUEST', `${code} takes no modifier`, name);
  }
  if (value === '') return undefined;
  return { name, code, type: 'string', fullText: fullTextParameters[code].kind, values: splitOrList(value) };
}

/** The condition of a full-text filter over the resource row `r`, through the GIN index. */
export function fullTextCondition(b: SqlBuilder, filter: SearchFilter): string {
  const column = filter.fullText === 'text' ? 'text_vector' : 'content_vector';
  const queries = filter.values.map((value) => `websearch_to_tsquery('simple', ${b.param(fold(unescapeValue(value)), 'text')})`);
  return `exists (select 1 from search_text x where x.id = r.id and x.resource_type = r.resource_type and x.${column} @@ (${queries.join(' || ')}))`;
}
