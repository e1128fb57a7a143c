/**
 * Which versions a unit of work holds but has not stored yet satisfy conditional criteria. A conditional write searches the record (http://hl7.org/fhir/R4/http.html#ccreate), and
 * the unit's own unstored versions must count; storing them first costs statements, and on the
 * embedded database a statement's fixed cost is most of a small one's (pending-writes.ts). An
 * import's criteria are identifier and tag tokens and references by identifier (a Provenance
 * by the message it came from), which are answered here exactly, so the
 * versions of many messages can be stored together; for anything else the caller stores first
 * and asks SQL, as before.
 *
 * The semantics mirror filter-sql.ts (search.html#token): `system|value`, `|value` (no
 * system), `value` (any system), `system|` (any value), and `:not` (no value matches,
 * resources without the element included); `reference:identifier` likewise on the
 * Reference.identifier.
 */
import { evalFhirPathTyped, toTypedValue, type TypedValue } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import type { ResourceRow } from '../resource-rows.ts';
import { addIndexRows, emptyIndexRows, type IndexRows, type ReferenceRow, type TokenRow } from './index-rows.ts';
import { builtInSearchParameters, type SearchParameterLookup } from './search-parameter-registry.ts';
import type { SearchFilter, SearchRequest } from './search-request.ts';
import { splitPipes } from './search-values.ts';

type RowTest = (rows: IndexRows) => boolean;

/** A resource's index rows of one parameter, computed once per resource object and code. */
const rowCache = new WeakMap<Resource, Map<string, IndexRows | undefined>>();

function indexRowsOf(resource: Resource, code: string, parameters: SearchParameterLookup): IndexRows | undefined {
  let byCode = rowCache.get(resource);
  if (!byCode) rowCache.set(resource, (byCode = new Map()));
  if (byCode.has(code)) return byCode.get(code);
  const param = parameters.parametersOf(resource.resourceType).get(code);
  let rows: IndexRows | undefined;
  if (param && !param.components && (param.type === 'token' || param.type === 'reference')) {
    let values: TypedValue[] = [];
    try {
      values = evalFhirPathTyped(param.atom, [toTypedValue(resource)]);
    } catch {
      // Unindexed for this resource, as search-indexer.ts leaves it.
    }
    rows = emptyIndexRows();
    addIndexRows(rows, param.code, param.type, values, param.impliedSystem);
  }
  byCode.set(code, rows);
  return rows;
}

/** The test of one token value (filter-sql.ts tokenTest), or undefined outside the simple forms. */
function tokenTest(value: string): RowTest | undefined {
  if (value.includes('\\')) return undefined;
  const parts = splitPipes(value, 2);
  const [system = '', code = ''] = parts;
  const holds: (row: TokenRow) => boolean =
    parts.length === 1 ? (row) => row.value === parts[0]
    : system === '' ? (row) => row.system === null && row.value === code
    : code === '' ? (row) => row.system === system
    : (row) => row.system === system && row.value === code;
  return (rows) => rows.token.some(holds);
}

/** The test of one `reference:identifier` value (filter-sql.ts referenceTest). */
function referenceIdentifierTest(value: string): RowTest | undefined {
  if (value.includes('\\')) return undefined;
  const parts = splitPipes(value, 2);
  const [system = '', id = ''] = parts;
  const holds: (row: ReferenceRow) => boolean =
    parts.length === 1 ? (row) => row.identifierValue === parts[0]
    : (row) => (id === '' || row.identifierValue === id) && (system === '' ? row.identifierSystem === null : row.identifierSystem === system);
  return (rows) => rows.reference.some(holds);
}

/** The value test of a filter answered here: plain tokens (or :not) and references by identifier. */
function valueTestOf(filter: SearchFilter): ((value: string) => RowTest | undefined) | undefined {
  if (filter.column || filter.fullText || filter.link || filter.components || filter.valueSets) return undefined;
  if (filter.type === 'token' && (filter.modifier === undefined || filter.modifier === 'not')) return tokenTest;
  if (filter.type === 'reference' && filter.modifier === 'identifier') return referenceIdentifierTest;
  return undefined;
}

/** A filter as a test of a resource (undefined: not answered here). */
function resourceTest(filter: SearchFilter, parameters: SearchParameterLookup): ((resource: Resource) => boolean | undefined) | undefined {
  const valueTest = valueTestOf(filter);
  const tests = valueTest ? filter.values.map(valueTest) : [undefined];
  if (tests.some((t) => t === undefined)) return undefined;
  return (resource) => {
    const rows = indexRowsOf(resource, filter.code, parameters);
    if (!rows) return undefined;
    const found = tests.some((test) => test!(rows));
    return filter.modifier === 'not' ? !found : found;
  };
}

/**
 * The ids of the waiting versions that satisfy `request` (the newest version of each resource
 * counts; a deleted one satisfies nothing), or undefined when the criteria are not plain
 * tokens and a version of the type waits: then only SQL over stored versions can tell.
 */
export function matchPending(request: SearchRequest, pending: readonly ResourceRow[], parameters: SearchParameterLookup = builtInSearchParameters): string[] | undefined {
  const newest = new Map<string, ResourceRow>();
  for (const row of pending) if (request.resourceTypes.includes(row.resourceType)) newest.set(`${row.resourceType}/${row.id}`, row);
  if (newest.size === 0) return [];
  const tests = request.filters.map((filter) => resourceTest(filter, parameters));
  if (tests.some((t) => t === undefined)) return undefined;
  const ids: string[] = [];
  for (const row of newest.values()) {
    if (!row.content || row.deleted) continue;
    const verdicts = tests.map((test) => test!(row.content!));
    if (verdicts.some((v) => v === undefined)) return undefined;
    if (verdicts.every(Boolean)) ids.push(row.id);
  }
  return ids;
}
