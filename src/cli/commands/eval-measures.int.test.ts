/**
 * `longitude eval measures` as a user runs it (a spawned process): the JSON shape the issue
 * specifies, the table, and one-line errors. One measure per run, to stay quick; all 313
 * patients run in src/intelligence/measures/measure-eval.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const bin = new URL('../../../bin/longitude.js', import.meta.url).pathname;
const contentDir = new URL('../../../../shared/data/measures/', import.meta.url).pathname;

function longitude(args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('--json prints one object with the agreement per measure', () => {
  const { status, stdout, stderr } = longitude(['eval', 'measures', '--dir', contentDir, '--json', '--measure', 'CMS2']);
  assert.equal(status, 0, stderr);
  assert.deepEqual(JSON.parse(stdout), { matched: 34, total: 34, measures: { CMS2: { matched: 34, total: 34 } } });
});

test('the table names each mismatch with our explanation', () => {
  const { status, stdout } = longitude(['eval', 'measures', '--dir', contentDir, '--measure', 'CMS165']);
  assert.equal(status, 0);
  assert.match(stdout, /^CMS165 +59\/60 +98\.3%$/m);
  assert.match(stdout, /CMS165 "NUMERFail SBP139DBP89TakenDuringEMER" \[questionable case listed in manifest\.json\]: numerator 0→1/);
  assert.match(stdout, /ours: numerator met: "Has Systolic Blood Pressure Less Than 140" is true/);
});

test('a missing content directory or unknown measure is one line and a failure exit', () => {
  for (const args of [['--dir', '/nonexistent'], ['--dir', contentDir, '--measure', 'CMS999']]) {
    const { status, stderr } = longitude(['eval', 'measures', ...args]);
    assert.equal(status, 1, stderr);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /^longitude: /);
  }
});
