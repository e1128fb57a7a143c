import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFhirDateRange, periodRange } from './fhir-dates.ts';
import { parseNumberValue, splitOrList, splitPipes, splitPrefix } from './search-values.ts';

describe('FHIR date ranges', () => {
  test('each precision covers its whole interval', () => {
    assert.deepEqual(parseFhirDateRange('2024'), { low: '2024-01-01T00:00:00.000Z', high: '2025-01-01T00:00:00.000Z' });
    assert.deepEqual(parseFhirDateRange('2024-03'), { low: '2024-03-01T00:00:00.000Z', high: '2024-04-01T00:00:00.000Z' });
    assert.deepEqual(parseFhirDateRange('2024-12-31'), { low: '2024-12-31T00:00:00.000Z', high: '2025-01-01T00:00:00.000Z' });
    assert.deepEqual(parseFhirDateRange('2024-03-05T10:00'), { low: '2024-03-05T10:00:00.000Z', high: '2024-03-05T10:01:00.000Z' });
    assert.deepEqual(parseFhirDateRange('2024-03-05T10:00:00+01:00'), { low: '2024-03-05T09:00:00.000Z', high: '2024-03-05T09:00:01.000Z' });
    assert.deepEqual(parseFhirDateRange('2024-03-05T10:00:00.5Z'), { low: '2024-03-05T10:00:00.500Z', high: '2024-03-05T10:00:00.600Z' });
  });

  test('impossible dates and junk are refused', () => {
    for (const junk of ['2024-02-30', '2024-13', '24', 'yesterday', '2024-03-05T25:00', '']) assert.equal(parseFhirDateRange(junk), undefined, junk);
  });

  test('an open Period end is unbounded', () => {
    assert.deepEqual(periodRange({ start: '2024-03' }), { low: '2024-03-01T00:00:00.000Z', high: 'infinity' });
    assert.deepEqual(periodRange({ end: '2024' }), { low: '-infinity', high: '2025-01-01T00:00:00.000Z' });
  });
});

describe('search value syntax', () => {
  test('escaped commas and pipes are literal (search.html#escaping)', () => {
    assert.deepEqual(splitOrList('a,b\\,c'), ['a', 'b\\,c']);
    assert.deepEqual(splitPipes('http://s|a\\|b'), ['http://s', 'a|b']);
    assert.deepEqual(splitPipes('|code'), ['', 'code']);
  });

  test('prefixes and number precision', () => {
    assert.deepEqual(splitPrefix('ge2024'), { prefix: 'ge', rest: '2024' });
    assert.deepEqual(splitPrefix('2024'), { prefix: 'eq', rest: '2024' });
    assert.equal(parseNumberValue('100', 'n').halfPrecision, '5e-1');
    assert.equal(parseNumberValue('1.50', 'n').halfPrecision, '5e-3');
  });
});
