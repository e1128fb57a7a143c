/**
 * An independent oracle for FHIR search matching (http://hl7.org/fhir/R4/search.html), in
 * plain TypeScript over resource JSON: conformance tests compute the ids a search must return
 * with it, without the hub's indexer or SQL. It follows the spec's tables directly and is kept
 * deliberately naive (no index, no precision tricks beyond what the spec states).
 */
import type { Coding, Reference } from '@medplum/fhirtypes';

/** Search values escape `\ , | $` with a backslash (search.html#escaping). */
export function escapeSearchValue(text: string): string {
  return text.replace(/[\\,|$]/g, (c) => `\\${c}`);
}

function unescape(text: string): string {
  return text.replace(/\\([\\,|$])/g, '$1');
}

/** Splits on the first `|` that is not escaped; undefined when there is none. */
function splitPipe(value: string): [string, string] | undefined {
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '|') return [unescape(value.slice(0, i)), unescape(value.slice(i + 1))];
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// string (search.html#string): case- and accent-insensitive, matching the start of the value.

export function normalizeText(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export function stringMatches(values: readonly string[], search: string): boolean {
  const wanted = normalizeText(unescape(search));
  return values.some((v) => normalizeText(v).startsWith(wanted));
}

// ---------------------------------------------------------------------------------------------
// token (search.html#token): [code], [system]|[code], |[code], [system]|

export interface TokenValue {
  system?: string | undefined;
  code?: string | undefined;
}

export function tokenMatches(values: readonly TokenValue[], search: string): boolean {
  const parts = splitPipe(search);
  if (!parts) {
    const code = unescape(search);
    return values.some((v) => v.code === code);
  }
  const [system, code] = parts;
  if (system === '') return values.some((v) => v.system === undefined && v.code === code);
  if (code === '') return values.some((v) => v.system === system);
  return values.some((v) => v.system === system && v.code === code);
}

export function codingsOf(concept: { coding?: Coding[] } | undefined): TokenValue[] {
  return (concept?.coding ?? []).map((c) => ({ system: c.system, code: c.code }));
}

// ---------------------------------------------------------------------------------------------
// reference (search.html#reference): [type]/[id], or [id] alone.

/** The `Type/id` a relative or absolute literal reference names (a version suffix dropped). */
export function referenceTarget(reference: string | undefined): { type: string; id: string } | undefined {
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference ?? '');
  return m ? { type: m[1]!, id: m[2]! } : undefined;
}

export function referenceMatches(values: readonly (Reference | undefined)[], search: string, types?: readonly string[]): boolean {
  const value = unescape(search);
  const wanted = value.includes('/') ? referenceTarget(value) : { type: undefined, id: value };
  if (!wanted) return false;
  return values.some((r) => {
    const target = referenceTarget(r?.reference);
    if (!target || (types && !types.includes(target.type))) return false;
    return target.id === wanted.id && (wanted.type === undefined || wanted.type === target.type);
  });
}

// ---------------------------------------------------------------------------------------------
// date (search.html#date, #prefix): every value is a range given by its precision.

export const datePrefixes = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'] as const;
export type DatePrefix = (typeof datePrefixes)[number];

/** [low, high) in epoch milliseconds; ±Infinity for an open end. */
export type Range = readonly [number, number];

const datePattern = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The range a date, dateTime or instant covers. A value without a zone is read as UTC: the
 * spec leaves the zone of such values to the server (search.html#date), and the hub has none.
 */
export function dateRange(text: string): Range | undefined {
  const m = datePattern.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  const offset = zone && zone !== 'Z' ? (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) : 0;
  const ms = fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;
  const low = Date.UTC(Number(y), Number(mo ?? 1) - 1, Number(d ?? 1), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), ms) - offset * 60_000;
  let high: number;
  if (mo === undefined) high = Date.UTC(Number(y) + 1, 0, 1) - offset * 60_000;
  else if (d === undefined) high = Date.UTC(Number(y), Number(mo), 1) - offset * 60_000;
  else if (h === undefined) high = low + 86_400_000;
  else if (s === undefined) high = low + 60_000;
  else if (fraction === undefined) high = low + 1000;
  else high = low + Math.max(1, 10 ** (3 - Math.min(fraction.length, 3)));
  return [low, high];
}

/** A Period is the range from its start to its end; a missing end is open (datatypes.html#Period). */
export function periodRange(period: { start?: string; end?: string } | undefined): Range | undefined {
  if (!period || (!period.start && !period.end)) return undefined;
  const start = period.start ? dateRange(period.start) : undefined;
  const end = period.end ? dateRange(period.end) : undefined;
  return [start ? start[0] : -Infinity, end ? end[1] : Infinity];
}

/**
 * search.html#prefix, with search range [sl, sh) and target range [tl, th). `ap` is left to
 * the caller: the spec lets the server choose how approximate it is.
 */
export function datePrefixMatches(prefix: Exclude<DatePrefix, 'ap'>, search: Range, target: Range): boolean {
  const [sl, sh] = search;
  const [tl, th] = target;
  const eq = tl >= sl && th <= sh;
  switch (prefix) {
    case 'eq':
      return eq;
    case 'ne':
      return !eq;
    case 'gt':
      return th > sh;
    case 'lt':
      return tl < sl;
    case 'ge':
      return th > sh || eq;
    case 'le':
      return tl < sl || eq;
    case 'sa':
      return tl >= sh;
    case 'eb':
      return th <= sl;
  }
}

/** Do two ranges overlap? */
export function overlaps(a: Range, b: Range): boolean {
  return a[0] < b[1] && b[0] < a[1];
}
