/**
 * One SQL condition per search filter, over the resource row `r`: an EXISTS probe into the
 * parameter type's index table (any value of the comma list may match: OR), so repeated
 * parameters AND together (http://hl7.org/fhir/R4/search.html#combining). Each probe is
 * `x.resource_type = r.resource_type and x.code = ...` plus a value test on the leading
 * columns of that table's (resource_type, code, value...) index.
 */
import { errorAt } from '../../platform/errors.ts';
import { normalizeString, parseReference } from './index-rows.ts';
import { anyOf, allOf, escapeLike, type SqlBuilder } from './sql-builder.ts';
import type { SearchFilter } from './search-request.ts';
import { parseDateValue, parseNumberValue, parseQuantityValue, splitPipes, unescapeValue } from './search-values.ts';
import { dateCondition, numberCondition } from './prefix-sql.ts';
import { fullTextCondition } from './search-text.ts';
import { compositeCondition } from './composite.ts';
import { quantityTest } from './quantity-sql.ts';
import { inCodeSetTest } from './value-set-expansion.ts';
import { linkCondition, type Confinement } from './chain-sql.ts';

const tables = {
  string: 'search_string',
  token: 'search_token',
  date: 'search_date',
  number: 'search_number',
  quantity: 'search_quantity',
  reference: 'search_reference',
  uri: 'search_uri',
} as const;

/** Upper bound of a prefix range in collation "C": above every string that starts with the prefix. */
const afterEveryPrefix = '\u{10FFFF}';

/**
 * @param confine - a member's compartment, for the resources a chain, `_has` or `_list` reaches
 *   (chain-sql.ts); the searched row itself is confined by the caller (search-sql.ts).
 */
export function filterCondition(b: SqlBuilder, filter: SearchFilter, confine?: Confinement): string {
  if (filter.link) return linkCondition(b, filter, filter.link, confine);
  if (filter.column) return columnCondition(b, filter);
  if (filter.fullText) return fullTextCondition(b, filter);
  // Composites join their parts' rows on the element they came from (composite.ts).
  if (filter.type === 'composite') return compositeCondition(b, filter, { table: (type) => tables[type], valueTest });
  const table = tables[filter.type];
  const probe = (valueTest: string) =>
    `exists (select 1 from ${table} x where x.resource_type = r.resource_type and x.id = r.id and x.code = ${b.param(filter.code)} and ${valueTest})`;
  if (filter.modifier === 'missing') {
    const missing = parseBoolean(filter);
    return missing ? `not ${probe('true')}` : probe('true');
  }
  const tests = filter.values.map((value) => valueTest(b, filter, value));
  // :not (and :not-in) match resources with no matching value, including those with no value
  // at all (search.html#modifiers).
  if (filter.modifier === 'not' || filter.modifier === 'not-in') return `not ${probe(anyOf(tests))}`;
  return probe(anyOf(tests));
}

/**
 * The resources one filter matches, as a relation of (resource_type, id) read from its index
 * rows alone: what a search is driven from (search-sql.ts). The same value tests as the
 * filter's EXISTS probe, so a resource is a candidate exactly when the probe would match it.
 * Undefined for a filter that does not match through rows of its own: :missing, :not and
 * :not-in (they match resources without rows), chains, _has and _list, _id and
 * _lastUpdated, text search and composites.
 */
export function filterCandidates(b: SqlBuilder, filter: SearchFilter, resourceType: string): string | undefined {
  if (!isDrivable(filter)) return undefined;
  const tests = filter.values.map((value) => valueTest(b, filter, value));
  return `select distinct x.resource_type, x.id from ${tables[filter.type as keyof typeof tables]} x
           where x.resource_type = ${b.param(resourceType)} and x.code = ${b.param(filter.code)} and ${anyOf(tests)}`;
}

export function isDrivable(filter: SearchFilter): boolean {
  if (filter.link || filter.column || filter.fullText || filter.type === 'composite') return false;
  return filter.modifier !== 'missing' && filter.modifier !== 'not' && filter.modifier !== 'not-in';
}

function parseBoolean(filter: SearchFilter): boolean {
  const [value] = filter.values;
  if (filter.values.length !== 1 || (value !== 'true' && value !== 'false')) {
    throw errorAt('LNG_BAD_REQUEST', `${filter.name} takes true or false`, filter.name);
  }
  return value === 'true';
}

function valueTest(b: SqlBuilder, filter: SearchFilter, value: string): string {
  switch (filter.type) {
    case 'string':
      return stringTest(b, filter, unescapeValue(value));
    case 'token':
      return tokenTest(b, filter, value);
    case 'date': {
      const { prefix, range } = parseDateValue(value, filter.name);
      return dateCondition(b, prefix, range, 'x.low', 'x.high');
    }
    case 'number':
      return numberCondition(b, parseNumberValue(value, filter.name), 'x.value');
    case 'quantity':
      return quantityTest(b, parseQuantityValue(value, filter.name));
    case 'reference':
      return referenceTest(b, filter, value);
    case 'uri':
      return uriTest(b, filter, unescapeValue(value));
    case 'composite':
      throw new Error(`composite parameter ${filter.code} has no single value test`); // filterCondition joins its parts
  }
}

function stringTest(b: SqlBuilder, filter: SearchFilter, value: string): string {
  const normalized = normalizeString(value);
  if (filter.modifier === 'exact') {
    return `x.value_normalized = ${b.param(normalized)} and x.value_exact = ${b.param(value)}`;
  }
  if (filter.modifier === 'contains') {
    // No trigram index: PGlite ships pg_trgm only as an extension the adapter would have to
    // load, so :contains scans this parameter's (resource_type, code) index range.
    return `x.value_normalized like ${b.param(`%${escapeLike(normalized)}%`)}`;
  }
  return `x.value_normalized >= ${b.param(normalized)} and x.value_normalized < ${b.param(normalized + afterEveryPrefix)}`;
}

function tokenTest(b: SqlBuilder, filter: SearchFilter, value: string): string {
  if (filter.modifier === 'text') {
    const normalized = normalizeString(unescapeValue(value));
    return `x.display_text >= ${b.param(normalized)} and x.display_text < ${b.param(normalized + afterEveryPrefix)}`;
  }
  if (filter.modifier === 'in' || filter.modifier === 'not-in') {
    // the ValueSet was expanded before the SQL was built (value-set-expansion.ts)
    const set = filter.valueSets?.get(value);
    if (!set) throw new Error(`${filter.name}: ValueSet ${value} was not expanded before building SQL`);
    return inCodeSetTest(b, set);
  }
  if (filter.modifier === 'of-type') {
    // identifier:of-type=system|code|value (search.html#token)
    const [system, code, idValue] = splitPipes(value, 3);
    if (!system || !code || !idValue) {
      throw errorAt('LNG_BAD_REQUEST', `${filter.name} takes type-system|type-code|value`, filter.name);
    }
    return `x.type_system = ${b.param(system)} and x.type_code = ${b.param(code)} and x.value = ${b.param(idValue)}`;
  }
  const parts = splitPipes(value, 2);
  if (parts.length === 1) return `x.value = ${b.param(parts[0])}`;
  const [system = '', code = ''] = parts;
  if (system === '') return `x.system is null and x.value = ${b.param(code)}`;
  if (code === '') return `x.system = ${b.param(system)}`;
  return `x.value = ${b.param(code)} and x.system = ${b.param(system)}`;
}

function referenceTest(b: SqlBuilder, filter: SearchFilter, raw: string): string {
  if (filter.modifier === 'identifier') {
    const parts = splitPipes(raw, 2);
    if (parts.length === 1) return `x.identifier_value = ${b.param(parts[0])}`;
    const [system = '', value = ''] = parts;
    return allOf([
      ...(value ? [`x.identifier_value = ${b.param(value)}`] : []),
      system ? `x.identifier_system = ${b.param(system)}` : 'x.identifier_system is null',
    ]);
  }
  const value = unescapeValue(raw);
  const typed = filter.modifier ? { type: filter.modifier, id: value } : parseReference(value);
  if (typed) {
    const byTarget = `x.target_id = ${b.param(typed.id)} and x.target_type = ${b.param(typed.type)}`;
    // An absolute or versioned reference may also have been stored as written.
    return value.includes('/') ? `((${byTarget}) or x.reference_text = ${b.param(value)})` : byTarget;
  }
  if (/^[A-Za-z0-9\-.]{1,64}$/.test(value)) return `x.target_id = ${b.param(value)}`;
  // canonical URLs and other references kept only as text
  return `x.reference_text = ${b.param(value)}`;
}

function uriTest(b: SqlBuilder, filter: SearchFilter, value: string): string {
  // :below and :above compare URL prefixes (search.html#uri).
  if (filter.modifier === 'below') return `x.value like ${b.param(`${escapeLike(value)}%`)}`;
  if (filter.modifier === 'above') {
    return `${b.param(value, 'text')} like replace(replace(replace(x.value, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'`;
  }
  return `x.value = ${b.param(value)}`;
}

/** `_id` and `_lastUpdated` test the resource row itself (primary key, last_updated index). */
function columnCondition(b: SqlBuilder, filter: SearchFilter): string {
  if (filter.modifier === 'missing') return parseBoolean(filter) ? 'false' : 'true';
  if (filter.modifier && filter.modifier !== 'not') {
    throw errorAt('LNG_BAD_REQUEST', `modifier :${filter.modifier} is not supported on ${filter.code}`, filter.name);
  }
  if (filter.column === 'id') {
    const ids = filter.values.map(unescapeValue);
    return filter.modifier === 'not' ? `r.id <> all(${b.param(ids, 'text[]')})` : `r.id = any(${b.param(ids, 'text[]')})`;
  }
  if (filter.modifier) throw errorAt('LNG_BAD_REQUEST', `modifier :${filter.modifier} is not supported on ${filter.code}`, filter.name);
  return anyOf(
    filter.values.map((value) => {
      const { prefix, range } = parseDateValue(value, filter.name);
      // lastUpdated is an instant: its range is the one millisecond it names.
      return dateCondition(b, prefix, range, 'r.last_updated', `(r.last_updated + interval '1 millisecond')`);
    }),
  );
}
