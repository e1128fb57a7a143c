/**
 * The measure engine: executes eCQMs from their ELM with cql-execution over one patient's
 * FHIR resources (cql-exec-fhir's R4 data model) for a measurement period, and returns plain
 * data: population membership, whether there is a care gap, and why.
 *
 * Storage-free by design: the input is a patient Bundle (or an array of resources) and a
 * period; callers decide where the resources come from (a test bundle, the longitudinal
 * record's Patient compartment).
 */
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { DateTime, Executor, Library, Repository, type CodeService, type Interval, type PatientObject, type Results } from 'cql-execution';
import { PatientSource } from 'cql-exec-fhir';
import { LongitudeError } from '../../platform/errors.ts';
import { elmDefines, elmSourceText, type ElmDefine } from './elm.ts';
import { explainDefine, type Criterion, type CriteriaContext } from './explain-criteria.ts';
import { memoizeRecordKeys } from './distinct-key-memo.ts';
import { memoizeModelInfo } from './fhir-object-memo.ts';
import type { ImprovementNotation, MeasureDefinition } from './measure-content.ts';
import { toCqlInterval, type MeasurementPeriod } from './measurement-period.ts';
import { applyProportionRules, isCareGap, isMember, populationCodes, type PopulationCode, type PopulationMembership } from './populations.ts';
import { loadPatient, providerOf } from './patient-data.ts';
import { createCodeService } from './value-set-codes.ts';

/** The outcome for one patient and one measure. */
export interface PatientMeasureResult {
  measureId: string;
  patientId: string;
  period: MeasurementPeriod;
  populations: PopulationMembership;
  /** In the denominator, not excluded or excepted, on the wrong side of the numerator. */
  careGap: boolean;
  explanation: MeasureExplanation;
}

export interface InitialPopulationResults {
  results: PatientMeasureResult[];
  failures: { measureId: string; message: string }[];
}

export interface MeasureExplanation {
  improvementNotation: ImprovementNotation;
  /** Each population's define, explained by the criteria that decided it. */
  criteria: Partial<Record<PopulationCode, Criterion>>;
  /**
   * For a care gap, the criteria that put the patient on the wrong side of the numerator:
   * the false define statements (or clauses) gating it, or for an inverse measure the true
   * ones. Empty when there is no gap.
   */
  gapReasons: Criterion[];
  /** One line: where the patient stands and the deciding criteria. */
  summary: string;
}

export interface MeasureEngineOptions {
  /**
   * Retrieve only resources whose meta.profile names the retrieve's QI-Core profile, as
   * fqm-execution does by default (trustMetaProfile). Needed where two profiles share a
   * resource type and differ only by profile, e.g. ObservationNotDone vs Observation. Data
   * without meta.profile must run with this off (or be tagged on ingest). Default: true.
   */
  requireProfileTagging?: boolean;
}

export interface MeasureEngine {
  readonly measures: readonly MeasureDefinition[];
  /** Evaluates one patient against every measure (or the ids given). */
  evaluate(patient: Bundle | Resource[], period: MeasurementPeriod, measureIds?: readonly string[]): Promise<PatientMeasureResult[]>;
  /**
   * The same results, for the measures whose initial population the patient is in only: the
   * others cannot hold a care gap, so they are left out after their initial population
   * define alone was evaluated (a fraction of the whole library).
   */
  /**
   * The measures whose initial population the patient is in, each evaluated in full. A measure
   * the CQL engine fails on is reported in `failures`, and the others still run.
   */
  evaluateInitialPopulations(patient: Bundle | Resource[], period: MeasurementPeriod, measureIds?: readonly string[]): Promise<InitialPopulationResults>;
}

/** A measure compiled once for many patients: the Library tree and its terminology. */
interface PreparedMeasure {
  definition: MeasureDefinition;
  library: Library;
  codeService: CodeService;
  defines: Map<string, ElmDefine>;
  sourceText: Map<string, string>;
  definedPopulations: PopulationCode[];
}

function prepareMeasure(definition: MeasureDefinition): PreparedMeasure {
  // The Repository resolves includes by ELM identifier and version, not URL (SOURCE.md defect 2).
  const repository = new Repository([definition.library, ...definition.dependencies]);
  const library = new Library(definition.library, repository);
  return {
    definition,
    library,
    codeService: createCodeService(definition.valueSets),
    defines: elmDefines(definition.library),
    sourceText: elmSourceText(definition.library),
    definedPopulations: populationCodes.filter((code) => definition.populations[code] !== undefined),
  };
}

/** Compiles the measures once; the engine then evaluates any number of patients. */
export function createMeasureEngine(definitions: readonly MeasureDefinition[], options: MeasureEngineOptions = {}): MeasureEngine {
  const prepared = new Map(definitions.map((definition) => [definition.id, prepareMeasure(definition)]));
  // Parsing the FHIR model info is the expensive part of a PatientSource; one is reused, and
  // used synchronously only (see loadPatient), so concurrent evaluations cannot mix.
  const source = PatientSource.FHIRv401({ requireProfileTagging: options.requireProfileTagging ?? true });
  memoizeModelInfo(source);
  memoizeRecordKeys();
  return {
    measures: definitions,
    async evaluate(patient, period, measureIds) {
      const bundle = toPatientBundle(patient);
      const results: PatientMeasureResult[] = [];
      const data = loadPatient(source, bundle);
      for (const measure of measuresOf(measureIds)) results.push(await evaluateMeasure(measure, data, period));
      return results;
    },
    async evaluateInitialPopulations(patient, period, measureIds) {
      const bundle = toPatientBundle(patient);
      const found: InitialPopulationResults = { results: [], failures: [] };
      const data = loadPatient(source, bundle);
      for (const measure of measuresOf(measureIds)) {
        try {
          if (!(await inInitialPopulation(measure, data, period))) continue;
          found.results.push(await evaluateMeasure(measure, data, period));
        } catch (err) {
          // Only the CQL engine failing on this patient's data (execute's LNG_UNPROCESSABLE)
          // is one measure's problem; anything else is the engine's and stops the run.
          if (!(err instanceof LongitudeError) || err.code !== 'LNG_UNPROCESSABLE') throw err;
          found.failures.push({ measureId: measure.definition.id, message: err.message });
        }
      }
      return found;
    },
  };

  function measuresOf(measureIds: readonly string[] | undefined): PreparedMeasure[] {
    return (measureIds ?? definitions.map((definition) => definition.id)).map((id) => {
      const measure = prepared.get(id);
      if (!measure) throw new LongitudeError('LNG_NOT_FOUND', `measure ${id} is not loaded`);
      return measure;
    });
  }
}

/** Wraps loose resources in a collection Bundle; refuses input without exactly one Patient. */
export function toPatientBundle(patient: Bundle | Resource[]): Bundle {
  const bundle: Bundle = Array.isArray(patient)
    ? { resourceType: 'Bundle', type: 'collection', entry: patient.map((resource) => ({ resource })) }
    : patient;
  const patients = (bundle.entry ?? []).filter((entry) => entry.resource?.resourceType === 'Patient');
  if (patients.length !== 1) {
    throw new LongitudeError('LNG_BAD_REQUEST', `a measure evaluation needs exactly one Patient resource, got ${patients.length}`);
  }
  return bundle;
}

/**
 * The CQL values of a period, parsed once: cql-execution checks every DateTime string with
 * luxon formats, which cost more than some whole evaluations. Engine values are not mutated
 * (an evaluation shares one interval across all its defines already).
 */
const periodValues = new Map<string, { interval: Interval; executionDateTime: DateTime }>();

function cqlValuesOf(period: MeasurementPeriod): { interval: Interval; executionDateTime: DateTime } {
  const key = `${period.start}/${period.end}`;
  let values = periodValues.get(key);
  if (!values) {
    // No measure here reads Now(); the period's end keeps results reproducible if one does.
    const executionDateTime = DateTime.parse(`${period.end}T23:59:59.999Z`);
    if (!executionDateTime) throw new LongitudeError('LNG_BAD_REQUEST', `measurement period end ${period.end} is not a date`);
    values = { interval: toCqlInterval(period), executionDateTime };
    if (periodValues.size > 16) periodValues.clear();
    periodValues.set(key, values);
  }
  return values;
}

/** Runs the library for one patient: every define, or only `define` (with what it references). */
async function execute(measure: PreparedMeasure, patient: PatientObject, period: MeasurementPeriod, define?: string): Promise<Results> {
  const { interval, executionDateTime } = cqlValuesOf(period);
  const executor = new Executor(measure.library, measure.codeService, { 'Measurement Period': interval });
  const provider = providerOf(patient);
  const restoreConsole = muteMissingElementNotices();
  try {
    return define === undefined
      ? await executor.exec_patient_context(provider, executionDateTime)
      : await executor.exec_expression(define, provider, executionDateTime);
  } catch (err) {
    // cql-execution's message spans several lines (library, expression, locator); one line here.
    const message = (err as Error).message.replace(/\s+/g, ' ').trim();
    throw new LongitudeError('LNG_UNPROCESSABLE', `${measure.definition.id}: the CQL engine failed: ${message}`, { cause: err });
  } finally {
    restoreConsole();
  }
}

/**
 * Whether the patient is in the initial population, from that define alone. Every other
 * population is a subset of it (populations.ts), so outside it there is no care gap; CQL
 * defines are functions of the data, so the value is the one a full run computes.
 */
async function inInitialPopulation(measure: PreparedMeasure, patient: PatientObject, period: MeasurementPeriod): Promise<boolean> {
  const define = measure.definition.populations['initial-population'];
  if (define === undefined) return true;
  const results = await execute(measure, patient, period, define);
  const [values] = Object.values(results.patientResults as Record<string, Record<string, unknown>>);
  return isMember(values?.[define]);
}

async function evaluateMeasure(measure: PreparedMeasure, patient: PatientObject, period: MeasurementPeriod): Promise<PatientMeasureResult> {
  const { definition } = measure;
  const results = await execute(measure, patient, period);
  const [patientId] = Object.keys(results.patientResults as object);
  if (patientId === undefined) throw new LongitudeError('LNG_INTERNAL', `${definition.id}: the engine returned no patient result`);
  const defineValues = (results.patientResults as Record<string, Record<string, unknown>>)[patientId] ?? {};
  const localIds = (results.localIdPatientResultsMap as Record<string, Record<string, Record<string, unknown>>>)[patientId] ?? {};
  const raw: Partial<Record<PopulationCode, unknown>> = {};
  for (const code of measure.definedPopulations) raw[code] = defineValues[definition.populations[code] as string];
  const populations = applyProportionRules(raw, measure.definedPopulations);
  const careGap = isCareGap(populations, definition.improvementNotation);
  const context: CriteriaContext = {
    defines: measure.defines,
    sourceText: measure.sourceText,
    defineValues,
    clauseValues: localIds[definition.library.library.identifier.id] ?? {},
  };
  const criteria: Partial<Record<PopulationCode, Criterion>> = {};
  for (const code of measure.definedPopulations) criteria[code] = explainDefine(definition.populations[code] as string, context);
  const gapReasons = careGap ? (criteria.numerator?.because ?? []) : [];
  return {
    measureId: definition.id,
    patientId,
    period,
    populations,
    careGap,
    explanation: {
      improvementNotation: definition.improvementNotation,
      criteria,
      gapReasons,
      summary: summarize(populations, careGap, criteria, definition.improvementNotation),
    },
  };
}

/**
 * cql-exec-fhir writes "Failed to locate element for <Type>.<field>" with console.error each
 * time CQL navigates a field the resource type does not have. The QI-Core helper libraries do
 * that by design (one function over a Choice of MedicationRequest and Procedure reads
 * `.performed` and `.authoredOn` on both); the result is null, as CQL intends. Those lines,
 * and only those, are dropped while an evaluation runs. Counted, so overlapping evaluations
 * restore the original console.error once the last one ends.
 */
let muted = 0;
let originalConsoleError: typeof console.error = console.error;

function muteMissingElementNotices(): () => void {
  if (muted === 0) {
    originalConsoleError = console.error;
    const passThrough = originalConsoleError;
    console.error = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith('Failed to locate element for ')) return;
      passThrough(...args);
    };
  }
  muted += 1;
  return () => {
    muted -= 1;
    if (muted === 0) console.error = originalConsoleError;
  };
}

function describe(criteria: Criterion[] | undefined): string {
  const parts = (criteria ?? []).map((c) => `${c.define ? `"${c.define}"` : c.cql ?? 'a clause'} is ${c.display ?? c.value}`);
  return parts.length > 0 ? parts.join('; ') : 'no deciding criterion recorded';
}

function summarize(
  populations: PopulationMembership,
  careGap: boolean,
  criteria: Partial<Record<PopulationCode, Criterion>>,
  notation: ImprovementNotation,
): string {
  if (!populations['initial-population']) return `not in the initial population: ${describe(criteria['initial-population']?.because)}`;
  if (!populations.denominator) return `not in the denominator: ${describe(criteria.denominator?.because)}`;
  if (populations['denominator-exclusion']) return `excluded: ${describe(criteria['denominator-exclusion']?.because)}`;
  if (populations['denominator-exception']) return `excepted: ${describe(criteria['denominator-exception']?.because)}`;
  const numerator = describe(criteria.numerator?.because);
  if (careGap) {
    return notation === 'increase'
      ? `care gap: numerator not met: ${numerator}`
      : `care gap: numerator (the poor outcome) met: ${numerator}`;
  }
  return populations.numerator ? `numerator met: ${numerator}` : `numerator (the poor outcome) not met: ${numerator}`;
}
