/**
 * A data-quality finding: which rule, how bad, where (a FHIRPath-like location such as
 * `Observation.component[1].valueQuantity.value`) and what, in one sentence a data steward can
 * act on. Findings are information about the data, not refusals: the resource is still stored,
 * and the per-source report (quality-store.ts) says how much of a feed passes.
 */
export const severities = ['error', 'warning', 'information'] as const;
export type Severity = (typeof severities)[number];

/** Every rule, so reports, metrics and docs name the same set. */
export const qualityRules = {
  'required-element': 'an element the resource needs is missing',
  'code-loinc': 'LOINC code with a wrong shape or check digit',
  'code-icd10cm': 'ICD-10-CM code with a wrong shape',
  'code-cpt': 'CPT code with a wrong shape (or a HCPCS code under the CPT system)',
  'code-hcpcs': 'HCPCS code with a wrong shape',
  'code-ucum': 'UCUM unit code that UCUM does not define',
  'identifier-npi': 'NPI with a wrong shape or check digit',
  'unit-not-ucum': 'a quantity whose unit is not UCUM and could not be read as UCUM',
  'unit-incompatible': 'a quantity whose unit does not fit its LOINC code',
  'value-implausible': 'a value no living person has (a typo, a unit error)',
  'value-unusual': 'a possible but rare value, worth a look',
  'bp-diastolic-not-below-systolic': 'a blood pressure whose diastolic is not below its systolic',
  'date-in-future': 'a date of something that has happened, in the future',
  'date-death-before-birth': 'a death recorded before the birth',
  'date-birth-too-early': 'a birth date implying an age no person has reached',
  'period-end-before-start': 'a period that ends before it starts',
} as const;
export type QualityRuleId = keyof typeof qualityRules;

export interface QualityFinding {
  ruleId: QualityRuleId;
  severity: Severity;
  location: string;
  message: string;
}

export function finding(ruleId: QualityRuleId, severity: Severity, location: string, message: string): QualityFinding {
  return { ruleId, severity, location, message };
}
