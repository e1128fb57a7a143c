/**
 * Data quality at entry (docs/integration.md, "Data quality"): rules over FHIR resources,
 * findings persisted per source/channel/message, a per-source report and Prometheus counters.
 */
export { checkQuality, checkBundleQuality, type QualityOptions, type ResourceQuality } from './check-quality.ts';
export { qualityRules, severities, type QualityFinding, type QualityRuleId, type Severity } from './finding.ts';
export { recordQualityChecks, recordQualityChecksOfMany, qualityReport, findingsOfMessage, type QualityOrigin, type QualityRecord, type SourceQualityReport, type RuleCount, type QualityReportQuery, type StoredFinding } from './quality-store.ts';
export { createQualityMetrics, countQualityChecks, type QualityMetrics } from './quality-metrics.ts';
export { isValidLoinc, isValidNpi, icd10cmShape, isCptShape, isHcpcsLevel2Shape, luhnValid } from './code-systems.ts';
export { plausibleRanges, type PlausibleRange } from './plausible-ranges.ts';
