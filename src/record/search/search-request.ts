/**
 * Parses a FHIR search query (http://hl7.org/fhir/R4/search.html) into a typed request, and
 * validates it against the indexed parameters of the type. Every error names the parameter
 * at fault; unknown or unsupported parameters are refused under `Prefer: handling=strict`
 * and reported as warnings under lenient handling (search.html#errors).
 */
import { resourceTypes as resourceTypeNames } from '../../fhir/index.ts';
import { errorAt, LongitudeError, type Issue } from '../../platform/errors.ts';
import {
  isResourceColumnParameter,
  resourceColumnParameters,
  type IndexedParameter,
  type IndexedType,
  type ValueType,
} from './search-parameters.ts';
import { builtInSearchParameters, type SearchParameterLookup } from './search-parameter-registry.ts';
import { isFullTextParameter, parseFullTextFilter } from './search-text.ts';
import { splitOrList, unescapeValue } from './search-values.ts';
import type { FilterLink } from './chain-sql.ts';
import { isIncludeParameter, parseIncludeParameter, type IncludeDirective } from './includes.ts';
import type { SummaryMode } from './elements.ts';
import type { CodeSet } from './value-set-expansion.ts';

const summaryModes: readonly SummaryMode[] = ['true', 'text', 'data', 'false'];

export interface SearchFilter {
  /** The parameter name as written, with its modifier (`name:exact`): errors point at it. */
  name: string;
  code: string;
  type: IndexedType;
  /** Answered from the resource table (`_id`, `_lastUpdated`) rather than index rows. */
  column?: 'id' | 'last_updated';
  /** `_text` (narrative) or `_content` (every string): answered from search_text (search-text.ts). */
  fullText?: 'text' | 'content';
  modifier?: string;
  /** The comma-separated alternatives (OR), still escaped for `|`. */
  values: string[];
  /** A composite's parts, each stored under its own code (composite.ts). */
  components?: readonly { code: string; type: ValueType }[];
  /** `:in` / `:not-in`: each value's ValueSet, expanded by the search service (value-set-expansion.ts). */
  valueSets?: ReadonlyMap<string, CodeSet>;
  /** Chained (`subject:Patient.name`), `_has` or `_list`: the filter tests other resources (chain-sql.ts). */
  link?: FilterLink;
}

export interface SortKey {
  code: string;
  /** A composite has no single value to sort by. */
  type: ValueType;
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
  /** `_include` and `_revinclude` (search.html#include), followed for the returned page only (includes.ts). */
  includes: IncludeDirective[];
  revincludes: IncludeDirective[];
  /** Parameters ignored under lenient handling. */
  warnings: Issue[];
}

export const defaultCount = 20;
export const maxCount = 1000;

/** Modifiers each type accepts here (search.html#modifiers); `:Type` on references is checked apart. */
const modifiersByType: Record<IndexedType, readonly string[]> = {
  string: ['missing', 'exact', 'contains'],
  token: ['missing', 'not', 'text', 'of-type', 'in', 'not-in'],
  date: ['missing'],
  number: ['missing'],
  quantity: ['missing'],
  reference: ['missing', 'identifier'],
  uri: ['missing', 'below', 'above'],
  composite: ['missing'],
};

/** Result parameters we do not serve yet; refused or ignored like unknown ones. */
const unsupported = new Set(['_query', '_contained', '_containedType', '_type']);
/** Parameters about the response format that do not change the result. */
const ignored = new Set(['_format', '_pretty']);

export function parseSearchRequest(
  types: string | readonly string[],
  query: Iterable<readonly [string, string]>,
  options: {
    strict: boolean;
    /** The hub's parameters, custom ones included (SearchParameterRegistry); the official ones alone when absent. */
    parameters?: SearchParameterLookup;
  },
): SearchRequest {
  const resourceTypes = typeof types === 'string' ? [types] : [...types];
  const resourceType = resourceTypes.join(',');
  const request: SearchRequest = { resourceTypes, filters: [], sort: [], count: defaultCount, total: 'none', summaryCount: false, includes: [], revincludes: [], warnings: [] };
  const lookup = options.parameters ?? builtInSearchParameters;
  const params = commonParameters(resourceTypes, lookup);
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
    if (isIncludeParameter(name)) {
      const directive = parseIncludeParameter(name, value, lookup);
      if (directive && 'unusable' in directive) refuseOrWarn(name, directive.unusable);
      else if (directive) (name.startsWith('_revinclude') ? request.revincludes : request.includes).push(directive);
      continue;
    }
    const filter = parseFilter({ types: resourceTypes, params, lookup }, name, value, name);
    if (filter && 'unusable' in filter) refuseOrWarn(name, filter.unusable);
    else if (filter) request.filters.push(filter);
  }
  return request;
}

/** A parameter left out: refused under strict handling, a warning under lenient (search.html#errors). */
interface Unusable {
  unusable: string;
}

/** What a parameter name is read against: the searched types, or those a chain or `_has` reaches. */
interface ParseScope {
  types: readonly string[];
  /** The parameters every one of `types` has. */
  params: ReadonlyMap<string, IndexedParameter>;
  lookup: SearchParameterLookup;
}

/**
 * The filter of one parameter. `name` is what is left to read of it (the part after a chain's
 * dot, or after `_has:Type:param:`), `written` the whole name as sent, which the filter and
 * every error carry. Undefined: an empty value, ignored (search.html#errors).
 */
function parseFilter(scope: ParseScope, name: string, value: string, written: string): SearchFilter | Unusable | undefined {
  if (name === '_has' || name.startsWith('_has:')) return parseHasFilter(scope, name, value, written);
  if (name.includes('.')) return parseChainFilter(scope, name, value, written);
  const [code = '', modifier, ...extra] = name.split(':');
  if (isFullTextParameter(code)) return parseFullTextFilter(written, code, name.slice(code.length + 1) || undefined, value);
  if (code === '_list') return parseListFilter(modifier, value, written);
  if (unsupported.has(code)) return { unusable: `search parameter ${written} is not supported yet` };
  const columnParam = isResourceColumnParameter(code) ? resourceColumnParameters[code] : undefined;
  const param = scope.params.get(code);
  const type = columnParam?.type ?? param?.type;
  if (!type || extra.length > 0) {
    return { unusable: `unknown search parameter ${name === written ? name : `${name} (in ${written})`} for ${scope.types.join(',')}` };
  }
  if (modifier !== undefined && !isAllowedModifier(type, modifier, param?.targets ?? [])) {
    // search.html#modifiers: a server SHALL reject a modifier it does not support, whatever the handling.
    throw notSupported(written, `modifier :${modifier} is not supported on ${type} parameter ${code}`);
  }
  if (value === '') return undefined;
  return {
    name: written,
    code,
    type,
    ...(columnParam ? { column: columnParam.column } : {}),
    ...(modifier !== undefined ? { modifier } : {}),
    values: splitOrList(value),
    ...(param?.components ? { components: param.components } : {}),
  };
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
function commonParameters(resourceTypes: readonly string[], lookup: SearchParameterLookup): ReadonlyMap<string, IndexedParameter> {
  const [first, ...rest] = resourceTypes;
  const params = lookup.parametersOf(first ?? '');
  if (rest.length === 0) return params;
  return new Map(
    [...params].filter(([code, p]) => rest.every((type) => lookup.parametersOf(type).get(code)?.type === p.type)),
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
    if (param.type === 'composite') throw errorAt('LNG_BAD_REQUEST', `_sort: ${code} is a composite parameter, which has no single value to sort by`, '_sort');
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

/** A `:Type` modifier naming a resource type the reference parameter may point at. */
function isTargetType(modifier: string, targets: readonly string[]): boolean {
  return /^[A-Z][A-Za-z]+$/.test(modifier) && (targets.length > 0 ? targets.includes(modifier) : resourceTypeNames().has(modifier));
}

/** Codes every type answers without a parameter definition of its own. */
function isGeneralParameter(code: string): boolean {
  return isResourceColumnParameter(code) || isFullTextParameter(code) || code === '_has' || code === '_list';
}

/**
 * `ref[:Type].rest` (http://hl7.org/fhir/R4/search.html#chaining): `ref` is a reference
 * parameter, and `rest` (a parameter, or another chain) holds on the resource it points at.
 * Without `:Type` the chain is resolved over every target type that has the next parameter;
 * when those types disagree on what it is (a token here, a uri there) it is refused as
 * ambiguous, which the spec allows, rather than guessed.
 */
function parseChainFilter(scope: ParseScope, name: string, value: string, written: string): SearchFilter | Unusable | undefined {
  const dot = name.indexOf('.');
  const rest = name.slice(dot + 1);
  const [code = '', targetType, ...extra] = name.slice(0, dot).split(':');
  const param = scope.params.get(code);
  if (param?.type !== 'reference' || extra.length > 0) {
    return { unusable: `${written}: ${code} is not a reference parameter of ${scope.types.join(',')}, so it cannot be chained` };
  }
  if (targetType !== undefined && !isTargetType(targetType, param.targets)) {
    throw notSupported(written, `${written}: ${code} does not refer to ${targetType}`);
  }
  const candidates = targetType !== undefined ? [targetType] : param.targets;
  if (candidates.length === 0) return { unusable: `${written}: name the type ${code} refers to, e.g. ${code}:Patient.${rest}` };
  const next = /^[^.:]*/.exec(rest)?.[0] ?? '';
  const reached = candidates.filter((type) => isGeneralParameter(next) || scope.lookup.parametersOf(type).has(next));
  if (reached.length === 0) return { unusable: `${written}: unknown search parameter ${next} for ${candidates.join(',')}` };
  const kinds = new Set(reached.map((type) => scope.lookup.parametersOf(type).get(next)?.type));
  if (kinds.size > 1) {
    throw errorAt('LNG_BAD_REQUEST', `${written} is ambiguous: ${next} means different things on ${reached.join(', ')}; name the type, e.g. ${code}:${reached[0]}.${rest}`, written);
  }
  const inner = parseFilter({ types: reached, params: commonParameters(reached, scope.lookup), lookup: scope.lookup }, rest, value, written);
  if (inner === undefined || 'unusable' in inner) return inner;
  return { name: written, code, type: 'reference', values: inner.values, link: { kind: 'chain', targetTypes: reached, filter: inner } };
}

/**
 * `_has:Type:ref:rest` (http://hl7.org/fhir/R4/search.html#has): some `Type` resource whose
 * reference parameter `ref` points at the searched one satisfies `rest`, which may be
 * another `_has` (nesting to any depth) or a chain. Malformed names are 400 whatever the
 * handling; an unknown type or parameter is refused or ignored like any unknown parameter.
 */
function parseHasFilter(scope: ParseScope, name: string, value: string, written: string): SearchFilter | Unusable | undefined {
  const [, sourceType = '', code = '', ...restParts] = name.split(':');
  const rest = restParts.join(':');
  if (!/^[A-Z][A-Za-z]+$/.test(sourceType) || code === '' || rest === '') {
    throw errorAt('LNG_BAD_REQUEST', `${written}: _has takes _has:Type:parameter:filter, e.g. _has:Observation:patient:code=1234-5`, written);
  }
  if (!resourceTypeNames().has(sourceType)) return { unusable: `${written}: unknown resource type ${sourceType}` };
  const sourceParams = scope.lookup.parametersOf(sourceType);
  const param = sourceParams.get(code);
  if (param?.type !== 'reference') return { unusable: `${written}: ${code} is not a reference parameter of ${sourceType}` };
  if (param.targets.length > 0 && !scope.types.some((type) => param.targets.includes(type))) {
    return { unusable: `${written}: ${sourceType}:${code} does not refer to ${scope.types.join(',')}` };
  }
  const inner = parseFilter({ types: [sourceType], params: sourceParams, lookup: scope.lookup }, rest, value, written);
  if (inner === undefined || 'unusable' in inner) return inner;
  return { name: written, code, type: 'reference', values: inner.values, link: { kind: 'has', sourceType, filter: inner } };
}

/**
 * `_list=id` (http://hl7.org/fhir/R4/search.html#list): the items of a stored List. Functional
 * lists (`$current-problems`) are not kept by the hub.
 */
function parseListFilter(modifier: string | undefined, value: string, written: string): SearchFilter | Unusable | undefined {
  if (modifier !== undefined) throw notSupported(written, `modifier :${modifier} is not supported on _list`);
  if (value === '') return undefined;
  const values = splitOrList(value);
  const notId = values.find((v) => !/^[A-Za-z0-9\-.]{1,64}$/.test(unescapeValue(v)));
  if (notId !== undefined) return { unusable: `_list: ${notId} is not a List id (functional lists such as $current-problems are not supported)` };
  return { name: written, code: '_list', type: 'reference', values, link: { kind: 'list' } };
}
