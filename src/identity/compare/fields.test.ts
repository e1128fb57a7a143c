import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeRecord } from '../normalize/record.ts';
import type { SourceRecord } from '../types.ts';
import { MISSING } from './comparison.ts';
import { addressComparison, birthDateComparison, familyNameComparison, givenNameComparison, identifierComparison, phoneComparison } from './fields.ts';

const rec = (r: Partial<SourceRecord>, i = 0) => normalizeRecord({ recordId: `r${i}`, source: 's', ...r }, i);
const level = (c: typeof givenNameComparison, a: Partial<SourceRecord>, b: Partial<SourceRecord>) => c.levels[c.compare(rec(a), rec(b, 1))] ?? 'missing';

test('given names: exact, nickname, Jaro-Winkler, phonetic, else; missing says nothing', () => {
  assert.equal(level(givenNameComparison, { givenName: 'William' }, { givenName: 'WILLIAM' }), 'exact');
  assert.equal(level(givenNameComparison, { givenName: 'William' }, { givenName: 'Bill' }), 'nickname');
  assert.equal(level(givenNameComparison, { givenName: 'Jonathon' }, { givenName: 'Jonathan' }), 'jw>=0.92');
  assert.equal(level(givenNameComparison, { givenName: 'Mary Ann' }, { givenName: 'Mary' }), 'partial');
  assert.equal(level(givenNameComparison, { givenName: 'Veronica' }, { givenName: 'Dario' }), 'else');
  assert.equal(givenNameComparison.compare(rec({ givenName: 'Ann' }), rec({}, 1)), MISSING);
});

test('swapped given and family names compare crosswise', () => {
  const a = { givenName: 'Caleb', familyName: 'Rowe' };
  const b = { givenName: 'Rowe', familyName: 'Caleb' };
  assert.equal(level(givenNameComparison, a, b), 'exact');
  assert.equal(level(familyNameComparison, a, b), 'exact');
});

test('compound surnames recorded in part agree partially', () => {
  assert.equal(level(familyNameComparison, { familyName: 'Garcia Lopez' }, { familyName: 'Garcia' }), 'partial');
  assert.equal(level(familyNameComparison, { familyName: 'Garcia-Lopez' }, { familyName: 'GarciaLopez' }), 'exact');
  assert.equal(level(familyNameComparison, { familyName: 'Jaskolski' }, { familyName: 'Jaskolsky' }), 'jw>=0.92');
  assert.equal(level(familyNameComparison, { familyName: 'Smith' }, { familyName: 'Smyth' }), 'phonetic');
});

test('birth dates: exact, day/month swap, one part wrong, far apart', () => {
  assert.equal(level(birthDateComparison, { birthDate: '1980-03-07' }, { birthDate: '19800307' }), 'exact');
  assert.equal(level(birthDateComparison, { birthDate: '1980-03-07' }, { birthDate: '1980-07-03' }), 'day/month swapped');
  assert.equal(level(birthDateComparison, { birthDate: '1980-03-07' }, { birthDate: '1981-03-07' }), 'two of three parts');
  // Parent and child with one name: a generation apart.
  assert.equal(level(birthDateComparison, { birthDate: '1950-03-07' }, { birthDate: '1978-11-20' }), 'else');
});

test('phones in any format agree exactly; addresses compare as one field', () => {
  assert.equal(level(phoneComparison, { phones: ['(614) 443-5450'] }, { phones: ['6144435450'] }), 'exact');
  const home = { line: '1683 N 9th St Apt 4B', city: 'Columbus', postalCode: '43210' };
  assert.equal(level(addressComparison, { address: home }, { address: { ...home, line: '1683 North 9th Street #4B' } }), 'exact');
  assert.equal(level(addressComparison, { address: home }, { address: { line: '77 Oak Road', city: 'Columbus', postalCode: '43210' } }), 'same postal code');
  assert.equal(level(addressComparison, { address: home }, { address: { line: '77 Oak Road', city: 'Dayton', postalCode: '45402' } }), 'else');
});

test('identifiers compare only within one assigning authority', () => {
  const mrn = (system: string, value: string) => ({ identifiers: [{ system, value }] });
  assert.equal(level(identifierComparison, mrn('CLINIC', 'C1'), mrn('clinic', 'C1')), 'shared identifier');
  assert.equal(level(identifierComparison, mrn('CLINIC', 'C12345'), mrn('CLINIC', 'C12354')), 'one edit, same authority');
  assert.equal(level(identifierComparison, mrn('CLINIC', 'C1'), mrn('GENHOSP', 'C1')), 'missing');
});
