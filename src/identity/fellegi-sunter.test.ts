import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PERSON_COMPARISONS } from './compare/fields.ts';
import { buildPairScorer, compareLevels, explainPair, scorePair, weightFromLevels, type MatchModel } from './fellegi-sunter.ts';
import { normalizeRecord } from './normalize/record.ts';
import { buildTermFrequencies } from './term-frequency.ts';
import type { NormalizedRecord, SourceRecord } from './types.ts';

const names = ['Robert', 'Bob', 'Maria', 'María', 'Smith', 'Smyth', 'Garcia Lopez', 'Garcia', "O'Brien", ''];
const arbRecord = fc.record({
  givenName: fc.constantFrom(...names),
  familyName: fc.constantFrom(...names),
  birthDate: fc.constantFrom('1980-03-07', '1980-07-03', '1981-03-07', '19800307', ''),
  sex: fc.constantFrom('F', 'male', 'U', ''),
  phones: fc.array(fc.constantFrom('614-443-5450', '(614) 443-5451', '7401234567'), { maxLength: 2 }),
  email: fc.constantFrom('a@example.com', 'A@example.com', 'b@example.org', ''),
  address: fc.record({ line: fc.constantFrom('1 Main St', '1 Main Street', '2 Oak Rd', ''), postalCode: fc.constantFrom('43210', '43211', '') }),
  ssn: fc.constantFrom('927-19-6825', '927196852', ''),
});

/** A model with plausible, made-up m and u (scoring properties do not depend on the values). */
function testModel(records: readonly NormalizedRecord[]): MatchModel {
  return {
    comparisons: PERSON_COMPARISONS,
    m: PERSON_COMPARISONS.map((c) => c.levels.map((_, l) => (l === 0 ? 0.8 : 0.2 / (c.levels.length - 1)))),
    u: PERSON_COMPARISONS.map((c) => c.levels.map((_, l) => (l === c.levels.length - 1 ? 0.9 : 0.1 / (c.levels.length - 1)))),
    priorWeight: -10,
    termFrequencies: PERSON_COMPARISONS.map((c) => buildTermFrequencies(c, records)),
    household: { h: PERSON_COMPARISONS.map((c) => c.levels.map(() => 1 / c.levels.length)), logShare: -6 },
  };
}

test('a pair scores the same whichever record comes first (property)', () => {
  fc.assert(fc.property(arbRecord, arbRecord, (x, y) => {
    const a = normalizeRecord({ recordId: 'a', source: 's', ...x } as SourceRecord, 0);
    const b = normalizeRecord({ recordId: 'b', source: 's', ...y } as SourceRecord, 1);
    const model = testModel([a, b]);
    assert.deepEqual(compareLevels(PERSON_COMPARISONS, a, b), compareLevels(PERSON_COMPARISONS, b, a));
    assert.ok(Math.abs(scorePair(model, a, b) - scorePair(model, b, a)) < 1e-9);
  }));
});

test('scoring is deterministic, and the batch scorer agrees with the reference one (property)', () => {
  fc.assert(fc.property(arbRecord, arbRecord, (x, y) => {
    const a = normalizeRecord({ recordId: 'a', source: 's', ...x } as SourceRecord, 0);
    const b = normalizeRecord({ recordId: 'b', source: 's', ...y } as SourceRecord, 1);
    const model = testModel([a, b]);
    const levels = compareLevels(PERSON_COMPARISONS, a, b);
    const w = scorePair(model, a, b);
    assert.equal(scorePair(model, a, b), w);
    assert.ok(Math.abs(buildPairScorer(model, [a, b])(levels, 0, 1) - weightFromLevels(model, levels, a, b)) < 1e-9);
  }));
});

test('explainPair reports every field, and missing fields weigh nothing', () => {
  const a = normalizeRecord({ recordId: 'a', source: 's', givenName: 'Ann', birthDate: '1980-01-02' }, 0);
  const b = normalizeRecord({ recordId: 'b', source: 's', givenName: 'Ann' }, 1);
  const fields = explainPair(testModel([a, b]), a, b);
  assert.equal(fields.length, PERSON_COMPARISONS.length);
  assert.deepEqual(fields.find((f) => f.comparison === 'birthDate'), { comparison: 'birthDate', level: 'missing', weight: 0 });
  assert.ok((fields.find((f) => f.comparison === 'givenName')?.weight ?? 0) > 0);
});

test('term frequencies: agreeing on a rare surname weighs more than on a common one', () => {
  const family = ['Smith', 'Smith', 'Smith', 'Smith', 'Smith', 'Smith', 'Zbikowski', 'Jones', 'Brown', 'Lee'];
  const records = family.map((f, i) => normalizeRecord({ recordId: String(i), source: 's', familyName: f }, i));
  const model = testModel(records);
  const common = scorePair(model, records[0] as NormalizedRecord, records[1] as NormalizedRecord);
  const rare = scorePair(model, records[6] as NormalizedRecord, normalizeRecord({ recordId: 'x', source: 's', familyName: 'Zbikowski' }, 10));
  assert.ok(rare > common, `${rare} > ${common}`);
});
