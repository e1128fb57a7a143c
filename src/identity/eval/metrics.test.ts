import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scorePairwise } from './metrics.ts';

test('pairwise precision and recall from cluster overlaps', () => {
  // Truth: {0,1,2} {3}. Predicted: {0,1} {2,3}: 1 true pair of 2 predicted, of 3 true.
  const s = scorePairwise([0, 0, 2, 2], ['a', 'a', 'a', 'b']);
  assert.deepEqual([s.truePositives, s.predictedPairs, s.truePairs], [1, 2, 3]);
  assert.equal(s.precision, 0.5);
  assert.equal(s.recall, 1 / 3);
  assert.equal(s.f1.toFixed(4), '0.4000');
});

test('perfect clustering scores 1; nothing predicted is precise but recalls nothing', () => {
  assert.equal(scorePairwise([5, 5, 7], ['x', 'x', 'y']).f1, 1);
  const none = scorePairwise([0, 1, 2], ['x', 'x', 'y']);
  assert.equal(none.precision, 1);
  assert.equal(none.recall, 0);
});
