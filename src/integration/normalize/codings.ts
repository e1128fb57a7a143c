/**
 * How normalization adds to a resource without taking anything away: an added coding sits
 * beside the sender's codings, marked `userSelected: false` (FHIR R4 Coding.userSelected: "this
 * coding was not chosen directly by the user", http://hl7.org/fhir/R4/datatypes.html#Coding) and
 * with the rule that added it; a replaced value keeps the sender's original in an extension.
 */
import type { CodeableConcept, Coding, Extension } from '@medplum/fhirtypes';

export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
export const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const UCUM = 'http://unitsofmeasure.org';

/** On an added coding: which table entry or rule added it (`lab-codes/hospital.json#GLU`). */
export const NORMALIZATION_RULE_EXTENSION = 'urn:longitude:normalize:rule';
/** On a replaced element: the sender's value as it arrived (valueString or valueQuantity). */
export const ORIGINAL_VALUE_EXTENSION = 'urn:longitude:normalize:original-value';

/** One explainable edit: where, what it was, what it became, and the table entry or rule. */
export interface NormalizationChange {
  /** FHIRPath-like location inside the resource (Bundle entries are prefixed). */
  path: string;
  from: unknown;
  to: unknown;
  rule: string;
}

/** A coding normalization adds: never user-selected, and naming its rule. */
export function addedCoding(system: string, code: string, display: string | undefined, rule: string): Coding {
  return {
    extension: [{ url: NORMALIZATION_RULE_EXTENSION, valueString: rule }],
    system,
    code,
    ...(display ? { display } : {}),
    userSelected: false,
  };
}

export function hasSystem(concept: CodeableConcept | undefined, system: string): boolean {
  return concept?.coding?.some((c) => c.system === system && c.code) ?? false;
}

export function codeIn(concept: CodeableConcept | undefined, system: string): string | undefined {
  return concept?.coding?.find((c) => c.system === system && c.code)?.code;
}

/** Appends a coding to a concept (in place) and returns the change that says so. */
export function appendCoding(concept: CodeableConcept, coding: Coding, path: string): NormalizationChange {
  const index = concept.coding?.length ?? 0;
  concept.coding = [...(concept.coding ?? []), coding];
  return { path: `${path}.coding[${index}]`, from: null, to: { system: coding.system, code: coding.code }, rule: ruleOf(coding) };
}

function ruleOf(coding: Coding): string {
  return coding.extension?.find((e) => e.url === NORMALIZATION_RULE_EXTENSION)?.valueString ?? 'unknown';
}

export function originalValue(value: Pick<Extension, 'valueString' | 'valueQuantity'>): Extension {
  return { url: ORIGINAL_VALUE_EXTENSION, ...value };
}
