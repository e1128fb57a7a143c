/**
 * The engine on worker threads answers as the engine on this thread does: every labelled test
 * patient of two measures, evaluated side by side, gives the same results; a bad request is
 * refused with the engine's own coded error; a closed pool refuses work.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectCodedError } from '../../test-support/coded-error.ts';
import { loadMeasureContent } from './measure-content.ts';
import { createMeasureEnginePool, type MeasureEnginePool } from './measure-engine-pool.ts';
import { createMeasureEngine, type MeasureEngine } from './measure-engine.ts';
import { loadMeasureTestCases, type MeasureTestCase } from './measure-test-cases.ts';
import { oneYearPeriod } from './measurement-period.ts';

const contentDir = new URL('../../../../shared/data/measures/', import.meta.url).pathname;
const year2025 = oneYearPeriod('2025-01-01');

let local: MeasureEngine;
let pool: MeasureEnginePool;
let cases: MeasureTestCase[];

before(() => {
  const definitions = loadMeasureContent(contentDir, ['CMS165', 'CMS122']);
  local = createMeasureEngine(definitions);
  pool = createMeasureEnginePool(definitions, { measuresDir: contentDir, workers: 2 });
  cases = definitions.flatMap((definition) => loadMeasureTestCases(contentDir, definition));
});

after(() => pool.close());

test('the same results as the engine on this thread, for every labelled patient, evaluated at once', async () => {
  assert.ok(cases.length > 20);
  const [fromPool, fromHere] = await Promise.all([
    Promise.all(cases.map((c) => pool.evaluate(c.bundle, year2025, [c.measureId]))),
    Promise.all(cases.map((c) => local.evaluate(c.bundle, year2025, [c.measureId]))),
  ]);
  assert.deepEqual(fromPool, fromHere);
  const initial = await Promise.all(cases.map((c) => pool.evaluateInitialPopulations(c.bundle, year2025)));
  assert.deepEqual(initial, await Promise.all(cases.map((c) => local.evaluateInitialPopulations(c.bundle, year2025))));
});

test('a request the engine refuses is refused with its code; a closed pool refuses work', async () => {
  assert.match((await expectCodedError(pool.evaluate([], year2025), 'LNG_BAD_REQUEST')).message, /exactly one Patient/);
  assert.match((await expectCodedError(pool.evaluate(cases[0]!.bundle, year2025, ['CMS0']), 'LNG_NOT_FOUND')).message, /CMS0/);
  const closed = createMeasureEnginePool(loadMeasureContent(contentDir, ['CMS122']), { measuresDir: contentDir, workers: 1 });
  await closed.close();
  assert.match((await expectCodedError(closed.evaluate(cases[0]!.bundle, year2025), 'LNG_INTERNAL')).message, /closed/);
});
