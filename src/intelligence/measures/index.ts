/**
 * Quality measures: eCQMs executed from their ELM (cql-execution + cql-exec-fhir) over one
 * patient's FHIR resources for a measurement period, with care gaps explained by the criteria
 * that decided them. See docs/signals.md, "Measures".
 */
export type { Criterion } from './explain-criteria.ts';
export { loadMeasureContent, listMeasureIds, type ImprovementNotation, type MeasureDefinition } from './measure-content.ts';
export {
  createMeasureEngine,
  toPatientBundle,
  type MeasureEngine,
  type MeasureEngineOptions,
  type MeasureExplanation,
  type PatientMeasureResult,
} from './measure-engine.ts';
export {
  compareCounts,
  compareTestCases,
  evaluateMeasureTestCases,
  type CaseMismatch,
  type MeasureAgreement,
  type MeasureEvalOptions,
  type MeasureEvalReport,
} from './measure-eval.ts';
export { loadMeasureTestCases, type MeasureTestCase } from './measure-test-cases.ts';
export { createMeasureEnginePool, type MeasureEnginePool, type MeasureEnginePoolOptions } from './measure-engine-pool.ts';
export { measurementPeriod, oneYearPeriod, toCqlInterval, type MeasurementPeriod } from './measurement-period.ts';
export { populationCodes, type PopulationCode, type PopulationMembership } from './populations.ts';
