/**
 * The CapabilityStatement, generated from what the server really supports
 * (http://hl7.org/fhir/R4/capabilitystatement.html). Each route group declares its
 * interactions here, so the statement cannot claim what is not served.
 */
import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceSearchParam,
} from '@medplum/fhirtypes';
import { fullTextParameters, resourceColumnParameters, type SearchParameterLookup } from '../../record/search/index.ts';

type TypeInteraction = NonNullable<CapabilityStatementRestResource['interaction']>[number]['code'];

export interface ServedType {
  type: string;
  interactions: readonly TypeInteraction[];
  /**
   * `indexed`: the type is searchable through the search index (search-routes.ts); adds the
   * search-type interaction and lists every indexed parameter.
   */
  search?: 'indexed';
  /** Conditional create, update and delete (one match) are served (record/conditional.ts). */
  conditional?: boolean;
  /** Type-level operations served, by name. */
  operations?: readonly { name: string; definition: string }[];
}

/**
 * The searchParam list of a type, from the same definitions the indexer evaluates
 * (record/search/search-parameters.ts, and the hub's custom SearchParameters), so the statement
 * never lists a parameter that has no index rows
 * (http://hl7.org/fhir/R4/capabilitystatement-definitions.html#CapabilityStatement.rest.resource.searchParam).
 * `_text` and `_content` are typed string, as in the R4 definitions.
 */
export function indexedSearchParams(type: string, parameters: SearchParameterLookup): CapabilityStatementRestResourceSearchParam[] {
  const columns = Object.entries(resourceColumnParameters).map(([name, p]) => ({ name, type: p.type, definition: p.url }));
  const fullText = Object.entries(fullTextParameters).map(([name, p]) => ({ name, type: 'string' as const, definition: p.url }));
  // A custom SearchParameter may have no canonical URL; then it has no definition to point at.
  const indexed = [...parameters.parametersOf(type).values()].map((p) => ({ name: p.code, type: p.type, ...(p.url ? { definition: p.url } : {}) }));
  return [...columns, ...fullText, ...indexed].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The `_include` and `_revinclude` values a type answers (http://hl7.org/fhir/R4/search.html#include):
 * `*` and its own reference parameters as `Type:param`; `*` and the reference parameters of
 * the searchable types that may point at it.
 */
export function includeParams(
  type: string,
  searchable: readonly string[],
  parameters: SearchParameterLookup,
): Pick<CapabilityStatementRestResource, 'searchInclude' | 'searchRevInclude'> {
  const references = (source: string) => [...parameters.parametersOf(source).values()].filter((p) => p.type === 'reference');
  const revIncludes = searchable.flatMap((source) =>
    references(source).filter((p) => p.targets.length === 0 || p.targets.includes(type)).map((p) => `${source}:${p.code}`),
  );
  return { searchInclude: ['*', ...references(type).map((p) => `${type}:${p.code}`).sort()], searchRevInclude: ['*', ...revIncludes.sort()] };
}

function interactionsOf(t: ServedType): TypeInteraction[] {
  return t.search === 'indexed' && !t.interactions.includes('search-type') ? [...t.interactions, 'search-type'] : [...t.interactions];
}

export function buildCapabilityStatement(options: {
  baseUrl: string;
  version: string;
  types: readonly ServedType[];
  /** The hub's search parameters as they are now (SearchParameterRegistry.current()). */
  parameters: SearchParameterLookup;
}): CapabilityStatement {
  const searchable = options.types.filter((t) => t.search === 'indexed').map((t) => t.type);
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString().slice(0, 10),
    kind: 'instance',
    publisher: 'Longitude',
    software: { name: 'Longitude', version: options.version },
    implementation: { description: 'Longitude hub', url: options.baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'history-system' }],
        security: {
          cors: false,
          description: 'Bearer tokens (JWT) carrying role, purpose of use and, for members, the person: `longitude token --role ROLE`.',
        },
        resource: options.types.map((t) => ({
          type: t.type as CapabilityStatementRestResource['type'],
          interaction: interactionsOf(t).map((code) => ({ code })),
          ...(t.search === 'indexed' ? { searchParam: indexedSearchParams(t.type, options.parameters), ...includeParams(t.type, searchable, options.parameters) } : {}),
          versioning: 'versioned-update',
          readHistory: true,
          updateCreate: true,
          ...(t.conditional ? { conditionalCreate: true, conditionalUpdate: true, conditionalDelete: 'single' as const } : {}),
          ...(t.operations ? { operation: [...t.operations] } : {}),
        })),
      },
    ],
  };
}
