/**
 * The engine on single patients, as a caller sees it: a Bundle or resources in, populations,
 * a care gap and its explanation out. Patients are test cases of ../shared/data/measures.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Resource } from '@medplum/fhirtypes';
import { expectCodedError } from '../../test-support/coded-error.ts';
import type { Criterion } from './explain-criteria.ts';
import { elmDefines } from './elm.ts';
import { loadMeasureContent, type MeasureDefinition } from './measure-content.ts';
import { createMeasureEngine, toPatientBundle, type MeasureEngine } from './measure-engine.ts';
import { loadMeasureTestCases, type MeasureTestCase } from './measure-test-cases.ts';
import { oneYearPeriod } from './measurement-period.ts';

const contentDir = new URL('../../../../shared/data/measures/', import.meta.url).pathname;
const year2025 = oneYearPeriod('2025-01-01');

let definitions: MeasureDefinition[];
let engine: MeasureEngine;
let cases: MeasureTestCase[];

function testCase(measureId: string, name: string): MeasureTestCase {
  const found = cases.find((c) => c.measureId === measureId && c.name === name);
  assert.ok(found, `${measureId} ${name}`);
  return found;
}

function defineNames(criterion: Criterion): string[] {
  return [...(criterion.define ? [criterion.define] : []), ...criterion.because.flatMap(defineNames)];
}

before(() => {
  definitions = loadMeasureContent(contentDir, ['CMS165', 'CMS122']);
  engine = createMeasureEngine(definitions);
  cases = definitions.flatMap((definition) => loadMeasureTestCases(contentDir, definition));
});

test('no blood pressure on record: a CMS165 care gap, explained by the defines that failed', async () => {
  const { bundle } = testCase('CMS165', 'DENEXFail AdvIllnessDxBefore2Yrs');
  const [result] = await engine.evaluate(bundle, year2025, ['CMS165']);
  assert.ok(result);
  assert.deepEqual(result.populations, {
    'initial-population': true,
    denominator: true,
    'denominator-exclusion': false,
    numerator: false,
  });
  assert.equal(result.careGap, true);
  assert.deepEqual(
    result.explanation.gapReasons.map((c) => [c.define, c.value]),
    [['Has Systolic Blood Pressure Less Than 140', false], ['Has Diastolic Blood Pressure Less Than 90', false]],
  );
  // One level down: there is no reading at all (null), not a high one.
  const systolic = result.explanation.gapReasons[0] as Criterion;
  assert.deepEqual(
    systolic.because.map((c) => [c.define, c.display]),
    [['Lowest Systolic Reading on Most Recent Blood Pressure Day', 'null']],
  );
  assert.match(result.explanation.summary, /^care gap: numerator not met: "Has Systolic Blood Pressure Less Than 140" is null/);
});

test('a high reading is shown with its value', async () => {
  const [result] = await engine.evaluate(testCase('CMS165', 'NUMERFail SBP140DBP89DuringMP').bundle, year2025, ['CMS165']);
  assert.ok(result);
  assert.equal(result.careGap, true);
  const [systolic] = result.explanation.gapReasons;
  assert.equal(systolic?.define, 'Has Systolic Blood Pressure Less Than 140');
  assert.equal(systolic.because[0]?.display, "140 'mm[Hg]'");
  // Diastolic 89 passed, so only the systolic define gates the numerator.
  assert.equal(result.explanation.gapReasons.length, 1);
});

test('records without profile tags (as the silos send them): a lab result is not a blood pressure reading', async () => {
  // A passing patient, its profile tags removed, plus a glucose result on the day of the reading.
  const { bundle } = testCase('CMS165', 'NUMERPass SBP139DBP89DuringMP');
  const untagged = (bundle.entry ?? []).map((e) => {
    const { meta: _meta, ...resource } = e.resource as Resource & { meta?: unknown };
    return resource as Resource;
  });
  const reading = untagged.find((r) => r.resourceType === 'Observation' && JSON.stringify(r).includes('85354-9')) as Resource & { effectiveDateTime?: string; subject?: unknown };
  assert.ok(reading?.effectiveDateTime);
  const glucose = { resourceType: 'Observation', id: 'glucose-same-day', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }] }, subject: reading.subject, effectiveDateTime: reading.effectiveDateTime, valueQuantity: { value: 101, unit: 'mg/dL' } } as Resource;
  const [result] = await createMeasureEngine(definitions, { requireProfileTagging: false }).evaluate([...untagged, glucose], year2025, ['CMS165']);
  assert.equal(result?.populations.numerator, true);
  assert.equal(result?.careGap, false);
});

test('in the numerator: no gap, and the reasons are the criteria that held', async () => {
  const [result] = await engine.evaluate(testCase('CMS165', 'NUMERPass SBP139DBP89DuringMP').bundle, year2025, ['CMS165']);
  assert.ok(result);
  assert.equal(result.populations.numerator, true);
  assert.equal(result.careGap, false);
  assert.deepEqual(result.explanation.gapReasons, []);
  assert.deepEqual(result.explanation.criteria.numerator?.because.map((c) => [c.define, c.value]), [
    ['Has Systolic Blood Pressure Less Than 140', true],
    ['Has Diastolic Blood Pressure Less Than 90', true],
  ]);
});

test('CMS122 is an inverse measure: being in the numerator (no HbA1c) is the gap', async () => {
  const [result] = await engine.evaluate(testCase('CMS122', 'DENEXFail FrailtyDeviceRequestNotPerformedTrue').bundle, year2025, ['CMS122']);
  assert.ok(result);
  assert.equal(result.explanation.improvementNotation, 'decrease');
  assert.equal(result.populations.numerator, true);
  assert.equal(result.careGap, true);
  assert.deepEqual(result.explanation.gapReasons.map((c) => [c.define, c.value]), [['Has No Record Of Glycemic Status Assessment', true]]);
  assert.match(result.explanation.summary, /^care gap: numerator \(the poor outcome\) met/);
});

test('every name in an explanation is a define statement of the measure\'s ELM', async () => {
  for (const definition of definitions) {
    const defines = elmDefines(definition.library);
    for (const c of cases.filter((x) => x.measureId === definition.id).slice(0, 10)) {
      const [result] = await engine.evaluate(c.bundle, c.period, [definition.id]);
      for (const criterion of Object.values(result?.explanation.criteria ?? {})) {
        for (const name of defineNames(criterion)) assert.ok(defines.has(name), `${definition.id}: ${name}`);
      }
    }
  }
});

test('an array of resources is the same input as a Bundle', async () => {
  const { bundle } = testCase('CMS165', 'NUMERFail SBP140DBP89DuringMP');
  const resources = (bundle.entry ?? []).map((entry) => entry.resource as Resource);
  assert.deepEqual(await engine.evaluate(resources, year2025), await engine.evaluate(bundle, year2025));
});

test('the measurement period is an input: the same patient ten years on is out of the population', async () => {
  const { bundle } = testCase('CMS165', 'DENEXFail AdvIllnessDxBefore2Yrs');
  const [result] = await engine.evaluate(bundle, oneYearPeriod('2035-01-01'), ['CMS165']);
  assert.ok(result);
  assert.deepEqual(result.period, { start: '2035-01-01', end: '2035-12-31' });
  assert.equal(result.populations['initial-population'], false);
  assert.equal(result.careGap, false);
  assert.match(result.explanation.summary, /^not in the initial population/);
});

test('input without exactly one Patient is refused; unknown measures too', async () => {
  await expectCodedError(engine.evaluate([], year2025), 'LNG_BAD_REQUEST');
  assert.throws(() => toPatientBundle([{ resourceType: 'Observation', status: 'final', code: {} }]), { code: 'LNG_BAD_REQUEST' });
  const { bundle } = testCase('CMS165', 'DENEXFail AdvIllnessDxBefore2Yrs');
  await expectCodedError(engine.evaluate(bundle, year2025, ['CMS999']), 'LNG_NOT_FOUND');
});

test('initial populations first: the same results as a full run, for exactly the measures whose initial population holds', async () => {
  let left = 0;
  for (const c of cases) {
    const full = await engine.evaluate(c.bundle, c.period);
    const eligible = await engine.evaluateInitialPopulations(c.bundle, c.period);
    const inPopulation = full.filter((r) => r.populations['initial-population']);
    left += full.length - inPopulation.length;
    assert.deepEqual(eligible, { results: inPopulation, failures: [] }, `${c.measureId} ${c.name}`);
  }
  assert.ok(left > 0, 'some test patients are outside an initial population, so the shortcut was taken');
});
