import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isOneEditApart, jaroWinkler } from './jaro-winkler.ts';

test('Jaro-Winkler matches Winkler (1990) published values', () => {
  // Winkler's examples: MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.840, DIXON/DICKSONX 0.813.
  assert.equal(jaroWinkler('martha', 'marhta').toFixed(3), '0.961');
  assert.equal(jaroWinkler('dwayne', 'duane').toFixed(3), '0.840');
  assert.equal(jaroWinkler('dixon', 'dicksonx').toFixed(3), '0.813');
  assert.equal(jaroWinkler('same', 'same'), 1);
  assert.equal(jaroWinkler('', 'x'), 0);
  assert.equal(jaroWinkler('abc', 'xyz'), 0);
});

test('Jaro-Winkler is symmetric and within [0, 1]', () => {
  fc.assert(fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
    const x = jaroWinkler(a, b);
    assert.equal(x, jaroWinkler(b, a));
    assert.ok(x >= 0 && x <= 1 + 1e-12);
  }));
});

test('one edit: substitution, adjacent transposition, insertion', () => {
  assert.ok(isOneEditApart('123456789', '123456780'));
  assert.ok(isOneEditApart('123456789', '123456798'));
  assert.ok(isOneEditApart('12345678', '123456789'));
  assert.ok(!isOneEditApart('123456789', '123456789'));
  assert.ok(!isOneEditApart('123456789', '923456780'));
  assert.ok(isOneEditApart('123456789', '12345679'), 'deletion in the middle');
  assert.ok(isOneEditApart('william', 'wiliam'));
  assert.ok(!isOneEditApart('123456789', '123756489'), 'transposition of non-adjacent digits');
  assert.ok(!isOneEditApart('12345', '1234567'), 'two insertions');
  assert.ok(!isOneEditApart('abcd', 'abdc1'));
});
