/**
 * All 313 labelled test patients of ../shared/data/measures (see its SOURCE.md) through our
 * pipeline, compared population by population with their expected MeasureReports. The
 * content's own verification with fqm-execution 1.8.6 found 310; the three it flags as
 * questionable test data are named in manifest.json and checked by name below.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { evaluateMeasureTestCases } from './measure-eval.ts';

const contentDir = new URL('../../../../shared/data/measures/', import.meta.url).pathname;

test('the 313 test patients agree with their expected MeasureReports (at least 310)', async (t) => {
  const report = await evaluateMeasureTestCases(contentDir);
  for (const [id, agreement] of Object.entries(report.measures)) t.diagnostic(`${id}: ${agreement.matched}/${agreement.total}`);
  t.diagnostic(`total: ${report.matched}/${report.total}`);
  for (const m of report.mismatches) t.diagnostic(`mismatch ${m.measureId} "${m.name}": ${JSON.stringify(m.differences)}; ${m.summary}`);

  assert.equal(report.total, 313);
  assert.deepEqual(Object.keys(report.measures), ['CMS122', 'CMS165', 'CMS125', 'CMS130', 'CMS69', 'CMS2']);
  assert.ok(report.matched >= 310, `${report.matched}/313 matched`);

  // Every case we disagree on is one the content itself calls questionable.
  const manifest = JSON.parse(readFileSync(`${contentDir}manifest.json`, 'utf8')) as Record<string, { mismatches?: string[] }>;
  for (const mismatch of report.mismatches) {
    const flagged = manifest[mismatch.measureId]?.mismatches ?? [];
    assert.ok(flagged.some((text) => text.startsWith(mismatch.name)), `${mismatch.measureId} "${mismatch.name}" is not a known questionable case`);
  }
});
