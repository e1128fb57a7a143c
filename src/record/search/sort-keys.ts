/**
 * `_sort` and keyset paging (http://hl7.org/fhir/R4/search.html#sort, #count). A parameter
 * with several values sorts by its lowest value ascending and its highest descending (the
 * spec's rule for dates is applied to every type); type and id break ties. Pages continue from a
 * cursor holding the last row's sort values and id rather than an offset, so rows added or
 * removed between requests neither shift a page nor make the client see a row twice.
 */
import { errorAt } from '../../platform/errors.ts';
import { anyOf, allOf, type SqlBuilder, type SqlCast } from './sql-builder.ts';
import type { SortKey } from './search-request.ts';

interface SortColumn {
  table: string;
  /** Column aggregated when sorting ascending / descending. */
  asc: string;
  desc: string;
  cast: SqlCast;
}

const sortColumns: Record<SortKey['type'], SortColumn> = {
  string: { table: 'search_string', asc: 'x.value_normalized', desc: 'x.value_normalized', cast: 'text' },
  token: { table: 'search_token', asc: 'x.value', desc: 'x.value', cast: 'text' },
  date: { table: 'search_date', asc: 'x.low', desc: 'x.high', cast: 'timestamptz' },
  number: { table: 'search_number', asc: 'x.value', desc: 'x.value', cast: 'numeric' },
  quantity: { table: 'search_quantity', asc: 'x.value', desc: 'x.value', cast: 'numeric' },
  reference: { table: 'search_reference', asc: `coalesce(x.target_type || '/' || x.target_id, x.reference_text)`, desc: `coalesce(x.target_type || '/' || x.target_id, x.reference_text)`, cast: 'text' },
  uri: { table: 'search_uri', asc: 'x.value', desc: 'x.value', cast: 'text' },
};

export interface SortExpression {
  sql: string;
  cast: SqlCast;
  descending: boolean;
}

export function sortExpression(b: SqlBuilder, key: SortKey): SortExpression {
  if (key.column === 'id') return { sql: 'r.id', cast: 'text', descending: key.descending };
  if (key.column === 'last_updated') return { sql: 'r.last_updated', cast: 'timestamptz', descending: key.descending };
  const c = sortColumns[key.type];
  const aggregate = key.descending ? `max(${c.desc})` : `min(${c.asc})`;
  return {
    sql: `(select ${aggregate} from ${c.table} x where x.resource_type = r.resource_type and x.id = r.id and x.code = ${b.param(key.code)})`,
    cast: c.cast,
    descending: key.descending,
  };
}

/** Where a page starts: after (next) or before (previous) the row with these sort values. */
export interface Cursor {
  direction: 'next' | 'previous';
  /** The sort values of the boundary row, as PostgreSQL text (null when it has none). */
  values: (string | null)[];
  /** The boundary row's key: type and id break ties (several types in a system search). */
  resourceType: string;
  id: string;
  /** The _sort the cursor was made for; a cursor is refused under another sort. */
  sort: string;
}

export function encodeCursor(cursor: Cursor): string {
  const fields = [cursor.direction === 'next' ? 'n' : 'p', cursor.sort, cursor.resourceType, cursor.id, cursor.values];
  return Buffer.from(JSON.stringify(fields)).toString('base64url');
}

export function decodeCursor(text: string, sort: string): Cursor {
  try {
    const [d, s, type, id, values] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    const valid =
      (d === 'n' || d === 'p') &&
      typeof type === 'string' &&
      typeof id === 'string' &&
      Array.isArray(values) &&
      values.every((v) => v === null || typeof v === 'string');
    if (valid && s === sort) {
      return { direction: d === 'n' ? 'next' : 'previous', sort, resourceType: type, id, values: values as (string | null)[] };
    }
  } catch {
    // falls through to the error below
  }
  throw errorAt('LNG_BAD_REQUEST', '_cursor is not a page link of this search; start again from the first page', '_cursor');
}

/**
 * Rows strictly after (next) or before (previous) the cursor row, in lexicographic order of
 * (keys..., type, id). Nulls sort last in both directions, so "after" a null value is only another
 * null, and "before" a value includes no nulls.
 */
export function cursorCondition(b: SqlBuilder, keys: readonly SortExpression[], cursor: Cursor): string {
  const forward = cursor.direction === 'next';
  const alternatives: string[] = [];
  const ties: string[] = [];
  keys.forEach((key, i) => {
    const value = cursor.values[i] ?? null;
    const greater = key.descending ? '<' : '>';
    const less = key.descending ? '>' : '<';
    let beyond: string;
    if (value === null) beyond = forward ? 'false' : `${key.sql} is not null`;
    else beyond = forward ? `(${key.sql} ${greater} ${b.param(value, key.cast)} or ${key.sql} is null)` : `${key.sql} ${less} ${b.param(value, key.cast)}`;
    alternatives.push(allOf([...ties, beyond]));
    ties.push(value === null ? `${key.sql} is null` : `${key.sql} = ${b.param(value, key.cast)}`);
  });
  const key = `(${b.param(cursor.resourceType, 'text')}, ${b.param(cursor.id, 'text')})`;
  alternatives.push(allOf([...ties, `(r.resource_type, r.id) ${forward ? '>' : '<'} ${key}`]));
  return anyOf(alternatives);
}

/** ORDER BY for a page; a previous page is read backwards from its cursor, then reversed. */
export function orderBy(keys: readonly SortExpression[], direction: 'next' | 'previous'): string {
  const reverse = direction === 'previous';
  const terms = keys.map((k) => {
    const descending = k.descending !== reverse;
    return `${k.sql} ${descending ? 'desc' : 'asc'} nulls ${reverse ? 'first' : 'last'}`;
  });
  const tieBreak = reverse ? 'desc' : 'asc';
  return [...terms, `r.resource_type ${tieBreak}`, `r.id ${tieBreak}`].join(', ');
}
