import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PERSON_COMPARISONS } from './compare/fields.ts';
import { countPatterns, estimateM, estimateU } from './em.ts';
import { normalizeRecord } from './normalize/record.ts';
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

test('u leaves out the random pairs of one person: their agreement is m, not u', () => {
  // 200 people, each held twice: a random pair is one person 1 time in 399, but agrees on the
  // birth date mostly because of those pairs.
  const records = Array.from({ length: 400 }, (_, i) => normalizeRecord({
    recordId: String(i), source: 's', birthDate: `19${String(20 + (Math.floor(i / 2) % 70)).padStart(2, '0')}-0${1 + (Math.floor(i / 2) % 9)}-1${Math.floor(i / 2) % 10}`,
  }, i));
  const birth = PERSON_COMPARISONS.findIndex((c) => c.name === 'birthDate');
  const all = estimateU(PERSON_COMPARISONS, records, 100_000, 1);
  const apart = estimateU(PERSON_COMPARISONS, records, 100_000, 1, (i, j) => Math.floor(i / 2) === Math.floor(j / 2));
  const exact = (u: number[][]) => u[birth]?.[0] ?? 0;
  assert.ok(exact(apart) < exact(all) / 3, `${exact(apart)} vs ${exact(all)}`);
});

test('EM gives a class none of the patterns it cannot produce', () => {
  // 60 pairs agreeing on both fields, 40 on neither.
  const rows = Int8Array.from([...Array.from({ length: 60 }, () => [0, 0]), ...Array.from({ length: 40 }, () => [1, 1])].flat());
  const field = (a: number) => [a, 1 - a];
  const fit = (excludes: boolean) => estimateM(countPatterns(rows, 2), {
    classPriors: [[field(0.9), field(0.9)], [field(0.5), field(0.5)], [field(0.1), field(0.1)]],
    classShares: [0.3, 0.4, 0.3],
    ...(excludes ? { excludes: [undefined, [{ comparison: 0, levels: [0] }, { comparison: 1, levels: [0] }], undefined] } : {}),
    priorStrength: 0,
    maxIterations: 50,
    tolerance: 1e-9,
  });
  assert.ok((fit(false).household?.h[0]?.[0] ?? 0) > 0.01, 'free, the class takes some "both agree" pairs');
  assert.ok((fit(true).household?.h[0]?.[0] ?? 1) < 1e-9, 'excluded, it takes none');
});
