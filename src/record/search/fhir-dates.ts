/**
 * FHIR date, dateTime and instant values as half-open time ranges. A value stands for the
 * whole interval its precision implies (http://hl7.org/fhir/R4/search.html#date): `2024`
 * is [2024-01-01, 2025-01-01), `2024-03-05T10:00` is one minute. Indexing and searching both
 * go through here, so the two sides always agree on what a precision means.
 */

export interface TimeRange {
  /** Inclusive start, as an ISO instant, or '-infinity'. */
  low: string;
  /** Exclusive end, as an ISO instant, or 'infinity'. */
  high: string;
}

const pattern =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * Parses a FHIR date/dateTime/instant into the range its precision covers; undefined when it
 * is not one. A time without a zone (allowed in search values) is read as UTC, and so is a
 * date: the hub keeps no local zone (search.html#date leaves the choice to the server).
 */
export function parseFhirDateRange(text: string): TimeRange | undefined {
  const m = pattern.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  const year = Number(y);
  const month = mo === undefined ? 1 : Number(mo);
  const day = d === undefined ? 1 : Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const fractionMs = fraction === undefined ? 0 : Number(`0.${fraction}`) * 1000;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const start = new Date(0);
  start.setUTCFullYear(year, month - 1, day);
  start.setUTCHours(hour, minute, second, Math.floor(fractionMs));
  if (start.getUTCDate() !== day) return undefined; // 2024-02-30
  const offsetMinutes = zone && zone !== 'Z' ? (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) : 0;
  start.setTime(start.getTime() - offsetMinutes * 60_000);
  const end = new Date(start.getTime());
  if (mo === undefined) end.setUTCFullYear(end.getUTCFullYear() + 1);
  else if (d === undefined) end.setUTCMonth(end.getUTCMonth() + 1);
  else if (h === undefined) end.setUTCDate(end.getUTCDate() + 1);
  else if (s === undefined) end.setTime(end.getTime() + 60_000);
  else if (fraction === undefined) end.setTime(end.getTime() + 1000);
  else end.setTime(end.getTime() + Math.max(1, 10 ** (3 - Math.min(fraction.length, 3))));
  return { low: start.toISOString(), high: end.toISOString() };
}

/** A Period as a range: a missing start or end is open (http://hl7.org/fhir/R4/datatypes.html#Period). */
export function periodRange(period: { start?: string; end?: string }): TimeRange | undefined {
  const start = period.start ? parseFhirDateRange(period.start) : undefined;
  const end = period.end ? parseFhirDateRange(period.end) : undefined;
  if (!start && !end) return undefined;
  return { low: start?.low ?? '-infinity', high: end?.high ?? 'infinity' };
}
