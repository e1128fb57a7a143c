/**
 * Normalization at entry (docs/integration.md, "Normalization"): local codes → LOINC, units →
 * UCUM, drugs → RxNorm ingredients, free text → structured values, and the same-fact key that
 * lets two sources' reports of one result become one resource.
 */
export { normalizeBundle, normalizeResource, labCodeTableFor, type BundleNormalizeResult, type NormalizeResult, type SourceContext } from './normalize-resource.ts';
export { sameFactKey, type SameFactOptions } from './same-fact-key.ts';
export { parseFreeText, type FreeTextValue, type AnalyteLabel } from './free-text.ts';
export { ucumCodeFor, convertUnit, isValidUcum } from './units.ts';
export { loincUnits, type LoincUnit } from './loinc-units.ts';
export { matchDrugText } from './drugs.ts';
export { matchConditionText } from './condition-text.ts';
export { lookupLabCode } from './lab-codes.ts';
export { loadNormalizationTables, shippedTables, type NormalizationTables, type LabCodeTable, type DrugTable, type ConditionTable } from './tables.ts';
export { NORMALIZATION_RULE_EXTENSION, ORIGINAL_VALUE_EXTENSION, type NormalizationChange } from './codings.ts';
