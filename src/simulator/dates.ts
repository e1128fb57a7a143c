/**
 * Calendar arithmetic on whole days since 1970-01-01 (UTC). The simulator never reads the
 * clock: every date derives from --start-date, so output does not depend on when it runs.
 */

const MS_PER_DAY = 86_400_000;

/** Day number of an ISO date (YYYY-MM-DD). */
export function dayOf(iso: string): number {
  return Math.floor(Date.parse(`${iso}T00:00:00Z`) / MS_PER_DAY);
}

// Formatting dates is hot (every message and row); days span at most a few tens of thousands
// of values (birth dates to the end of the period), so the cache stays small for any N.
const isoCache = new Map<number, string>();

/** ISO date (YYYY-MM-DD) of a day number. */
export function isoDate(day: number): string {
  let s = isoCache.get(day);
  if (s === undefined) isoCache.set(day, (s = new Date(day * MS_PER_DAY).toISOString().slice(0, 10)));
  return s;
}

/** HL7 v2 DT (YYYYMMDD). */
export function hl7Date(day: number): string {
  return isoDate(day).replaceAll('-', '');
}

/** HL7 v2 DTM to the minute (YYYYMMDDHHMM), minuteOfDay in 0..1439. */
export function hl7Timestamp(day: number, minuteOfDay: number): string {
  return `${hl7Date(day)}${pad2(Math.floor(minuteOfDay / 60))}${pad2(minuteOfDay % 60)}`;
}

/** FHIR dateTime with a UTC offset, minuteOfDay in 0..1439. */
export function fhirDateTime(day: number, minuteOfDay: number): string {
  return `${isoDate(day)}T${pad2(Math.floor(minuteOfDay / 60))}:${pad2(minuteOfDay % 60)}:00Z`;
}

/** Whole years between a birth day and another day (the age on that day). */
export function ageOn(birthDay: number, day: number): number {
  const b = new Date(birthDay * MS_PER_DAY);
  const d = new Date(day * MS_PER_DAY);
  let age = d.getUTCFullYear() - b.getUTCFullYear();
  if (d.getUTCMonth() < b.getUTCMonth() || (d.getUTCMonth() === b.getUTCMonth() && d.getUTCDate() < b.getUTCDate())) age--;
  return age;
}

/** The day `years` calendar years after `day` (Feb 29 rolls to Mar 1). */
export function addYears(day: number, years: number): number {
  const d = new Date(day * MS_PER_DAY);
  return Math.floor(Date.UTC(d.getUTCFullYear() + years, d.getUTCMonth(), d.getUTCDate()) / MS_PER_DAY);
}

/** The last day of the month containing `day`. */
export function endOfMonth(day: number): number {
  const d = new Date(day * MS_PER_DAY);
  return Math.floor(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0) / MS_PER_DAY);
}

/** Year, month (1-12) and day of month of a day number. */
export function dateParts(day: number): { year: number; month: number; dayOfMonth: number } {
  const d = new Date(day * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, dayOfMonth: d.getUTCDate() };
}

export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
