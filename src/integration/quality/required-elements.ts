/**
 * Required elements per resource type: FHIR R4's minimum cardinality 1 (an error: the resource
 * is not valid without it) and what US Core makes mandatory or must-support for using the data
 * (a warning: a Patient without a birth date cannot be matched well, an Observation without an
 * effective time cannot be trended). `a|b` is "one of": `value[x]|dataAbsentReason|component`.
 */
import { finding, type QualityFinding, type Severity } from './finding.ts';

type Requirement = readonly [elements: string, severity: Severity];

const requirements: Readonly<Record<string, readonly Requirement[]>> = {
  Patient: [['identifier', 'error'], ['name', 'warning'], ['gender', 'warning'], ['birthDate', 'warning']],
  Observation: [['status', 'error'], ['code', 'error'], ['subject', 'error'], ['effective[x]', 'warning'], ['value[x]|dataAbsentReason|component|hasMember', 'warning']],
  Condition: [['subject', 'error'], ['code', 'warning']],
  Encounter: [['status', 'error'], ['class', 'error'], ['subject', 'warning']],
  MedicationRequest: [['status', 'error'], ['intent', 'error'], ['medication[x]', 'error'], ['subject', 'error'], ['authoredOn', 'warning']],
  DiagnosticReport: [['status', 'error'], ['code', 'error'], ['subject', 'warning']],
  Procedure: [['status', 'error'], ['subject', 'error'], ['code', 'warning']],
  Immunization: [['status', 'error'], ['vaccineCode', 'error'], ['patient', 'error'], ['occurrence[x]', 'error']],
  AllergyIntolerance: [['patient', 'error'], ['code', 'warning']],
  Coverage: [['status', 'error'], ['beneficiary', 'error'], ['payor', 'error']],
  ServiceRequest: [['status', 'error'], ['intent', 'error'], ['subject', 'error'], ['code', 'warning']],
};

function present(resource: Record<string, unknown>, element: string): boolean {
  if (element.endsWith('[x]')) {
    const prefix = element.slice(0, -3);
    return Object.keys(resource).some((k) => k.startsWith(prefix) && /^[A-Z]/.test(k.slice(prefix.length)) && isValued(resource[k]));
  }
  return isValued(resource[element]);
}

function isValued(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

export function checkRequiredElements(resource: { resourceType: string }): QualityFinding[] {
  const r = resource as unknown as Record<string, unknown>;
  return (requirements[resource.resourceType] ?? [])
    .filter(([elements]) => !elements.split('|').some((e) => present(r, e)))
    .map(([elements, severity]) => {
      const names = elements.split('|');
      const what = names.length > 1 ? `one of ${names.join(', ')}` : names[0]!;
      return finding('required-element', severity, `${resource.resourceType}.${names[0]}`, `${resource.resourceType} has no ${what}`);
    });
}
