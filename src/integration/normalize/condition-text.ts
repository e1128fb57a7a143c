/**
 * Diagnoses sent as text only (`HTN`, `T2DM`, "type 2 diabetes") → ICD-10-CM and SNOMED CT
 * codings from tables/conditions.json. Only a text that is, as a whole, one of a condition's
 * names is coded (after trimming and case folding): "HTN" is hypertension, "r/o HTN" or
 * "family history of HTN" is not, and is left for a person to code.
 */
import type { CodeableConcept } from '@medplum/fhirtypes';
import { ICD10CM, SNOMED, addedCoding, appendCoding, type NormalizationChange } from './codings.ts';
import type { ConditionTable } from './tables.ts';

type ConditionEntry = ConditionTable['conditions'][number];

const indexes = new WeakMap<ConditionTable, Map<string, ConditionEntry>>();

function nameKey(text: string): string {
  return text.trim().replace(/[.;,]+$/, '').replace(/\s+/g, ' ').toLowerCase();
}

/** The condition a free text names, if the text is exactly one of its names. */
export function matchConditionText(text: string, table: ConditionTable): ConditionEntry | undefined {
  let index = indexes.get(table);
  if (!index) {
    index = new Map(table.conditions.flatMap((c) => c.names.map((n): [string, ConditionEntry] => [nameKey(n), c])));
    indexes.set(table, index);
  }
  return index.get(nameKey(text));
}

/**
 * Codes a text-only Condition.code (in place); a concept that has any coding is left alone.
 * @param path - `Condition.code`
 */
export function normalizeConditionConcept(concept: CodeableConcept | undefined, table: ConditionTable, path: string): NormalizationChange[] {
  if (!concept?.text || (concept.coding?.length ?? 0) > 0) return [];
  const entry = matchConditionText(concept.text, table);
  if (!entry) return [];
  const rule = `conditions.json#${entry.names[0]}`;
  return [
    appendCoding(concept, addedCoding(ICD10CM, entry.icd10cm, entry.icd10cmDisplay, rule), path),
    appendCoding(concept, addedCoding(SNOMED, entry.snomed, entry.snomedDisplay, rule), path),
  ];
}
