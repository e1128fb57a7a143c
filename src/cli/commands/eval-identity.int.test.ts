import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const bin = new URL('../../../bin/longitude.js', import.meta.url).pathname;
const febrl1 = new URL('../../../../shared/data/linkage/febrl1', import.meta.url).pathname;

const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });

test('eval identity --json prints one object with exactly the documented keys', () => {
  const result = run('eval', 'identity', '--dataset', febrl1, '--format', 'febrl', '--json');
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout) as Record<string, number>;
  assert.deepEqual(Object.keys(report).sort(), ['f1', 'pairsCompared', 'precision', 'recall', 'reviewRate', 'seconds']);
  assert.ok(report.f1! > 0.99);
});

test('eval identity without --json prints the figures; a bad option is a one-line usage error', () => {
  const result = run('eval', 'identity', '--dataset', febrl1, '--drop', 'ssn');
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /precision\s+[01]\.\d{4}/);
  assert.match(result.stdout, /without ssn/);
  const bad = run('eval', 'identity', '--dataset', febrl1, '--format', 'xml');
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  const missing = run('eval', 'identity', '--dataset', '/nonexistent/dir');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^error: dataset \/nonexistent\/dir does not exist\n$/);
});
