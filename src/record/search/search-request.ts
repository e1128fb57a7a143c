/**
 * Parses a FHIR search query (http://hl7.org/fhir/R4/search.html) into a typed request, and
 * validates it against the indexed parameters of the type. Every error names the parameter
 * at fault; unknown or unsupported parameters are refused under `Prefer: handling=strict`
 * and reported as warnings under lenient handling (search.html#errors).
 */
import { errorAt, LongitudeError, type Issue } from '../../platform/errors.ts';
import {
  isResourceColumnParameter,
  resourceColumnParameters,
  searchParametersOf,
  type IndexedParameter,
  type IndexedType,
} from './search-parameters.ts';
import { splitOrList } from './search-values.ts';
import type { SummaryMode } from './elements.ts';

const summaryModes: readonly SummaryMode[] = ['true', 'text', 'data', 'false'];

export interface SearchFilter {
  /** The parameter name as written, with its modifier (`name:exact`): errors point at it. */
  name: string;
  code: string;
  type: IndexedType;
  /** Answered from the resource table (`_id`, `_lastUpdated`) rather than index rows. */
  column?: 'id' | 'last_updated';
  modifier?: string;
  /** The comma-separated alternatives (OR), still escaped for `|`. */
  values: string[];
}

export interface SortKey {
  code: string;
  type: IndexedType;
  column?: 'id' | 'last_updated';
  descending: boolean;
}

export const totalModes = ['none', 'estimate', 'accurate'] as const;
export type TotalMode = (typeof totalModes)[number];

export interface SearchRequest {
  /** One type for a type-level search; several for a system-level search with _type. */
  resourceTypes: string[];
  /** Every filter must hold (AND); within one, any value may match (OR). */
  filters: SearchFilter[];
  sort: SortKey[];
  count: number;
  cursor?: string;
  total: TotalMode;
  /** `_summary=count` returns only the total; the other modes trim each resource. */
  summaryCount: boolean;
  summary?: SummaryMode;
  elements?: string[];
  /** Parameters ignored under lenient handling. */
  warnings: Issue[];
}

export const defaultCount = 20;
export const maxCount = 1000;

/** Modifiers each type accepts here (search.html#modifiers); `:Type` on references is checked apart. */
const modifiersByType: Record<IndexedType, readonly string[]> = {
  string: ['missing', 'exact', 'contains'],
  token: ['missing', 'not', 'text', 'of-type'],
  date: ['missing'],
  number: ['missing'],
  quantity: ['missing'],
  reference: ['missing', 'identifier'],
  uri: ['missing', 'below', 'above'],
};

/** Result parameters we do not serve yet; refused or ignored like unknown ones. */
const unsupported = new Set(['_include', '_revinclude', '_has', '_text', '_content', '_list', '_query', '_contained', '_containedType', '_type']);
/** Parameters about the response format that do not change the result. */
const ignored = new Set(['_format', '_pretty']);

export function parseSearchRequest(
  types: string | readonly string[],
  query: Iterable<readonly [string, string]>,
  options: { strict: boolean },
): SearchRequest {
  const resourceTypes = typeof types === 'string' ? [types] : [...types];
  const resourceType = resourceTypes.join(',');
  const request: SearchRequest = { resourceTypes, filters: [], sort: [], count: defaultCount, total: 'none', summaryCount: false, warnings: [] };
  const params = commonParameters(resourceTypes);
  const refuseOrWarn = (name: string, message: string) => {
    if (options.strict) {
      throw new LongitudeError('LNG_BAD_REQUEST', message, {
        issues: [{ severity: 'error', code: 'not-supported', diagnostics: message, expression: [name] }],
      });
    }
    request.warnings.push({ severity: 'warning', code: 'not-supported', diagnostics: `${message}; ignored`, expression: [name] });
  };

  for (const [name, value] of query) {
    // PostgreSQL text cannot hold NUL, and no FHIR string may contain it (datatypes.html#string).
    if (name.includes('\u0000') || value.includes('\u0000')) throw errorAt('LNG_BAD_REQUEST', `${name}: a search value may not contain a NUL character`, name);
    if (ignored.has(name)) continue;
    switch (name) {
      case '_count':
        request.count = parseCount(value);
        continue;
      case '_cursor':
        request.cursor = value;
        continue;
      case '_sort':
        request.sort = parseSort(params, resourceType, value);
        continue;
      case '_total':
        if (!(totalModes as readonly string[]).includes(value)) throw errorAt('LNG_BAD_REQUEST', '_total must be none, estimate or accurate', '_total');
        request.total = value as TotalMode;
        continue;
      case '_summary':
        if (value === 'count') request.summaryCount = true;
        else if (summaryModes.includes(value as SummaryMode)) request.summary = value as SummaryMode;
        else throw errorAt('LNG_BAD_REQUEST', '_summary must be true, text, data, count or false', '_summary');
        continue;
      case '_elements':
        request.elements = parseElements(value);
        continue;
    }
    const [code = '', modifier, ...extra] = name.split(':');
    if (unsupported.has(code) || code.includes('.')) {
      refuseOrWarn(name, `search parameter ${name} is not supported yet`);
      continue;
    }
    const columnParam = isResourceColumnParameter(code) ? resourceColumnParameters[code] : undefined;
    const param = params.get(code);
    const type = columnParam?.type ?? param?.type;
    if (!type || extra.length > 0) {
      refuseOrWarn(name, `unknown search parameter ${name} for ${resourceType}`);
      continue;
    }
    if (modifier !== undefined && !isAllowedModifier(type, modifier, param?.targets ?? [])) {
      // search.html#modifiers: a server SHALL reject a modifier it does not support, whatever the handling.
      throw notSupported(name, `modifier :${modifier} is not supported on ${type} parameter ${code}`);
    }
    if (value === '') continue; // a parameter without a value is ignored (search.html#errors)
    request.filters.push({
      name,
      code,
      type,
      ...(columnParam ? { column: columnParam.column } : {}),
      ...(modifier !== undefined ? { modifier } : {}),
      values: splitOrList(value),
    });
  }
  return request;
}

function isAllowedModifier(type: IndexedType, modifier: string, targets: readonly string[]): boolean {
  if (modifiersByType[type].includes(modifier)) return true;
  // reference:Type, e.g. subject:Patient (search.html#reference)
  return type === 'reference' && /^[A-Z][A-Za-z]+$/.test(modifier) && (targets.length === 0 || targets.includes(modifier));
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > maxCount) {
    throw errorAt('LNG_BAD_REQUEST', `_count must be a whole number from 0 to ${maxCount}`, '_count');
  }
  return n;
}

/**
 * The parameters every one of the types has, with the same type: a system-level search
 * (search.html#all) may only use those. For one type, its own parameters.
 */
function commonParameters(resourceTypes: readonly string[]): ReadonlyMap<string, IndexedParameter> {
  const [first, ...rest] = resourceTypes;
  const params = searchParametersOf(first ?? '');
  if (rest.length === 0) return params;
  return new Map(
    [...params].filter(([code, p]) => rest.every((type) => searchParametersOf(type).get(code)?.type === p.type)),
  );
}

function parseSort(params: ReadonlyMap<string, IndexedParameter>, resourceType: string, value: string): SortKey[] {
  return value.split(',').map((raw) => {
    const descending = raw.startsWith('-');
    const code = descending ? raw.slice(1) : raw;
    if (isResourceColumnParameter(code)) {
      const column = resourceColumnParameters[code];
      return { code, type: column.type, column: column.column, descending };
    }
    const param = params.get(code);
    if (!param) throw errorAt('LNG_BAD_REQUEST', `_sort: unknown search parameter ${code} for ${resourceType}`, '_sort');
    return { code, type: param.type, descending };
  });
}

function parseElements(value: string): string[] {
  const names = value.split(',').map((n) => n.trim()).filter((n) => n.length > 0);
  for (const n of names) {
    if (!/^[a-z][A-Za-z0-9]*(\[x\])?$/.test(n)) throw errorAt('LNG_BAD_REQUEST', `_elements: ${n} is not an element name`, '_elements');
  }
  return names;
}

function notSupported(name: string, message: string): LongitudeError {
  return new LongitudeError('LNG_BAD_REQUEST', message, {
    issues: [{ severity: 'error', code: 'not-supported', diagnostics: message, expression: [name] }],
  });
}
