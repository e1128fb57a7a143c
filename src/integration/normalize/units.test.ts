import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loincUnits } from './loinc-units.ts';
import { convertUnit, isValidUcum, roundTo, ucumCodeFor } from './units.ts';

describe('units → UCUM', () => {
  test('spellings that are valid UCUM but mean something else are caught first', () => {
    // K/uL parses as kelvin per microlitre, C as coulomb, F as farad.
    assert.ok(isValidUcum('K/uL'));
    assert.deepEqual(ucumCodeFor('K/uL'), { code: '10*3/uL', rule: 'unit-alias:K/uL' });
    assert.equal(ucumCodeFor('C')?.code, 'Cel');
    assert.equal(ucumCodeFor('F')?.code, '[degF]');
  });

  test('common lab and vital-sign spellings', () => {
    const cases: Record<string, string> = {
      mmHg: 'mm[Hg]', bpm: '/min', 'mEq/L': 'meq/L', 'IU/L': '[IU]/L', 'x10^3/uL': '10*3/uL', 'M/uL': '10*6/uL', mcg: 'ug', 'kg/m^2': 'kg/m2', lbs: '[lb_av]', 'MG/DL': 'mg/dL', 'mg/dl': 'mg/dL', 'µmol/L': 'umol/L',
    };
    for (const [text, code] of Object.entries(cases)) assert.equal(ucumCodeFor(text)?.code, code, text);
  });

  test('valid UCUM stays as written; unknown text is not guessed', () => {
    assert.deepEqual(ucumCodeFor('mg/dL'), { code: 'mg/dL', rule: 'ucum-valid' });
    assert.equal(ucumCodeFor('10*3/uL')?.code, '10*3/uL');
    assert.equal(ucumCodeFor('%')?.code, '%');
    for (const text of ['', ' ', 'apples', 'mg per deciliter', 'units']) assert.equal(ucumCodeFor(text), undefined, text);
  });
});

describe('conversions', () => {
  const glucose = loincUnits['2345-7']!;
  test('glucose mmol/L ↔ mg/dL with the molar mass of glucose (180.156 g/mol)', () => {
    assert.equal(roundTo(convertUnit(5.5, 'mmol/L', 'mg/dL', glucose)!, 1), 99.1);
    assert.equal(roundTo(convertUnit(100, 'mg/dL', 'mmol/L', glucose)!, 2), 5.55);
  });

  test('mass ↔ substance without a molar mass does not convert', () => {
    assert.equal(convertUnit(5.5, 'mmol/L', 'mg/dL'), undefined);
  });

  test('the SI factors labs print agree with the molar masses', () => {
    // AMA Manual of Style SI conversion factors (as in the simulator's lab catalog).
    assert.equal(roundTo(convertUnit(1, 'mg/dL', 'umol/L', loincUnits['2160-0'])!, 1), 88.4); // creatinine
    assert.equal(roundTo(convertUnit(1, 'mg/dL', 'mmol/L', loincUnits['3094-0'])!, 3), 0.357); // urea nitrogen → urea
    assert.equal(roundTo(convertUnit(1, 'mg/dL', 'mmol/L', loincUnits['17861-6'])!, 4), 0.2495); // calcium
    assert.equal(roundTo(convertUnit(1, 'mg/dL', 'mmol/L', loincUnits['2093-3'])!, 5), 0.02586); // cholesterol
    assert.equal(roundTo(convertUnit(1, 'mg/dL', 'mmol/L', loincUnits['2571-8'])!, 5), 0.01129); // triglycerides as triolein
  });

  test('equivalents of a monovalent ion are moles', () => {
    assert.equal(convertUnit(140, 'meq/L', 'mmol/L', loincUnits['2951-2']), 140);
  });

  test('same-dimension conversions need nothing else', () => {
    assert.equal(roundTo(convertUnit(140, 'g/L', 'g/dL')!, 1), 14);
    assert.equal(roundTo(convertUnit(7.2, '10*9/L', '10*3/uL')!, 1), 7.2);
    assert.equal(roundTo(convertUnit(98.6, '[degF]', 'Cel')!, 1), 37);
    assert.equal(roundTo(convertUnit(0.42, 'L/L', '%')!, 1), 42);
  });

  test('HbA1c mmol/mol (IFCC) is refused: UCUM would call it 1/10 of a percent, which is wrong', () => {
    assert.ok(loincUnits['4548-4']!.refuse?.includes('mmol/mol'));
  });

  test('roundTo rounds half away from zero, in decimal', () => {
    assert.equal(roundTo(1.005, 2), 1.01);
    assert.equal(roundTo(2.5, 0), 3);
    assert.equal(roundTo(-2.5, 0), -3);
    assert.equal(roundTo(93.68112, 0), 94);
  });
});
