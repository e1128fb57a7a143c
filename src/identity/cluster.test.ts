import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterRecords } from './cluster.ts';

const options = { linkWeight: 4, mergeWeight: 0, maxChecks: 400 };

test('a record bridging two persons does not chain them together', () => {
  // 0-1 are one person, 3-4 another; record 2 resembles 1 and 3 (a shared household phone),
  // but 0 and 4 disagree strongly with the other side.
  const w = new Map<string, number>([
    ['0,1', 20], ['3,4', 20], ['1,2', 10], ['2,3', 9],
    ['0,2', 6], ['0,3', -20], ['0,4', -20], ['1,3', -20], ['1,4', -20], ['2,4', -15],
  ]);
  const weightOf = (a: number, b: number) => w.get(`${Math.min(a, b)},${Math.max(a, b)}`) ?? -30;
  const edges = [...w].map(([k, weight]) => {
    const [i, j] = k.split(',').map(Number) as [number, number];
    return { i, j, weight };
  });
  const { clusterOf, refused } = clusterRecords(5, edges, weightOf, options);
  assert.equal(clusterOf[0], clusterOf[1]);
  assert.equal(clusterOf[1], clusterOf[2]);
  assert.equal(clusterOf[3], clusterOf[4]);
  assert.notEqual(clusterOf[2], clusterOf[3]);
  assert.deepEqual(refused.map((e) => [e.i, e.j]), [[2, 3]]);
});

test('links below the link weight never merge; the result does not depend on edge order', () => {
  const edges = [{ i: 0, j: 1, weight: 3 }, { i: 1, j: 2, weight: 12 }, { i: 2, j: 3, weight: 11 }];
  const weightOf = () => 5;
  const a = clusterRecords(4, edges, weightOf, options).clusterOf;
  const b = clusterRecords(4, [...edges].reverse(), weightOf, options).clusterOf;
  assert.deepEqual([...a], [0, 1, 1, 1]);
  assert.deepEqual([...a], [...b]);
});
