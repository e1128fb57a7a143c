import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createRng, deriveSeed, Rng } from './random.ts';

test('the same seed gives the same sequence, a different seed a different one', () => {
  const a = createRng(1, 'x', 5);
  const b = createRng(1, 'x', 5);
  const c = createRng(2, 'x', 5);
  const seqA = Array.from({ length: 20 }, () => a.nextUint32());
  assert.deepEqual(Array.from({ length: 20 }, () => b.nextUint32()), seqA);
  assert.notDeepEqual(Array.from({ length: 20 }, () => c.nextUint32()), seqA);
});

test('derived seeds separate streams and large indices', () => {
  assert.notEqual(deriveSeed(1, 'care', 0), deriveSeed(1, 'care', 1));
  assert.notEqual(deriveSeed(1, 'care', 0), deriveSeed(1, 'household', 0));
  assert.notEqual(deriveSeed(1, 2 ** 32), deriveSeed(1, 0));
});

test('int, float and pickCumulative stay within range', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 1000 }), (seed, min, span) => {
      const rng = new Rng(seed);
      for (let i = 0; i < 50; i++) {
        const n = rng.int(min, min + span);
        assert.ok(Number.isInteger(n) && n >= min && n <= min + span);
        const f = rng.float();
        assert.ok(f >= 0 && f < 1);
      }
      const idx = rng.pickCumulative([0.1, 0.5, 0.5, 1]);
      assert.ok(idx >= 0 && idx <= 3 && idx !== 2, 'a zero-weight entry is never picked');
    }),
  );
});

test('chance lands near its probability', () => {
  const rng = new Rng(42);
  let hits = 0;
  for (let i = 0; i < 100_000; i++) if (rng.chance(0.3)) hits++;
  // Binomial sd = sqrt(n p (1-p)) ~ 145; allow 5 sd.
  assert.ok(Math.abs(hits - 30_000) < 725, `hits ${hits}`);
});
