/**
 * Patient-measure evaluations per second: our measure engine beside fqm-execution (npm) on
 * the same inputs in the same run: the 313 labelled test patients of the six measures in
 * ../shared/data/measures, each evaluated for its own measure and period. Also checks
 * whether both agree with the expected MeasureReports and with each other, population by
 * population.
 *
 * fqm-execution runs two ways: "batch", one calculate() call per measure with all of that
 * measure's patients (its bulk path, setup paid once per measure), and "per patient", one
 * call per patient (how an incremental recompute would call it), with its ELM cache on. Per
 * patient costs about a second a call, so that row runs on the first --sample patients of
 * each measure only. Ours compiles each measure once and then evaluates one patient at a time.
 *
 * The machine is shared, so engines take turns over --rounds rounds and each keeps its best
 * round.
 *
 *   node --import tsx bench/signals/measures.ts [--rounds 3] [--sample 5] [--dir ../shared/data/measures]
 */
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { Bundle, Library, Resource } from '@medplum/fhirtypes';
import { Calculator } from 'fqm-execution';
import {
  createMeasureEngine,
  loadMeasureContent,
  loadMeasureTestCases,
  populationCodes,
  type MeasureDefinition,
  type MeasureTestCase,
  type PopulationMembership,
} from '../../src/intelligence/measures/index.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    sample: { type: 'string', default: '5' },
    dir: { type: 'string', default: new URL('../../../shared/data/measures/', import.meta.url).pathname },
  },
});

/** Measure + one Library per ELM (base64 content) + ValueSets, as SOURCE.md describes for fqm-execution. */
function fqmMeasureBundle(definition: MeasureDefinition): Bundle {
  const mainUrl = definition.measure.library?.[0] ?? '';
  const library = (elm: MeasureDefinition['library'], url: string): Library => ({
    resourceType: 'Library',
    id: elm.library.identifier.id,
    url,
    version: elm.library.identifier.version,
    name: elm.library.identifier.id,
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/library-type', code: 'logic-library' }] },
    content: [{ contentType: 'application/elm+json', data: Buffer.from(JSON.stringify(elm)).toString('base64') }],
  });
  const resources: Resource[] = [
    definition.measure,
    library(definition.library, mainUrl),
    ...definition.dependencies.map((elm) => library(elm, `https://madie.cms.gov/Library/${elm.library.identifier.id}`)),
    ...definition.valueSets,
  ];
  return { resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ resource })) };
}

type Memberships = Map<string, PopulationMembership>; // test-case uuid → populations
type CalculateArgs = Parameters<typeof Calculator.calculate>;

const fqmOptions = {
  calculateHTML: false,
  calculateSDEs: false,
  calculateClauseCoverage: false,
  calculateCoverageDetails: false,
  verboseCalculationResults: false,
  useElmJsonsCaching: true,
  trustMetaProfile: true,
};

async function runFqm(definitions: MeasureDefinition[], casesOf: Map<string, MeasureTestCase[]>, batch: boolean): Promise<Memberships> {
  const out: Memberships = new Map();
  for (const definition of definitions) {
    const bundle = fqmMeasureBundle(definition) as unknown as CalculateArgs[0];
    const cases = (casesOf.get(definition.id) ?? []).slice(0, batch ? undefined : sample);
    const period = cases[0]?.period ?? { start: '2025-01-01', end: '2025-12-31' };
    const options = { ...fqmOptions, measurementPeriodStart: period.start, measurementPeriodEnd: period.end };
    const groups = batch ? [cases] : cases.map((c) => [c]);
    for (const group of groups) {
      const patients = group.map((c) => c.bundle) as unknown as CalculateArgs[1];
      const { results } = await Calculator.calculate(bundle, patients, options);
      for (const [i, result] of results.entries()) {
        const testCase = group.find((c) => patientIdOf(c) === result.patientId) ?? group[i];
        const membership: PopulationMembership = {};
        for (const population of result.detailedResults?.[0]?.populationResults ?? []) {
          membership[population.populationType as keyof PopulationMembership] = population.result;
        }
        if (testCase) out.set(testCase.uuid, membership);
      }
    }
  }
  return out;
}

function patientIdOf(testCase: MeasureTestCase): string | undefined {
  return testCase.bundle.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource?.id;
}

async function runOurs(engine: ReturnType<typeof createMeasureEngine>, cases: MeasureTestCase[]): Promise<Memberships> {
  const out: Memberships = new Map();
  for (const c of cases) {
    const [result] = await engine.evaluate(c.bundle, c.period, [c.measureId]);
    if (result) out.set(c.uuid, result.populations);
  }
  return out;
}

/** Same membership in every population the expected report (or the other engine) names. */
function agrees(a: PopulationMembership | undefined, b: PopulationMembership | undefined): boolean {
  if (!a || !b) return false;
  return populationCodes.every((code) => a[code] === undefined || b[code] === undefined || a[code] === b[code]);
}

function expectedMembership(c: MeasureTestCase): PopulationMembership {
  return Object.fromEntries(Object.entries(c.expected).map(([code, count]) => [code, count > 0]));
}

// cql-exec-fhir console.errors "Failed to locate element for …" whenever the QI-Core helpers
// read a field a type lacks (our engine drops those lines while it runs; see measure-engine.ts).
// Dropped here for fqm-execution's runs too, so the figures stay readable.
const consoleError = console.error;
console.error = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].startsWith('Failed to locate element for ')) return;
  consoleError(...args);
};

const sample = Number(values.sample);
const definitions = loadMeasureContent(values.dir);
const cases = definitions.flatMap((definition) => loadMeasureTestCases(values.dir, definition));
const casesOf = new Map(definitions.map((d) => [d.id, cases.filter((c) => c.measureId === d.id)]));
console.log(`${definitions.length} measures, ${cases.length} test patients (one evaluation each per pass)`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}\n`);

let started = performance.now();
const engine = createMeasureEngine(definitions);
const compileMs = performance.now() - started;

interface Runner {
  name: string;
  /** The test cases it evaluates each pass. */
  cases: MeasureTestCase[];
  run(): Promise<Memberships>;
  best: number;
  last?: Memberships;
}
const sampled = definitions.flatMap((d) => (casesOf.get(d.id) ?? []).slice(0, sample));
const runners: Runner[] = [
  { name: 'longitude (cql-execution 3.3.2 + cql-exec-fhir 2.2.0)', cases, run: () => runOurs(engine, cases), best: Infinity },
  { name: 'fqm-execution 1.8.6, batch per measure', cases, run: () => runFqm(definitions, casesOf, true), best: Infinity },
  {
    name: `fqm-execution 1.8.6, one call per patient (${sampled.length} patients)`,
    cases: sampled,
    run: () => runFqm(definitions, casesOf, false),
    best: Infinity,
  },
];

// Warm-up pass (JIT, fqm's ELM cache), untimed; then timed rounds, engines taking turns.
for (const runner of runners) runner.last = await runner.run();
for (let round = 0; round < Number(values.rounds); round++) {
  for (const runner of runners) {
    started = performance.now();
    runner.last = await runner.run();
    runner.best = Math.min(runner.best, (performance.now() - started) / 1000);
  }
}

const ours = runners[0] as Runner;
const msPerEvaluation = (runner: Runner) => (1000 * runner.best) / runner.cases.length;
console.log(`our engine compiles the six measures once: ${compileMs.toFixed(0)} ms; best of ${values.rounds} rounds\n`);
console.log(['engine', 'evaluations/s', 'ms/evaluation', 'this ÷ ours (time)', 'match expected', 'same as ours'].join(' | '));
for (const runner of runners) {
  const n = runner.cases.length;
  const matchExpected = runner.cases.filter((c) => agrees(runner.last?.get(c.uuid), expectedMembership(c))).length;
  const sameAsOurs = runner.cases.filter((c) => agrees(runner.last?.get(c.uuid), ours.last?.get(c.uuid))).length;
  console.log(
    [
      runner.name,
      (n / runner.best).toFixed(1),
      msPerEvaluation(runner).toFixed(1),
      `${(msPerEvaluation(runner) / msPerEvaluation(ours)).toFixed(2)}×`,
      `${matchExpected}/${n}`,
      `${sameAsOurs}/${n}`,
    ].join(' | '),
  );
}
const disagreements = cases.filter((c) => !agrees(runners[1]?.last?.get(c.uuid), ours.last?.get(c.uuid)));
for (const c of disagreements) {
  console.log(`differs from fqm-execution: ${c.measureId} "${c.name}": ours ${JSON.stringify(ours.last?.get(c.uuid))}, fqm ${JSON.stringify(runners[1]?.last?.get(c.uuid))}`);
}
