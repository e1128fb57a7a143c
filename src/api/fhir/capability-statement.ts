/**
 * The CapabilityStatement, generated from what the server really supports
 * (http://hl7.org/fhir/R4/capabilitystatement.html). Each route group declares its
 * interactions here, so the statement cannot claim what is not served.
 */
import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';

type TypeInteraction = NonNullable<CapabilityStatementRestResource['interaction']>[number]['code'];

export interface ServedType {
  type: string;
  interactions: readonly TypeInteraction[];
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
        security: {
          cors: false,
          description: 'Bearer tokens (JWT) carrying role, purpose of use and, for members, the person: `longitude token --role ROLE`.',
        },
        resource: options.types.map((t) => ({
          type: t.type as CapabilityStatementRestResource['type'],
          interaction: t.interactions.map((code) => ({ code })),
          versioning: 'versioned-update',
          readHistory: true,
          updateCreate: true,
        })),
      },
    ],
  };
}
