import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeRecord } from '../normalize/record.ts';
import type { SourceRecord } from '../types.ts';
import { MISSING } from './comparison.ts';
import { addressComparison, alignNames, birthDateComparison, familyNameComparison, givenNameComparison, identifierComparison, phoneComparison } from './fields.ts';

const rec = (r: Partial<SourceRecord>, i = 0) => normalizeRecord({ recordId: `r${i}`, source: 's', ...r }, i);
const level = (c: typeof givenNameComparison, a: Partial<SourceRecord>, b: Partial<SourceRecord>) => c.levels[c.compare(rec(a), rec(b, 1))] ?? 'missing';

test('given names: exact, nickname, Jaro-Winkler, phonetic, else; missing says nothing', () => {
  assert.equal(level(givenNameComparison, { givenName: 'William' }, { givenName: 'WILLIAM' }), 'exact');
  assert.equal(level(givenNameComparison, { givenName: 'William' }, { givenName: 'Bill' }), 'nickname');
  assert.equal(level(givenNameComparison, { givenName: 'Jonathon' }, { givenName: 'Jonathan' }), 'jw>=0.92 or one edit');
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

test('half-swapped names: the shared name compares as the surname, whichever record held it where', () => {
  // "Lowe Chelsea" (names in the wrong fields) and "Gemma Lowe": same surname, different given
  // names, as for two sisters; the birth date and the household hypothesis decide, not the order.
  const a = { givenName: 'Lowe', familyName: 'Chelsea' };
  const b = { givenName: 'Gemma', familyName: 'Lowe' };
  assert.equal(level(familyNameComparison, a, b), 'exact');
  assert.equal(level(givenNameComparison, a, b), 'else');
  assert.equal(level(familyNameComparison, b, a), 'exact', 'the same whichever record comes first');
  assert.equal(level(givenNameComparison, b, a), 'else');
  // Straight agreement on either name wins: two people sharing a given name are compared straight.
  const c = { givenName: 'Thomas', familyName: 'James' };
  const d = { givenName: 'Thomas', familyName: 'Williams' };
  assert.equal(level(givenNameComparison, c, d), 'exact');
  assert.equal(level(familyNameComparison, c, d), 'else');
});

test('a one-name record compares its name with the name of the other that it matches', () => {
  // A surname held in the given-name field with no family name ("Sugg" / "Frank Sugg").
  const a = { givenName: 'Sugg' };
  const b = { givenName: 'Frank', familyName: 'Sugg' };
  assert.equal(level(familyNameComparison, a, b), 'exact');
  assert.equal(level(givenNameComparison, a, b), 'missing');
  assert.equal(level(familyNameComparison, b, a), 'exact');
  // A given name alone stays a given name.
  assert.equal(level(givenNameComparison, { givenName: 'Frank' }, b), 'exact');
  assert.equal(level(familyNameComparison, { givenName: 'Frank' }, b), 'missing');
  // One name in each record, in different fields.
  assert.equal(level(familyNameComparison, { givenName: 'Kerr' }, { familyName: 'Kerr' }), 'exact');
  const aligned = alignNames(rec({ givenName: 'Rowe', familyName: 'Caleb' }), rec({ givenName: 'Caleb', familyName: 'Rowe' }, 1));
  assert.deepEqual(aligned.given.map((n) => n?.squashed), ['rowe', 'rowe']);
});

test('a one-letter typo in a longer name is a near agreement; initials agree with the name', () => {
  assert.equal(level(givenNameComparison, { givenName: 'Wolliam' }, { givenName: 'William' }), 'jw>=0.92 or one edit');
  assert.equal(level(familyNameComparison, { familyName: 'Trresa' }, { familyName: 'Teresa' }), 'jw>=0.92 or one edit');
  assert.equal(level(givenNameComparison, { givenName: 'W. J.' }, { givenName: 'William' }), 'initial');
  assert.equal(level(givenNameComparison, { givenName: 'A.' }, { givenName: 'William' }), 'else');
});

test('compound surnames recorded in part agree partially', () => {
  assert.equal(level(familyNameComparison, { familyName: 'Garcia Lopez' }, { familyName: 'Garcia' }), 'partial');
  assert.equal(level(familyNameComparison, { familyName: 'Garcia-Lopez' }, { familyName: 'GarciaLopez' }), 'exact');
  assert.equal(level(familyNameComparison, { familyName: 'Jaskolski' }, { familyName: 'Jaskolsky' }), 'jw>=0.92 or one edit');
  assert.equal(level(familyNameComparison, { familyName: 'Smith' }, { familyName: 'Smyth' }), 'jw>=0.92 or one edit');
  assert.equal(level(familyNameComparison, { familyName: 'Philips' }, { familyName: 'Fillips' }), 'phonetic');
});

test('birth dates: exact, day/month swap, one part wrong, far apart', () => {
  assert.equal(level(birthDateComparison, { birthDate: '1980-03-07' }, { birthDate: '19800307' }), 'exact');
  assert.equal(level(birthDateComparison, { birthDate: '1980-03-07' }, { birthDate: '1980-07-03' }), 'day/month swapped');
  assert.equal(level(birthDateComparison, { birthDate: '1980-03-07' }, { birthDate: '1981-03-07' }), 'two of three parts');
  // Parent and child with one name: a generation apart.
  assert.equal(level(birthDateComparison, { birthDate: '1950-03-07' }, { birthDate: '1978-11-20' }), 'else');
  // A date that is no calendar date still agrees digit by digit, never by distance in days.
  assert.equal(level(birthDateComparison, { birthDate: '1849-88-07' }, { birthDate: '1849-08-07' }), 'two of three parts');
  assert.equal(level(birthDateComparison, { birthDate: '19319924' }, { birthDate: '19310924' }), 'two of three parts');
  assert.equal(level(birthDateComparison, { birthDate: '1849-88-07' }, { birthDate: '1850-01-01' }), 'else');
});

test('phones in any format agree exactly; addresses compare as one field', () => {
  assert.equal(level(phoneComparison, { phones: ['(614) 443-5450'] }, { phones: ['6144435450'] }), 'exact');
  const home = { line: '1683 N 9th St Apt 4B', city: 'Columbus', postalCode: '43210' };
  assert.equal(level(addressComparison, { address: home }, { address: { ...home, line: '1683 North 9th Street #4B' } }), 'exact');
  assert.equal(level(addressComparison, { address: home }, { address: { line: '77 Oak Road', city: 'Columbus', postalCode: '43210' } }), 'same postal code');
  assert.equal(level(addressComparison, { address: home }, { address: { line: '77 Oak Road', city: 'Dayton', postalCode: '45402' } }), 'else');
  // Postcode partial: same UK outward code, or same US 3-digit ZIP area, nothing else in common.
  assert.equal(level(addressComparison, { address: { city: 'Westminster', postalCode: 'SW1A 2BJ' } }, { address: { city: 'London', postalCode: 'sw1a 1aa' } }), 'same postal district');
  assert.equal(level(addressComparison, { address: home }, { address: { line: '77 Oak Road', city: 'Dayton', postalCode: '43299' } }), 'same postal district');
});

test('identifiers compare only within one assigning authority', () => {
  const mrn = (system: string, value: string) => ({ identifiers: [{ system, value }] });
  assert.equal(level(identifierComparison, mrn('CLINIC', 'C1'), mrn('clinic', 'C1')), 'shared identifier');
  assert.equal(level(identifierComparison, mrn('CLINIC', 'C12345'), mrn('CLINIC', 'C12354')), 'one edit, same authority');
  assert.equal(level(identifierComparison, mrn('CLINIC', 'C1'), mrn('GENHOSP', 'C1')), 'missing');
});
