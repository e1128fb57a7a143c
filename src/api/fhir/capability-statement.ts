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
import { resourceColumnParameters, searchParametersOf } from '../../record/search/index.ts';

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
 * (record/search/search-parameters.ts), so the statement never lists a parameter that has no
 * index rows (http://hl7.org/fhir/R4/capabilitystatement-definitions.html#CapabilityStatement.rest.resource.searchParam).
 */
export function indexedSearchParams(type: string): CapabilityStatementRestResourceSearchParam[] {
  const columns = Object.entries(resourceColumnParameters).map(([name, p]) => ({ name, type: p.type, definition: p.url }));
  const indexed = [...searchParametersOf(type).values()].map((p) => ({ name: p.code, type: p.type, definition: p.url }));
  return [...columns, ...indexed].sort((a, b) => a.name.localeCompare(b.name));
}

function interactionsOf(t: ServedType): TypeInteraction[] {
  return t.search === 'indexed' && !t.interactions.includes('search-type') ? [...t.interactions, 'search-type'] : [...t.interactions];
}

export function buildCapabilityStatement(options: {
  baseUrl: string;
  version: string;
  types: readonly ServedType[];
}): CapabilityStatement {
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
          ...(t.search === 'indexed' ? { searchParam: indexedSearchParams(t.type) } : {}),
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
