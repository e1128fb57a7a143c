import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { analytes, labTests } from '../../simulator/lab-catalog.ts';
import { icd10cmShape, isCptShape, isHcpcsLevel2Shape, isValidLoinc, isValidNpi, luhnValid } from './code-systems.ts';

describe('LOINC check digits', () => {
  test('every LOINC code the simulator uses passes', () => {
    for (const a of [...Object.values(analytes), ...Object.values(labTests)]) assert.ok(isValidLoinc(a.loinc), a.loinc);
    for (const code of ['8480-6', '8462-4', '85354-9', '39156-5', '8867-4', '59261-8']) assert.ok(isValidLoinc(code), code);
  });

  test('a wrong check digit, a transposition or a bad shape fails', () => {
    assert.equal(isValidLoinc('2345-8'), false);
    assert.equal(isValidLoinc('4548-5'), false);
    assert.equal(isValidLoinc('2354-7'), false, 'transposed digits');
    for (const bad of ['2345', '2345-77', '12345678-9', 'GLU', '', ' 2345-7']) assert.equal(isValidLoinc(bad), false, bad);
    assert.ok(isValidLoinc('LA6576-8'), 'answer codes pass by shape');
  });

  test('any single changed digit is caught (Luhn catches all single-digit errors)', () => {
    fc.assert(
      fc.property(fc.constantFrom('2345-7', '4548-4', '17861-6', '13457-7', '24331-1'), fc.nat(), fc.integer({ min: 1, max: 9 }), (code, at, delta) => {
        const digits = code.replace('-', '').split('');
        const i = at % digits.length;
        digits[i] = String((Number(digits[i]) + delta) % 10);
        const changed = `${digits.slice(0, -1).join('')}-${digits.at(-1)}`;
        assert.equal(isValidLoinc(changed), false, changed);
      }),
    );
  });
});

describe('ICD-10-CM, CPT and HCPCS shapes', () => {
  test('ICD-10-CM codes with and without the dot', () => {
    for (const code of ['E11.9', 'I10', 'J45.909', 'S72.001A', 'U07.1', 'Z00.00', 'O09.891']) assert.equal(icd10cmShape(code), 'valid', code);
    assert.equal(icd10cmShape('E119'), 'missing-dot');
    for (const bad of ['11.9', 'E1', 'E11.', 'E11.12345', 'e11.9', '250.00']) assert.equal(icd10cmShape(bad), 'invalid', bad);
  });

  test('CPT categories I, II, III and PLA; HCPCS Level II', () => {
    for (const code of ['99213', '83036', '3044F', '0042T', '0001U']) assert.ok(isCptShape(code), code);
    for (const bad of ['9921', '992134', 'G0121', '3044X']) assert.equal(isCptShape(bad), false, bad);
    for (const code of ['G0121', 'J3490', 'A0428']) assert.ok(isHcpcsLevel2Shape(code), code);
    for (const bad of ['W1234', 'G012', '99213']) assert.equal(isHcpcsLevel2Shape(bad), false, bad);
  });
});

describe('NPI', () => {
  test("CMS's example NPI passes; a changed digit fails", () => {
    assert.ok(isValidNpi('1234567893'));
    assert.equal(isValidNpi('1234567890'), false);
    assert.equal(isValidNpi('3234567893'), false, 'must start with 1 or 2');
    assert.equal(isValidNpi('123456789'), false);
  });

  test('Luhn over the 80840 prefix agrees with computing the check digit', () => {
    fc.assert(
      fc.property(fc.constantFrom('1', '2'), fc.stringMatching(/^\d{8}$/), (first, rest) => {
        const body = `${first}${rest}`;
        const check = [...Array(10).keys()].find((d) => luhnValid(`80840${body}${d}`))!;
        assert.ok(isValidNpi(`${body}${check}`));
        assert.equal(isValidNpi(`${body}${(check + 1) % 10}`), false);
      }),
    );
  });
});
