import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeAddress, normalizePostalCode, normalizeStreetLine, postalArea } from './address.ts';
import { isDayMonthSwap, mistypedBirthDate, normalizeBirthDate } from './date.ts';
import { normalizeEmail } from './email.ts';
import { normalizeLocalId, normalizeMbi, normalizeSsn } from './identifier.ts';
import { normalizePhone } from './phone.ts';
import { normalizeSex } from './sex.ts';

test('birth dates: ISO, compact, US; impossible dates are missing', () => {
  assert.equal(normalizeBirthDate('1971-06-24')?.iso, '1971-06-24');
  assert.equal(normalizeBirthDate('19710624')?.iso, '1971-06-24');
  assert.equal(normalizeBirthDate('6/24/1971')?.iso, '1971-06-24');
  assert.equal(normalizeBirthDate('1900-02-29'), undefined, '1900 is not a leap year');
  assert.equal(normalizeBirthDate('2000-02-29')?.iso, '2000-02-29');
  assert.equal(normalizeBirthDate('19231164'), undefined);
  assert.equal(normalizeBirthDate(''), undefined);
});

test('a well-formed date that is no calendar date is kept as mistyped digits', () => {
  assert.deepEqual(mistypedBirthDate('1849-88-07'), { year: 1849, month: 88, day: 7, iso: '1849-88-07', mistyped: true });
  assert.equal(mistypedBirthDate('19231164')?.iso, '1923-11-64');
  assert.equal(mistypedBirthDate('1971-06-24'), undefined, 'a valid date is normalizeBirthDate\'s');
  assert.equal(mistypedBirthDate('June 1971'), undefined);
  assert.equal(mistypedBirthDate(''), undefined);
});

test('postal areas: UK outward code, US 3-digit ZIP', () => {
  assert.equal(postalArea(normalizePostalCode('SW1A 2BJ')), 'sw1a');
  assert.equal(postalArea(normalizePostalCode('cf14 5gh')), 'cf14');
  assert.equal(postalArea(normalizePostalCode('M1 1AE')), 'm1');
  assert.equal(postalArea(normalizePostalCode('43210-1234')), '432');
  assert.equal(postalArea(normalizePostalCode('2612')), undefined, 'other forms have no area');
  assert.equal(postalArea(undefined), undefined);
});

test('day/month swap is detected only when it is possible', () => {
  const a = normalizeBirthDate('1980-03-07');
  const b = normalizeBirthDate('1980-07-03');
  const c = normalizeBirthDate('1980-03-03');
  assert.ok(a && b && c);
  assert.ok(isDayMonthSwap(a, b));
  assert.ok(!isDayMonthSwap(a, a));
  assert.ok(!isDayMonthSwap(c, c), 'day = month cannot be swapped');
});

test('sex from FHIR, HL7 table 0001 and text; unknown is missing', () => {
  assert.equal(normalizeSex('F'), 'female');
  assert.equal(normalizeSex('male'), 'male');
  assert.equal(normalizeSex('U'), undefined);
  assert.equal(normalizeSex('unknown'), undefined);
});

test('phones become E.164 whatever the format', () => {
  for (const raw of ['(614) 443-5450', '614-443-5450', '614.443.5450', '6144435450', '+1 614 443 5450', '1-614-443-5450']) {
    assert.equal(normalizePhone(raw), '+16144435450', raw);
  }
  assert.equal(normalizePhone('020 7946 0018', 'GB'), '+442079460018');
  assert.equal(normalizePhone('12'), undefined);
});

test('emails: case, sub-addresses, Gmail dots', () => {
  assert.equal(normalizeEmail(' Jane.Doe+clinic@Example.COM ')?.address, 'jane.doe@example.com');
  assert.equal(normalizeEmail('j.a.n.e@googlemail.com')?.address, 'jane@gmail.com');
  assert.equal(normalizeEmail('not-an-email'), undefined);
});

test('addresses: USPS abbreviations, directionals, units, ZIP5', () => {
  assert.deepEqual(normalizeStreetLine('1683 North 9th Street, Apt #4B'), { number: '1683', street: 'n 9th st', unit: '4b' });
  assert.deepEqual(normalizeStreetLine('1683 N 9th St Apt 4B'), { number: '1683', street: 'n 9th st', unit: '4b' });
  assert.deepEqual(normalizeStreetLine('12 Maple Avenue Suite 200'), { number: '12', street: 'maple ave', unit: '200' });
  assert.equal(normalizePostalCode('43210-1234'), '43210');
  assert.equal(normalizePostalCode('TQ13 8DF'), 'tq138df');
  assert.deepEqual(normalizeAddress({ line: '9777 Kestrel Close', city: 'Champaign ', state: 'OH', postalCode: '45290' }),
    { number: '9777', street: 'kestrel cl', city: 'champaign', state: 'oh', postalCode: '45290', postalArea: '452' });
  assert.equal(normalizeAddress({}), undefined);
});

test('identifiers: SSN digits, placeholders refused, MBI format, MRN keyed by authority', () => {
  assert.equal(normalizeSsn('927-19-6825'), '927196825');
  assert.equal(normalizeSsn('927-19-6825', false), undefined, '9xx areas are never issued');
  assert.equal(normalizeSsn('000-12-3456'), undefined);
  assert.equal(normalizeSsn('123-45-6789'), undefined);
  assert.equal(normalizeSsn('111111111'), undefined);
  assert.equal(normalizeMbi('1eg4-te5-mk73'), '1EG4TE5MK73', 'CMS example MBI');
  assert.equal(normalizeMbi('1SG4TE5MK73'), undefined, 'S is excluded');
  assert.deepEqual(normalizeLocalId('GENHOSP', ' 0012-3456 '), { system: 'genhosp', value: '00123456' });
});
