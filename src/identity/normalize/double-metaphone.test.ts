import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { doubleMetaphone } from './double-metaphone.ts';

// Codes from Philips (2000) and the reference implementation's examples.
const KNOWN: [string, string, string][] = [
  ['Smith', 'SM0', 'XMT'],
  ['Schmidt', 'XMT', 'SMT'],
  ['Jose', 'HS', 'HS'],
  ['Xavier', 'SF', 'SFR'],
  ['Knight', 'NT', 'NT'],
  ['Catherine', 'K0RN', 'KTRN'],
  ['Katherine', 'K0RN', 'KTRN'],
  ['Michael', 'MKL', 'MXL'],
  ['Garcia', 'KRS', 'KRX'],
  ['Jones', 'JNS', 'ANS'],
  ['Williams', 'ALMS', 'FLMS'],
  ['Laugh', 'LF', 'LF'],
  ['Dumb', 'TM', 'TM'],
  ['Campbell', 'KMPL', 'KMPL'],
  ['Caesar', 'SSR', 'SSR'],
  ['Arnow', 'ARN', 'ARNF'],
];

test('Double Metaphone gives the published codes', () => {
  for (const [word, primary, alternate] of KNOWN) assert.deepEqual(doubleMetaphone(word), [primary, alternate], word);
});

test('accents and case do not change the code; no letters gives empty codes', () => {
  assert.deepEqual(doubleMetaphone('JOSÉ'), doubleMetaphone('jose'));
  assert.deepEqual(doubleMetaphone('Muñoz'), doubleMetaphone('Munoz'));
  assert.deepEqual(doubleMetaphone('123'), ['', '']);
});

test('codes are at most four characters of the metaphone alphabet, for any input', () => {
  fc.assert(fc.property(fc.string(), (s) => {
    for (const code of doubleMetaphone(s)) assert.match(code, /^[A-Z0]{0,4}$/);
  }));
});
