/**
 * Agreement of our measure pipeline with the expected MeasureReports of the labelled test
 * patients: each patient is evaluated for its measure and period, and every population count
 * the report gives is compared. A patient matches when all of them agree.
 */
import { isLongitudeError } from '../../platform/errors.ts';
import { createMeasureEngine, type MeasureEngine, type MeasureEngineOptions, type PatientMeasureResult } from './measure-engine.ts';
import { loadMeasureContent, type MeasureDefinition } from './measure-content.ts';
import type { MeasurementPeriod } from './measurement-period.ts';
import { loadMeasureTestCases, type MeasureTestCase } from './measure-test-cases.ts';
import type { PopulationCode } from './populations.ts';

export interface CaseMismatch {
  measureId: string;
  uuid: string;
  name: string;
  /** Population code → [expected, ours]. */
  differences: Partial<Record<PopulationCode, [number, number]>>;
  /** Our explanation, to read next to the test-case name. */
  summary: string;
}

export interface MeasureAgreement {
  matched: number;
  total: number;
}

export interface MeasureEvalReport extends MeasureAgreement {
  measures: Record<string, MeasureAgreement>;
  mismatches: CaseMismatch[];
}

export interface MeasureEvalOptions {
  /** Only these measures (default: all in the manifest). */
  measureIds?: readonly string[];
  /** Evaluate every case for this period instead of its MeasureReport's. */
  period?: MeasurementPeriod;
  engine?: MeasureEngineOptions;
  onProgress?: (done: number, total: number) => void;
}

/** Loads the content and test cases under `dir` and evaluates them all. */
export async function evaluateMeasureTestCases(dir: string, options: MeasureEvalOptions = {}): Promise<MeasureEvalReport> {
  const definitions = loadMeasureContent(dir, options.measureIds);
  const cases = definitions.flatMap((definition) => loadMeasureTestCases(dir, definition));
  return compareTestCases(definitions, cases, options);
}

/** Evaluates loaded test cases and compares them with their expected counts. */
export async function compareTestCases(
  definitions: readonly MeasureDefinition[],
  cases: readonly MeasureTestCase[],
  options: MeasureEvalOptions = {},
): Promise<MeasureEvalReport> {
  const engine = createMeasureEngine(definitions, options.engine);
  const report: MeasureEvalReport = { matched: 0, total: 0, measures: {}, mismatches: [] };
  for (const definition of definitions) report.measures[definition.id] = { matched: 0, total: 0 };
  let done = 0;
  for (const testCase of cases) {
    const outcome = await evaluateOne(engine, testCase, options.period);
    const differences = 'error' in outcome ? errorDifferences(testCase.expected) : compareCounts(testCase.expected, outcome);
    const agreement = report.measures[testCase.measureId] as MeasureAgreement;
    agreement.total += 1;
    report.total += 1;
    if (Object.keys(differences).length === 0) {
      agreement.matched += 1;
      report.matched += 1;
    } else {
      report.mismatches.push({
        measureId: testCase.measureId,
        uuid: testCase.uuid,
        name: testCase.name,
        differences,
        summary: 'error' in outcome ? `error: ${outcome.error}` : outcome.explanation.summary,
      });
    }
    done += 1;
    options.onProgress?.(done, cases.length);
  }
  return report;
}

/** A case the engine cannot evaluate counts as a mismatch (named in the report), not an abort. */
async function evaluateOne(
  engine: MeasureEngine,
  testCase: MeasureTestCase,
  period: MeasurementPeriod | undefined,
): Promise<PatientMeasureResult | { error: string }> {
  try {
    const [result] = await engine.evaluate(testCase.bundle, period ?? testCase.period, [testCase.measureId]);
    return result as PatientMeasureResult;
  } catch (err) {
    if (isLongitudeError(err) && err.code === 'LNG_UNPROCESSABLE') return { error: err.message };
    throw err;
  }
}

/** Every expected count against "no answer" (shown as -1). */
function errorDifferences(expected: Partial<Record<PopulationCode, number>>): Partial<Record<PopulationCode, [number, number]>> {
  return Object.fromEntries(Object.entries(expected).map(([code, count]) => [code, [count, -1]]));
}

/** The population counts that differ (a patient-based count is 1 for a member, else 0). */
export function compareCounts(
  expected: Partial<Record<PopulationCode, number>>,
  result: Pick<PatientMeasureResult, 'populations'>,
): Partial<Record<PopulationCode, [number, number]>> {
  const differences: Partial<Record<PopulationCode, [number, number]>> = {};
  for (const [code, count] of Object.entries(expected) as [PopulationCode, number][]) {
    const ours = result.populations[code] ? 1 : 0;
    if (ours !== count) differences[code] = [count, ours];
  }
  return differences;
}
