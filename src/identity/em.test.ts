import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countPatterns, estimateM } from './em.ts';
import { createRandom } from './random.ts';

test('EM recovers m and the match share from unlabelled patterns', () => {
  // Four binary fields (agree = level 0). Matches agree with 0.9 / 0.8 / 0.9 / 0.9, non-matches
  // with 0.1 / 0.2 / 0.1 / 0.1 (with two fields a two-class mixture is not identifiable).
  const random = createRandom(7);
  const rows: number[] = [];
  const matches = 3000;
  for (let i = 0; i < 10000; i++) {
    const match = i < matches;
    rows.push(random() < (match ? 0.9 : 0.1) ? 0 : 1, random() < (match ? 0.8 : 0.2) ? 0 : 1);
    rows.push(random() < (match ? 0.9 : 0.1) ? 0 : 1, random() < (match ? 0.9 : 0.1) ? 0 : 1);
  }
  const field = (a: number) => [a, 1 - a];
  const third = [field(0.5), field(0.5), field(0.5), field(0.5)];
  const result = estimateM(countPatterns(Int8Array.from(rows), 4), {
    classPriors: [[field(0.7), field(0.7), field(0.7), field(0.7)], third, [field(0.3), field(0.3), field(0.3), field(0.3)]],
    classShares: [0.5, 0, 0.5],
    priorStrength: 1,
    maxIterations: 500,
    tolerance: 1e-9,
  });
  assert.ok(Math.abs(result.lambda - 0.3) < 0.05, `lambda ${result.lambda}`);
  assert.ok(Math.abs((result.m[0]?.[0] ?? 0) - 0.9) < 0.05, `m0 ${result.m[0]?.[0]}`);
  assert.ok(Math.abs((result.m[1]?.[0] ?? 0) - 0.8) < 0.05, `m1 ${result.m[1]?.[0]}`);
});

test('countPatterns groups identical level vectors', () => {
  const p = countPatterns(Int8Array.from([0, 1, 0, 1, -1, 1]), 2);
  assert.deepEqual(p.counts, [2, 1]);
  assert.deepEqual([...(p.patterns[1] ?? [])], [-1, 1]);
});
