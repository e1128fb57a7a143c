import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentile, ratioToTarget } from './latency.ts';

test('percentile is the nearest rank of sorted samples', () => {
  const samples = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  assert.equal(percentile(samples, 0.5), 50);
  assert.equal(percentile(samples, 0.95), 95);
  assert.equal(percentile(samples, 0.99), 99);
  assert.equal(percentile(samples, 1), 100);
  assert.equal(percentile([7], 0.95), 7);
  assert.equal(percentile([1, 2, 3], 0.95), 3);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});

test('ratioToTarget says whether the p95 is under the target', () => {
  assert.equal(ratioToTarget(4.2, 10), 'p95 4.2 ms = 0.42 of the 10 ms target, met');
  assert.equal(ratioToTarget(45, 30), 'p95 45.0 ms = 1.50 of the 30 ms target, MISSED');
});
