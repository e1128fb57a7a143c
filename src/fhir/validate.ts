/**
 * Structure validation of FHIR R4 resources against the base StructureDefinitions, using
 * @medplum/core's validator (cardinality, types, required elements, formats of primitives,
 * unknown elements). Problems come back as Issues that name the element (FHIRPath).
 */
import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { LongitudeError, type Issue, type IssueType } from '../platform/errors.ts';
import { ensureStructureDefinitions } from './definitions.ts';

const idPattern = /^[A-Za-z0-9\-.]{1,64}$/;

/** Throws LNG_INVALID_RESOURCE with one issue per problem when the resource is not valid R4. */
export function assertValidResource(resource: unknown, expectedType?: string): asserts resource is Resource {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    throw new LongitudeError('LNG_INVALID_RESOURCE', 'the body must be a FHIR resource (a JSON object)');
  }
  const type = (resource as { resourceType?: unknown }).resourceType;
  if (typeof type !== 'string') {
    throw invalid([{ severity: 'error', code: 'required', diagnostics: 'resourceType is missing', expression: ['resourceType'] }]);
  }
  if (expectedType && type !== expectedType) {
    throw invalid([
      { severity: 'error', code: 'invalid', diagnostics: `expected a ${expectedType}, got a ${type}`, expression: ['resourceType'] },
    ]);
  }
  const id = (resource as { id?: unknown }).id;
  if (id !== undefined && (typeof id !== 'string' || !idPattern.test(id))) {
    throw invalid([{ severity: 'error', code: 'value', diagnostics: 'id must match [A-Za-z0-9-.]{1,64}', expression: [`${type}.id`] }]);
  }
  // No FHIR string may hold a NUL (http://hl7.org/fhir/R4/datatypes.html#string), and
  // PostgreSQL's jsonb cannot store one: refuse it here rather than fail in the database.
  if (holdsNul(resource)) {
    throw invalid([{ severity: 'error', code: 'value', diagnostics: 'strings may not contain a NUL character', expression: [type] }]);
  }
  ensureStructureDefinitions();
  try {
    validateResource(resource as Resource);
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    const issues: Issue[] = (err.outcome.issue ?? [])
      .filter((i) => i.severity === 'error' || i.severity === 'fatal')
      .filter((i) => !isValidBase64Binary(resource, i.details?.text ?? i.diagnostics, i.expression?.[0]))
      .map((i) => ({
        severity: i.severity as Issue['severity'],
        code: i.code as IssueType,
        diagnostics: i.details?.text ?? i.diagnostics ?? 'invalid',
        ...(i.expression ? { expression: i.expression } : {}),
      }));
    if (issues.length > 0) throw invalid(issues);
  }
}

/**
 * R4's base64Binary allows whitespace between the 4-character groups
 * (regex `(\s*([0-9a-zA-Z\+/=]){4}\s*)+`, http://hl7.org/fhir/R4/datatypes.html#base64Binary),
 * as in line-wrapped UDI barcodes (Device.udiCarrier.carrierAIDC); medplum's check refuses it.
 * Such an issue is dropped when the value it points at matches the R4 pattern.
 */
const r4Base64Binary = /^(\s*([0-9a-zA-Z+/=]){4}\s*)+$/;

function isValidBase64Binary(resource: object, diagnostics: string | undefined, expression: string | undefined): boolean {
  if (diagnostics !== 'Invalid base64Binary format' || !expression) return false;
  let value: unknown = resource;
  // Element paths such as Device.udiCarrier[0].carrierAIDC; the first step is the type.
  for (const step of expression.split('.').slice(1)) {
    const m = /^([A-Za-z0-9_]+)(?:\[(\d+)\])?$/.exec(step);
    if (!m || value === null || typeof value !== 'object') return false;
    value = (value as Record<string, unknown>)[m[1]!];
    if (m[2] !== undefined) value = Array.isArray(value) ? value[Number(m[2])] : undefined;
  }
  return typeof value === 'string' && r4Base64Binary.test(value);
}

function invalid(issues: Issue[]): LongitudeError {
  const first = issues[0]!;
  const where = first.expression?.[0] ? ` at ${first.expression[0]}` : '';
  return new LongitudeError('LNG_INVALID_RESOURCE', `invalid resource: ${first.diagnostics}${where}`, { issues });
}

function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\u0000') || holdsNul(v));
  return false;
}
