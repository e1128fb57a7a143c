/**
 * HL7 v2 dates and times (DT, TS, DTM; v2.5.1 ch. 2A.22/2A.77/2A.79):
 * `YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]` → FHIR date, dateTime and instant
 * (http://hl7.org/fhir/R4/datatypes.html#dateTime), keeping the precision the sender gave.
 *
 * Two things FHIR cannot say the way v2 can, and what we do about them:
 * - an hour or minute precision: a FHIR dateTime with a time needs seconds, so `2015020811`
 *   becomes `2015-02-08T11:00:00` (the V2-to-FHIR IG's DTM[dateTime] map does the same);
 * - a time without an offset: v2 says it is in the sender's local time zone (2A.22), FHIR
 *   requires a zone once there is a time. We take, in order: the channel's configured time
 *   zone (an IANA name, so daylight saving is right), the offset of MSH-7 (the sender's clock
 *   when it sent the message), and UTC as the last resort.
 * A value that is not a real date (month 13, 30 February, minute 61) is a mapping error
 * naming the element, never a guess.
 */
import { HandlerError } from '../message-store/message-processor.ts';

export interface Hl7DateTime {
  year: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  /** Fraction of a second as sent (`.1234` → "1234"). */
  fraction?: string;
  /** Minutes east of UTC, when the value carried an offset. */
  offsetMinutes?: number;
}

/** Where an offset-less time gets its zone from (see the file comment). */
export interface ZoneDefaults {
  /** IANA zone of the sender, e.g. `America/Chicago` (channel configuration). */
  timeZone?: string;
  /** Offset of MSH-7 in minutes east of UTC, when MSH-7 carried one. */
  messageOffsetMinutes?: number;
}

const TS = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,4}))?)?)?)?)?)?(?:([+-])(\d{2})(\d{2}))?$/;

/** The value as a mapping error: what was wrong and where. */
export function invalidDate(value: string, element: string, why: string): HandlerError {
  return new HandlerError({ stage: 'map', code: 'invalid-date', message: `${element} "${value}" is not a valid HL7 date/time: ${why}`, element });
}

/**
 * Parses a DT/TS/DTM value (TS: only its first component, the DTM; the degree of precision in
 * TS.2 was deprecated in v2.3 and the precision of the value itself is what counts).
 * @param element - the element it came from, for the error (`PID-7`)
 */
export function parseHl7DateTime(value: string, element: string): Hl7DateTime {
  const m = TS.exec(value.trim());
  if (!m) throw invalidDate(value, element, 'expected YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ]');
  const num = (i: number): number | undefined => (m[i] === undefined ? undefined : Number(m[i]));
  const parsed: Hl7DateTime = { year: Number(m[1]) };
  const month = num(2);
  const day = num(3);
  const hour = num(4);
  const minute = num(5);
  const second = num(6);
  if (month !== undefined && (month < 1 || month > 12)) throw invalidDate(value, element, `month ${m[2]}`);
  if (day !== undefined && (day < 1 || day > daysInMonth(parsed.year, month!))) throw invalidDate(value, element, `day ${m[3]}`);
  if (hour !== undefined && hour > 23) throw invalidDate(value, element, `hour ${m[4]}`);
  if (minute !== undefined && minute > 59) throw invalidDate(value, element, `minute ${m[5]}`);
  // 60 is a leap second, which FHIR's dateTime pattern also admits.
  if (second !== undefined && second > 60) throw invalidDate(value, element, `second ${m[6]}`);
  if (m[8]) {
    const hours = Number(m[9]);
    const minutes = Number(m[10]);
    if (hours > 14 || minutes > 59) throw invalidDate(value, element, `offset ${m[8]}${m[9]}${m[10]}`);
    parsed.offsetMinutes = (m[8] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  return {
    ...parsed,
    ...(month !== undefined ? { month } : {}),
    ...(day !== undefined ? { day } : {}),
    ...(hour !== undefined ? { hour } : {}),
    ...(minute !== undefined ? { minute } : {}),
    ...(second !== undefined ? { second } : {}),
    ...(m[7] !== undefined ? { fraction: m[7] } : {}),
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** FHIR `date` (YYYY, YYYY-MM or YYYY-MM-DD): a time, if any, is dropped, never shifted. */
export function toFhirDate(value: string, element: string): string {
  const t = parseHl7DateTime(value, element);
  return [pad(t.year, 4), t.month && pad(t.month), t.day && pad(t.day)].filter(Boolean).join('-');
}

/** FHIR `dateTime` with the sender's precision; a time always gets a zone (see file comment). */
export function toFhirDateTime(value: string, element: string, zones: ZoneDefaults = {}): string {
  const t = parseHl7DateTime(value, element);
  if (t.hour === undefined) return toFhirDate(value, element);
  const date = `${pad(t.year, 4)}-${pad(t.month!)}-${pad(t.day!)}`;
  const time = `${pad(t.hour)}:${pad(t.minute ?? 0)}:${pad(t.second ?? 0)}${t.fraction ? `.${t.fraction}` : ''}`;
  const offset = t.offsetMinutes ?? zoneOffset(t, zones);
  return `${date}T${time}${formatOffset(offset)}`;
}

/**
 * FHIR `instant` (http://hl7.org/fhir/R4/datatypes.html#instant): needs at least seconds.
 * A value less precise than that is refused rather than padded, since an instant claims it.
 */
export function toFhirInstant(value: string, element: string, zones: ZoneDefaults = {}): string {
  const t = parseHl7DateTime(value, element);
  if (t.second === undefined) throw invalidDate(value, element, 'an instant needs a time to the second');
  return toFhirDateTime(value, element, zones);
}

/** Offset of MSH-7 in minutes, when it has one (used for offset-less times in the message). */
export function messageOffset(msh7: string | undefined): number | undefined {
  if (!msh7) return undefined;
  try {
    return parseHl7DateTime(msh7, 'MSH-7').offsetMinutes;
  } catch {
    // MSH-7 is checked where it is mapped; a bad one simply gives no default zone.
    return undefined;
  }
}

function formatOffset(minutes: number): string {
  if (minutes === 0) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The offset a local wall-clock time has in the configured zone, else MSH-7's, else UTC. */
function zoneOffset(t: Hl7DateTime, zones: ZoneDefaults): number {
  if (zones.timeZone) return offsetInZone(t, zones.timeZone);
  return zones.messageOffsetMinutes ?? 0;
}

/**
 * The UTC offset of a wall-clock time in an IANA zone. The offset is read at the instant the
 * wall clock would be if it were UTC, then corrected once: right for every time except the
 * hour a clock skips or repeats, where either reading is a valid answer.
 */
export function offsetInZone(t: Hl7DateTime, timeZone: string): number {
  const wall = Date.UTC(t.year, (t.month ?? 1) - 1, t.day ?? 1, t.hour ?? 0, t.minute ?? 0, t.second ?? 0);
  const first = zoneOffsetAt(wall, timeZone);
  return zoneOffsetAt(wall - first * 60_000, timeZone);
}

function zoneOffsetAt(epochMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(epochMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 60_000);
}
