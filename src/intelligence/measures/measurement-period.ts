/**
 * The measurement period: the "Measurement Period" parameter every eCQM declares
 * (`parameter "Measurement Period" Interval<DateTime>`). Dates are whole days, inclusive;
 * the CQL interval runs from the first day's midnight to the last day's last millisecond,
 * in UTC, as in the measures' own default (e.g. CMS2
 * `Interval[@2025-01-01T00:00:00.000Z, @2025-12-31T23:59:59.999Z]`).
 */
import { DateTime, Interval } from 'cql-execution';
import { LongitudeError } from '../../platform/errors.ts';

export interface MeasurementPeriod {
  /** First day, YYYY-MM-DD. */
  start: string;
  /** Last day (inclusive), YYYY-MM-DD. */
  end: string;
}

const isoDay = /^\d{4}-\d{2}-\d{2}$/;

function isCalendarDay(value: string): boolean {
  if (!isoDay.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  // Date.parse rolls 2025-02-30 over to March; a real day survives the round trip.
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

/** Checks a period; a bad one is LNG_BAD_REQUEST naming the field. */
export function measurementPeriod(start: string, end: string): MeasurementPeriod {
  for (const [field, value] of [['start', start], ['end', end]] as const) {
    if (!isCalendarDay(value)) {
      throw new LongitudeError('LNG_BAD_REQUEST', `measurement period ${field} must be a date as YYYY-MM-DD, got "${value}"`);
    }
  }
  if (end < start) throw new LongitudeError('LNG_BAD_REQUEST', `measurement period ends (${end}) before it starts (${start})`);
  return { start, end };
}

/** The one-year period starting on `start` (2025-01-01 → 2025-12-31; 2025-07-01 → 2026-06-30). */
export function oneYearPeriod(start: string): MeasurementPeriod {
  measurementPeriod(start, start);
  const next = new Date(`${start}T00:00:00Z`);
  next.setUTCFullYear(next.getUTCFullYear() + 1);
  next.setUTCDate(next.getUTCDate() - 1);
  return measurementPeriod(start, next.toISOString().slice(0, 10));
}

/** The CQL value of the "Measurement Period" parameter. */
export function toCqlInterval(period: MeasurementPeriod): Interval {
  return new Interval(
    DateTime.parse(`${period.start}T00:00:00.000Z`),
    DateTime.parse(`${period.end}T23:59:59.999Z`),
    true,
    true,
  );
}
