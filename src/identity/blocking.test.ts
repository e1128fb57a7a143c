import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PERSON_BLOCKING_RULES, generateCandidatePairs } from './blocking.ts';
import { normalizeRecord } from './normalize/record.ts';

test('candidates come from several rules, each pair once', () => {
  const records = [
    { givenName: 'Ann', familyName: 'Lee', birthDate: '1980-01-02', phones: ['614-443-5450'] },
    { givenName: 'Anne', familyName: 'Leigh', birthDate: '1980-01-02' }, // same date only
    { givenName: 'Bob', familyName: 'Hart', phones: ['(614) 443-5450'] }, // same phone only
    { givenName: 'Zed', familyName: 'Quux', birthDate: '1999-09-09' },
  ].map((r, i) => normalizeRecord({ recordId: String(i), source: 's', ...r }, i));
  const { pairs, stats } = generateCandidatePairs(records, PERSON_BLOCKING_RULES, 100);
  const list = [];
  for (let p = 0; p < pairs.length; p += 2) list.push(`${pairs[p]}-${pairs[p + 1]}`);
  assert.deepEqual(list.sort(), ['0-1', '0-2']);
  assert.equal(stats.length, PERSON_BLOCKING_RULES.length);
});

test('a block larger than the guard is skipped and counted', () => {
  const records = Array.from({ length: 30 }, (_, i) => normalizeRecord({ recordId: String(i), source: 's', givenName: `N${i}`, familyName: 'Smith', birthDate: '1970-01-01' }, i));
  const { pairs, stats } = generateCandidatePairs(records, PERSON_BLOCKING_RULES, 10);
  assert.equal(pairs.length, 0);
  assert.ok(stats.some((s) => s.skippedKeys > 0));
});
