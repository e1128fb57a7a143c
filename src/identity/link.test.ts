import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PERSON_COMPARISONS } from './compare/fields.ts';
import { looksLikeHouseholds } from './link.ts';
import { normalizeRecord } from './normalize/record.ts';

/** A household class whose pairs agree exactly on the address with probability `exact`. */
const householdClass = (exact: number, share: number) => ({
  h: PERSON_COMPARISONS.map((c) => c.levels.map((_, l) => (c.name === 'address' ? (l === 0 ? exact : (1 - exact) / (c.levels.length - 1)) : 1 / c.levels.length))),
  share,
});
const withStreets = Array.from({ length: 10 }, (_, i) => normalizeRecord({ recordId: String(i), source: 's', address: { line: `${i} Main St`, postalCode: '43210' } }, i));
const townsOnly = Array.from({ length: 10 }, (_, i) => normalizeRecord({ recordId: String(i), source: 's', address: { city: 'London', postalCode: 'SW1A 2BJ' } }, i));

test('the household hypothesis is used when EM found a population of pairs at one dwelling', () => {
  assert.ok(looksLikeHouseholds(PERSON_COMPARISONS, householdClass(0.95, 0.3), withStreets));
});

test('not when the class is a handful of pairs, does not share an address, or the address is only a town', () => {
  assert.ok(!looksLikeHouseholds(PERSON_COMPARISONS, householdClass(0.95, 0.01), withStreets), 'a handful of pairs');
  assert.ok(!looksLikeHouseholds(PERSON_COMPARISONS, householdClass(0.2, 0.3), withStreets), 'no shared address');
  assert.ok(!looksLikeHouseholds(PERSON_COMPARISONS, householdClass(0.95, 0.3), townsOnly), 'same town is not same dwelling');
});
