import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { expectCodedError } from '../../test-support/coded-error.ts';
import { measurementPeriod, oneYearPeriod, toCqlInterval } from './measurement-period.ts';

test('a one-year period ends the day before the same date a year later', () => {
  assert.deepEqual(oneYearPeriod('2025-01-01'), { start: '2025-01-01', end: '2025-12-31' });
  assert.deepEqual(oneYearPeriod('2024-03-01'), { start: '2024-03-01', end: '2025-02-28' });
  assert.deepEqual(oneYearPeriod('2023-03-01'), { start: '2023-03-01', end: '2024-02-29' });
});

test('the CQL interval spans whole days in UTC, both ends included', () => {
  const interval = toCqlInterval(measurementPeriod('2025-01-01', '2025-12-31'));
  assert.equal(String(interval.low), '2025-01-01T00:00:00.000+00:00');
  assert.equal(String(interval.high), '2025-12-31T23:59:59.999+00:00');
  assert.equal(interval.lowClosed && interval.highClosed, true);
});

test('bad periods are refused with LNG_BAD_REQUEST', async () => {
  for (const [start, end] of [['2025-02-30', '2025-12-31'], ['2025-1-1', '2025-12-31'], ['2025-12-31', '2025-01-01'], ['', '2025-01-01']]) {
    await expectCodedError(Promise.resolve().then(() => measurementPeriod(start as string, end as string)), 'LNG_BAD_REQUEST');
  }
});

test('property: every real day starts a one-year period that round-trips', () => {
  fc.assert(
    fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2199-12-31T00:00:00Z'), noInvalidDate: true }), (date) => {
      const start = date.toISOString().slice(0, 10);
      const period = oneYearPeriod(start);
      assert.ok(period.end > period.start);
      const next = new Date(`${period.end}T00:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 1);
      // The day after the end is the start's anniversary (29 Feb rolls to 1 Mar).
      const anniversary = new Date(`${start}T00:00:00Z`);
      anniversary.setUTCFullYear(anniversary.getUTCFullYear() + 1);
      assert.equal(next.toISOString().slice(0, 10), anniversary.toISOString().slice(0, 10));
    }),
  );
});
