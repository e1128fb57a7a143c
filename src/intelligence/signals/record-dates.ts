/** Dates read from FHIR resources, as the signal kinds need them (UTC days). */
import type { Observation, Period } from '@medplum/fhirtypes';

const dayMs = 86_400_000;

/** When an observation was made: effectiveDateTime, effectivePeriod.start, effectiveInstant, issued. */
export function observedAt(observation: Observation): Date | undefined {
  return parseFhirDate(observation.effectiveDateTime ?? observation.effectivePeriod?.start ?? observation.effectiveInstant ?? observation.issued);
}

/** A FHIR date or dateTime as a Date (a date alone is its UTC midnight); undefined when absent or bad. */
export function parseFhirDate(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value.length === 4 ? `${value}-01-01` : value.length === 7 ? `${value}-01` : value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Whole days from a to b (b later → positive), by UTC calendar day. */
export function daysBetween(a: Date, b: Date): number {
  return Math.round((Date.UTC(b.getUTCFullYear(), b.getUTCMonth(), b.getUTCDate()) - Date.UTC(a.getUTCFullYear(), a.getUTCMonth(), a.getUTCDate())) / dayMs);
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * dayMs);
}

/** YYYY-MM-DD. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The calendar day a FHIR date or dateTime names, as the source wrote it (its local date, before
 * any offset): "2025-12-02T07:54:00-05:00" is 2 December wherever it is read. Undefined when absent
 * or not a date.
 */
export function fhirDay(value: string | undefined): string | undefined {
  return value && /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : undefined;
}

/** The YYYY-MM-DD `days` calendar days after (or before) a YYYY-MM-DD day. */
export function addIsoDays(day: string, days: number): string {
  return isoDay(addDays(new Date(`${day}T00:00:00Z`), days));
}

export function periodStart(period: Period | undefined): Date | undefined {
  return parseFhirDate(period?.start);
}

export function periodEnd(period: Period | undefined): Date | undefined {
  return parseFhirDate(period?.end);
}
