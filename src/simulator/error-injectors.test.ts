import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { defaultErrorRates, mergeErrorRates, rateFor } from './error-rates.ts';
import { formatPhone, injectCompoundSurname, injectSsnError, injectTypo, phoneStyles } from './error-injectors.ts';
import { formalNames, formalNamesOf, nicknamesOf } from './nicknames.ts';
import { Rng } from './random.ts';

const word = fc.stringMatching(/^[A-Z][a-z]{1,14}$/);

test('a typo changes the word by about one character and keeps the first letter', () => {
  fc.assert(
    fc.property(word, fc.integer({ min: 0, max: 2 ** 32 - 1 }), (w, seed) => {
      const { value } = injectTypo(w, new Rng(seed));
      assert.notEqual(value, w);
      assert.ok(Math.abs(value.length - w.length) <= 1, `${w} -> ${value}`);
      assert.equal(value[0], w[0]);
    }),
  );
});

test('a wrong SSN keeps 9 digits and differs from the original', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^9\d{8}$/), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (ssn, seed) => {
      const wrong = injectSsnError(ssn, new Rng(seed));
      assert.match(wrong, /^\d{9}$/);
      if (new Set(ssn).size > 1) assert.notEqual(wrong, ssn);
    }),
  );
});

test('every phone style keeps the ten digits', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[2-9]\d{2}[2-9]\d{6}$/), fc.constantFrom(...phoneStyles), (digits, style) => {
      assert.equal(formatPhone(digits, style).replace(/\D/g, '').replace(/^1(\d{10})$/, '$1'), digits);
    }),
  );
});

test('compound surnames keep at least the paternal part', () => {
  const rng = new Rng(3);
  for (let i = 0; i < 50; i++) assert.match(injectCompoundSurname('Garcia Lopez', rng), /^Garcia/);
  assert.equal(injectCompoundSurname('Smith', rng), 'Smith');
});

test('the nickname table is symmetric: each nickname leads back to its formal name', () => {
  for (const formal of formalNames()) {
    for (const nick of nicknamesOf(formal)) assert.ok(formalNamesOf(nick).includes(formal), `${nick} -> ${formal}`);
  }
  assert.deepEqual(nicknamesOf('William').includes('Bill'), true);
  assert.deepEqual(formalNamesOf('Liz'), ['Elizabeth']);
});

test('rates files override globally and per silo, and reject unknown keys', () => {
  const merged = mergeErrorRates({ typo: 0.5, silos: { crm: { nickname: 0.9 } } });
  assert.equal(rateFor(merged, 'payer', 'typo'), 0.5, 'a global key replaces the built-in per-silo value');
  assert.equal(rateFor(merged, 'crm', 'nickname'), 0.9);
  assert.equal(rateFor(merged, 'hospital', 'nickname'), rateFor(defaultErrorRates, 'hospital', 'nickname'));
  assert.throws(() => mergeErrorRates({ typoo: 0.1 }), /typoo/);
  assert.throws(() => mergeErrorRates({ typo: 2 }), /typo/);
});
