import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyProportionRules, isCareGap, populationCodes } from './populations.ts';

const all = populationCodes;

test('proportion rules: each population nests in the one before it', () => {
  // Raw defines all true: the numerator wins over the exception, nothing is excluded.
  assert.deepEqual(
    applyProportionRules({ 'initial-population': true, denominator: true, numerator: true, 'denominator-exception': true }, all),
    { 'initial-population': true, denominator: true, 'denominator-exclusion': false, numerator: true, 'denominator-exception': false },
  );
  // An exclusion removes the patient from the numerator even when the numerator define holds.
  assert.deepEqual(
    applyProportionRules({ 'initial-population': true, denominator: true, 'denominator-exclusion': true, numerator: true }, all),
    { 'initial-population': true, denominator: true, 'denominator-exclusion': true, numerator: false, 'denominator-exception': false },
  );
  // Outside the initial population nothing else counts.
  assert.deepEqual(applyProportionRules({ denominator: true, numerator: true }, ['initial-population', 'denominator', 'numerator']), {
    'initial-population': false,
    denominator: false,
    numerator: false,
  });
  // Only `true` counts for a patient-based measure: null and lists do not.
  assert.deepEqual(applyProportionRules({ 'initial-population': null, denominator: [1] }, ['initial-population', 'denominator']), {
    'initial-population': false,
    denominator: false,
  });
});

test('a care gap is the wrong side of the numerator for the measure\'s improvement notation', () => {
  const inDenominator = { 'initial-population': true, denominator: true, 'denominator-exclusion': false, numerator: false };
  assert.equal(isCareGap(inDenominator, 'increase'), true);
  assert.equal(isCareGap(inDenominator, 'decrease'), false);
  assert.equal(isCareGap({ ...inDenominator, numerator: true }, 'increase'), false);
  assert.equal(isCareGap({ ...inDenominator, numerator: true }, 'decrease'), true);
  assert.equal(isCareGap({ ...inDenominator, 'denominator-exclusion': true }, 'increase'), false);
  assert.equal(isCareGap({ ...inDenominator, 'denominator-exception': true }, 'increase'), false);
  assert.equal(isCareGap({ 'initial-population': true, denominator: false, numerator: false }, 'increase'), false);
});
