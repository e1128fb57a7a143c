/**
 * Chronic conditions and their prevalence by age (adults unless noted). Figures are rounded
 * from these sources; docs/simulator.md lists them with links:
 * - Diabetes (diagnosed, type 2): CDC National Diabetes Statistics Report (2023):
 *   18-44 ~3 %, 45-64 ~14 %, 65+ ~24 % (diagnosed).
 * - Hypertension: NCHS Data Brief No. 364 (NHANES 2017-2018): 18-39 22.4 %, 40-59 54.5 %,
 *   60+ 74.5 % (>=130/80 or on medication).
 * - High cholesterol: CDC, "High Cholesterol Facts" (NHANES): ~11 % of adults with total
 *   cholesterol >= 240 mg/dL; higher with age. Treated as a diagnosis at 8/20/30 %.
 * - COPD: CDC BRFSS (2021), ~4.6 % of adults; ~1.5 % under 45, ~6 % at 45-64, ~10 % at 65+.
 * - Heart failure: AHA Heart Disease and Stroke Statistics (2023): ~6.7 million US adults;
 *   rising from <1 % under 40 to >8 % after 80.
 * - Depression: NIMH (NSDUH 2021), major depressive episode in the past year:
 *   18-25 18.6 %, 26-49 9.3 %, 50+ 4.5 %.
 * - Asthma: CDC Most Recent National Asthma Data (2021): 8.0 % adults, 6.5 % children.
 */
import type { Rng } from './random.ts';

export const conditionKeys = ['diabetes', 'hypertension', 'hyperlipidemia', 'copd', 'chf', 'depression', 'asthma'] as const;
export type ConditionKey = (typeof conditionKeys)[number];

export interface ConditionInfo {
  icd10: string;
  snomed: string;
  display: string;
  /** How clinicians abbreviate it in free text (problem lists, HL7 notes). */
  abbreviation: string;
}

export const conditionInfo: Record<ConditionKey, ConditionInfo> = {
  diabetes: { icd10: 'E11.9', snomed: '44054006', display: 'Type 2 diabetes mellitus without complications', abbreviation: 'DM2' },
  hypertension: { icd10: 'I10', snomed: '38341003', display: 'Essential (primary) hypertension', abbreviation: 'HTN' },
  hyperlipidemia: { icd10: 'E78.5', snomed: '55822004', display: 'Hyperlipidemia, unspecified', abbreviation: 'HLD' },
  copd: { icd10: 'J44.9', snomed: '13645005', display: 'Chronic obstructive pulmonary disease, unspecified', abbreviation: 'COPD' },
  chf: { icd10: 'I50.9', snomed: '42343007', display: 'Heart failure, unspecified', abbreviation: 'CHF' },
  depression: { icd10: 'F32.9', snomed: '35489007', display: 'Major depressive disorder, single episode, unspecified', abbreviation: 'MDD' },
  asthma: { icd10: 'J45.909', snomed: '195967001', display: 'Unspecified asthma, uncomplicated', abbreviation: 'asthma' },
};

/** Prevalence as [maximum age exclusive, probability] bands, checked in order. */
const PREVALENCE: Record<ConditionKey, readonly (readonly [number, number])[]> = {
  diabetes: [[18, 0.002], [45, 0.03], [65, 0.14], [200, 0.24]],
  hypertension: [[18, 0.01], [40, 0.224], [60, 0.545], [200, 0.745]],
  hyperlipidemia: [[18, 0], [40, 0.08], [60, 0.2], [200, 0.3]],
  copd: [[18, 0], [45, 0.015], [65, 0.06], [200, 0.1]],
  chf: [[18, 0], [40, 0.003], [60, 0.015], [80, 0.05], [200, 0.09]],
  depression: [[12, 0], [18, 0.1], [26, 0.186], [50, 0.093], [200, 0.045]],
  asthma: [[18, 0.065], [200, 0.08]],
};

export function prevalence(condition: ConditionKey, age: number): number {
  for (const [maxAge, p] of PREVALENCE[condition]) if (age < maxAge) return p;
  return 0;
}

/**
 * Draws a person's chronic conditions. Diabetes makes hypertension and high cholesterol more
 * likely (they cluster in the metabolic syndrome), and heart failure mostly follows
 * hypertension, so the conditions are not drawn independently.
 */
export function drawConditions(age: number, rng: Rng): ConditionKey[] {
  const has = new Set<ConditionKey>();
  for (const c of conditionKeys) {
    let p = prevalence(c, age);
    if (c === 'hypertension' && has.has('diabetes')) p = Math.min(0.95, p * 1.4);
    if (c === 'hyperlipidemia' && has.has('diabetes')) p = Math.min(0.9, p * 1.8);
    if (c === 'chf' && has.has('hypertension')) p = Math.min(0.5, p * 1.3);
    if (rng.chance(p)) has.add(c);
  }
  return conditionKeys.filter((c) => has.has(c));
}
