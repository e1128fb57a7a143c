import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PERSON_BLOCKING_RULES, generateCandidatePairs } from './blocking.ts';
import { normalizeRecord } from './normalize/record.ts';

const limits = { maxBlockSize: 100, blockWindow: 0 };

test('candidates come from several rules, each pair once', () => {
  const records = [
    { givenName: 'Ann', familyName: 'Lee', birthDate: '1980-01-02', phones: ['614-443-5450'] },
    { givenName: 'Anne', familyName: 'Leigh', birthDate: '1980-01-02' }, // same date only
    { givenName: 'Bob', familyName: 'Hart', phones: ['(614) 443-5450'] }, // same phone only
    { givenName: 'Zed', familyName: 'Quux', birthDate: '1999-09-09' },
  ].map((r, i) => normalizeRecord({ recordId: String(i), source: 's', ...r }, i));
  const { pairs, stats } = generateCandidatePairs(records, PERSON_BLOCKING_RULES, limits);
  const list = [];
  for (let p = 0; p < pairs.length; p += 2) list.push(`${pairs[p]}-${pairs[p + 1]}`);
  assert.deepEqual(list.sort(), ['0-1', '0-2']);
  assert.equal(stats.length, PERSON_BLOCKING_RULES.length);
});

test('a block larger than the guard is skipped and counted', () => {
  const records = Array.from({ length: 30 }, (_, i) => normalizeRecord({ recordId: String(i), source: 's', givenName: `N${i}`, familyName: 'Smith', birthDate: '1970-01-01' }, i));
  const { pairs, stats } = generateCandidatePairs(records, PERSON_BLOCKING_RULES, { maxBlockSize: 10, blockWindow: 0 });
  assert.equal(pairs.length, 0);
  assert.ok(stats.some((s) => s.skippedKeys > 0));
});

const pairsOf = (records: ReturnType<typeof normalizeRecord>[], rule?: string) => {
  const { pairs } = generateCandidatePairs(records, PERSON_BLOCKING_RULES.filter((r) => !rule || r.name === rule), limits);
  const list = [];
  for (let p = 0; p < pairs.length; p += 2) list.push(`${pairs[p]}-${pairs[p + 1]}`);
  return list.sort();
};
const recs = (...rs: Partial<Parameters<typeof normalizeRecord>[0]>[]) => rs.map((r, i) => normalizeRecord({ recordId: String(i), source: 's', ...r }, i));

test('pairs with a damaged name still meet: either name with the birth year, the surname with the initial', () => {
  // A typo that changes the given name's phonetic code (Agnrs), no birth date: the surname with the initial.
  assert.deepEqual(pairsOf(recs(
    { givenName: 'Agnes', familyName: 'Giberne', birthDate: '1845-11-19' },
    { givenName: 'Agnrs', familyName: 'Giberne' },
  ), 'name+initial'), ['0-1']);
  // A married surname: the given name and the birth year still agree.
  assert.deepEqual(pairsOf(recs(
    { givenName: 'Maria', familyName: 'Lopez', birthDate: '1980-01-02' },
    { givenName: 'Maria', familyName: 'Harrington', birthDate: '1980-06-30' },
  ), 'name-phonetic+birth-year'), ['0-1']);
  // A surname in the given-name field of a one-name record.
  assert.deepEqual(pairsOf(recs({ givenName: 'Sugg', birthDate: '1862-01-11' }, { givenName: 'Frank', familyName: 'Sugg', birthDate: '1862-01-11' }), 'name-phonetic+birth-year'), ['0-1']);
});

test('pairs whose names are both damaged meet on the street address, the area or the e-mail user', () => {
  assert.deepEqual(pairsOf(recs(
    { givenName: 'Kynzn', familyName: 'Doolqey', address: { line: '14 Mcintyre Street', postalCode: '6021' } },
    { givenName: 'Kynan', familyName: 'Dooley', address: { line: '92 Mcintyre Street', postalCode: '6021' } },
  ), 'street-address'), ['0-1']);
  assert.deepEqual(pairsOf(recs(
    { givenName: 'Vaughan', familyName: 'Cornish', address: { city: 'Lichfield', postalCode: 'B78 3TW' } },
    { givenName: 'Gaughan', familyName: 'Cornish', address: { city: 'Lichfield', postalCode: 'CV36 5HB' } },
  ), 'name-phonetic+area'), ['0-1']);
  assert.deepEqual(pairsOf(recs(
    { givenName: 'Arthur', familyName: 'Cedly', address: { postalCode: 'S75 1HS' } },
    { givenName: 'Arthur', familyName: 'Ceely', address: { postalCode: 'S75 1JU' } },
  ), 'name-phonetic+area'), ['0-1'], 'same UK postal district');
  assert.deepEqual(pairsOf(recs({ email: 'e.rogers3@hopkins.org' }, { email: 'e.rogers3@honkips.org' }), 'email-user'), ['0-1']);
  assert.deepEqual(pairsOf(recs(
    { givenName: 'Agbeyson', birthDate: '1800-01-01', address: { postalCode: 'NN3 3DW' } },
    { givenName: 'M.', familyName: 'Abbeyson', birthDate: '1800-01-01', address: { postalCode: 'NN3 3DW' } },
  ), 'birth-date+area'), ['0-1']);
});

test('candidate pairs come out once each, in record order, whatever the rules found them by', () => {
  const records = recs(
    { givenName: 'Ann', familyName: 'Lee', birthDate: '1980-01-02', phones: ['614-443-5450'] },
    { givenName: 'Ann', familyName: 'Lee', birthDate: '1980-01-02', phones: ['614-443-5450'] },
    { givenName: 'Ann', familyName: 'Lee', birthDate: '1980-01-02' },
  );
  const { pairs, stats } = generateCandidatePairs(records, PERSON_BLOCKING_RULES, limits);
  assert.deepEqual([...pairs], [0, 1, 0, 2, 1, 2]);
  assert.equal(stats.reduce((sum, s) => sum + s.pairs, 0), 3, 'each pair counted by the first rule that found it');
});

test('a block larger than the window pairs each record with its neighbours in the rule order, whatever the input order', () => {
  const people = [
    ...Array.from({ length: 20 }, (_, i) => ({ recordId: `p${i}`, givenName: `Given${String.fromCharCode(65 + i)}`, familyName: `Family${String.fromCharCode(65 + i)}x` })),
    { recordId: 'ann-1', givenName: 'Ann', familyName: 'Lee' },
    { recordId: 'ann-2', givenName: 'Anne', familyName: 'Lee' },
  ].map((p) => ({ ...p, source: 's', birthDate: '1970-01-01' }));
  const rule = PERSON_BLOCKING_RULES.filter((r) => r.name === 'birth-date');
  const pairIds = (input: typeof people) => {
    const records = input.map((p, i) => normalizeRecord(p, i));
    const { pairs } = generateCandidatePairs(records, rule, { maxBlockSize: 100, blockWindow: 3 });
    const out: string[] = [];
    for (let p = 0; p < pairs.length; p += 2) out.push([input[pairs[p]!]!.recordId, input[pairs[p + 1]!]!.recordId].sort().join('-'));
    return out.sort();
  };
  const pairs = pairIds(people);
  assert.equal(pairs.length, 2 * 22 - 3, 'each of 22 records with its next two');
  assert.ok(pairs.includes('ann-1-ann-2'), 'one name sorts together');
  assert.deepEqual(pairIds([...people].reverse()), pairs);
});

test('a record the order cannot place (no birth date) is compared with the whole windowed block', () => {
  const records = recs(
    ...Array.from({ length: 12 }, (_, i) => ({ givenName: `Given${String.fromCharCode(65 + i)}`, familyName: 'Lee', birthDate: `19${50 + i}-01-01`, address: { postalCode: '43210' } })),
    { givenName: 'GivenC', familyName: 'Lee', address: { postalCode: '43210' } }, // a CRM contact: no birth date
  );
  const { pairs } = generateCandidatePairs(records, PERSON_BLOCKING_RULES.filter((r) => r.name === 'name-phonetic+area'), { maxBlockSize: 100, blockWindow: 3 });
  const withContact = [];
  for (let p = 0; p < pairs.length; p += 2) if (pairs[p + 1] === 12) withContact.push(pairs[p]);
  assert.equal(withContact.length, 12, 'the contact meets every record of the block, its own person (index 2) among them');
});
