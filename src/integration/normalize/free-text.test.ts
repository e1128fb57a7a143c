import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseFreeText } from './free-text.ts';

describe('parseFreeText', () => {
  test('blood pressures, labelled or not, with or without mmHg', () => {
    assert.deepEqual(parseFreeText('120/80'), { kind: 'blood-pressure', systolic: 120, diastolic: 80, labelled: false });
    for (const text of ['BP 130/85', 'BP: 130/85 mmHg', 'bp:130/85', 'B/P 130 / 85', 'Blood pressure 130/85 mm Hg']) {
      assert.deepEqual(parseFreeText(text), { kind: 'blood-pressure', systolic: 130, diastolic: 85, labelled: true }, text);
    }
  });

  test('labelled quantities take the label as the analyte and its default unit when none is written', () => {
    const a1c = parseFreeText('A1c 7.2%');
    assert.equal(a1c?.kind, 'quantity');
    assert.ok(a1c?.kind === 'quantity');
    assert.equal(a1c.value, 7.2);
    assert.equal(a1c.unit, '%');
    assert.equal(a1c.label?.loinc, '4548-4');
    const hr = parseFreeText('HR 72');
    assert.ok(hr?.kind === 'quantity' && hr.label?.loinc === '8867-4' && hr.unit === undefined && hr.label.defaultUnit === '/min');
    assert.deepEqual(parseFreeText('HbA1c: 6.9 %'), { ...parseFreeText('A1c 6.9%'), unit: '%' });
  });

  test('numbers with units and comparators, as the hospital writes a value into an ST field', () => {
    assert.deepEqual(parseFreeText('93 mg/dL'), { kind: 'quantity', value: 93, unit: 'mg/dL' });
    assert.deepEqual(parseFreeText('5.2 mmol/L'), { kind: 'quantity', value: 5.2, unit: 'mmol/L' });
    assert.deepEqual(parseFreeText('12.1 10*3/uL'), { kind: 'quantity', value: 12.1, unit: '10*3/uL' });
    assert.deepEqual(parseFreeText('<5 mg/dL'), { kind: 'quantity', value: 5, comparator: '<', unit: 'mg/dL' });
    assert.deepEqual(parseFreeText('>= 10'), { kind: 'quantity', value: 10, comparator: '>=' });
    assert.deepEqual(parseFreeText('7.20'), { kind: 'quantity', value: 7.2 });
  });

  test('qualitative words become SNOMED CT qualifiers', () => {
    assert.equal(parseFreeText('pos')?.kind, 'qualitative');
    assert.deepEqual(parseFreeText('Positive'), { kind: 'qualitative', snomed: '10828004', display: 'Positive' });
    assert.deepEqual(parseFreeText('neg'), { kind: 'qualitative', snomed: '260385009', display: 'Negative' });
    assert.deepEqual(parseFreeText('Not detected'), { kind: 'qualitative', snomed: '260415000', display: 'Not detected' });
    assert.deepEqual(parseFreeText('non-reactive'), { kind: 'qualitative', snomed: '131194007', display: 'Non-Reactive' });
  });

  test('text that is not entirely one shape is not parsed', () => {
    for (const text of ['', '   ', 'HTN', '1.2.3', '34022747S012018', '12 m123', '5 apples today', 'see note', 'r/o MI', 'BP pending', 'weight 80 kg approx', 'Infinity', 'NaN', '1e5', 'x'.repeat(500)]) {
      assert.equal(parseFreeText(text), undefined, JSON.stringify(text));
    }
  });
});

describe('parseFreeText properties', () => {
  const decimalText = fc
    .tuple(fc.boolean(), fc.nat({ max: 99999 }), fc.option(fc.stringMatching(/^\d{1,4}$/), { nil: undefined }))
    .map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}${fraction !== undefined ? `.${fraction}` : ''}`);

  test('never throws, on any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        parseFreeText(text);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom('BP', 'A1c', ' ', '/', '.', '%', '<', '=', ':', '1', '9', 'mg', '-', '+', 'mmHg', 'pos'), { maxLength: 12 }), (parts) => {
        parseFreeText(parts.join(''));
      }),
      { numRuns: 2000 },
    );
  });

  test('round-trips numbers: the value is the decimal as written', () => {
    fc.assert(
      fc.property(decimalText, fc.constantFrom('', ' mg/dL', ' %', '%', ' mmol/L'), fc.constantFrom('', 'A1c ', 'glucose: ', 'BMI '), (number, unit, label) => {
        const parsed = parseFreeText(`${label}${number}${unit}`);
        assert.ok(parsed?.kind === 'quantity', `${label}${number}${unit}`);
        assert.equal(parsed.value, Number(number));
        assert.equal(parsed.unit, unit.trim() === '' ? undefined : unit.trim());
      }),
      { numRuns: 1000 },
    );
  });

  test('round-trips blood pressures', () => {
    fc.assert(
      fc.property(decimalText, decimalText, fc.constantFrom('BP ', 'BP: ', 'blood pressure '), (systolic, diastolic, label) => {
        const parsed = parseFreeText(`${label}${systolic}/${diastolic}`);
        assert.deepEqual(parsed, { kind: 'blood-pressure', systolic: Number(systolic), diastolic: Number(diastolic), labelled: true });
      }),
      { numRuns: 500 },
    );
  });
});
