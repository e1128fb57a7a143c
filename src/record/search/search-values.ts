/**
 * Parsing of search values (http://hl7.org/fhir/R4/search.html#escaping, #prefix): the
 * escapes `\,` `\|` `\$` `\\`, comma-separated OR lists, and the two-letter prefixes of
 * ordered types.
 */
import { errorAt } from '../../platform/errors.ts';
import { parseFhirDateRange, type TimeRange } from './fhir-dates.ts';

export const prefixes = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'] as const;
export type Prefix = (typeof prefixes)[number];

/** Splits on separators not escaped with a backslash; escapes are kept for the next split. */
function splitEscaped(text: string, separator: ',' | '|', limit = Infinity): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[i + 1]!;
      i++;
    } else if (ch === separator && parts.length < limit - 1) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

/** Escapes `\ , | $` with a backslash so a value goes into a search as itself (search.html#escaping). */
export function escapeValue(text: string): string {
  return text.replace(/[\\,|$]/g, (c) => `\\${c}`);
}

export function unescapeValue(text: string): string {
  return text.replace(/\\([\\,|$])/g, '$1');
}

/** The OR list of one parameter occurrence, still escaped for `|` splitting. */
export function splitOrList(value: string): string[] {
  return splitEscaped(value, ',');
}

/** `system|code` → both parts unescaped; no `|` → system undefined (any system). */
export function splitPipes(value: string, limit = Infinity): string[] {
  return splitEscaped(value, '|', limit).map(unescapeValue);
}

export function splitPrefix(value: string): { prefix: Prefix; rest: string } {
  const head = value.slice(0, 2);
  if ((prefixes as readonly string[]).includes(head)) return { prefix: head as Prefix, rest: value.slice(2) };
  return { prefix: 'eq', rest: value };
}

export interface DateValue { prefix: Prefix; range: TimeRange }

export function parseDateValue(value: string, parameter: string): DateValue {
  const { prefix, rest } = splitPrefix(value);
  // An unencoded `+` of a zone offset arrives decoded as a space (2024-03-05T10:00:00 01:00);
  // clients send it often enough that reading it back beats refusing the search.
  const range = parseFhirDateRange(unescapeValue(rest).replace(/ (\d{2}:\d{2})$/, '+$1'));
  if (!range) {
    throw errorAt('LNG_BAD_REQUEST', `${parameter}: ${value} is not a date such as 2024, 2024-03-05 or ge2024-03-05T10:00:00Z`, parameter);
  }
  return { prefix, range };
}

export interface NumberValue {
  prefix: Prefix;
  /** The number as written (numeric in SQL keeps it exact). */
  value: string;
  /** Half the unit of the last significant digit: `100` is 100 ± 0.5 (search.html#number). */
  halfPrecision: string;
}

const numberPattern = /^[+-]?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

export function parseNumberValue(value: string, parameter: string): NumberValue {
  const { prefix, rest } = splitPrefix(value);
  const m = numberPattern.exec(rest);
  if (!m) throw errorAt('LNG_BAD_REQUEST', `${parameter}: ${value} is not a number such as 100, 0.5 or gt7.2`, parameter);
  const decimals = (m[2]?.length ?? 0) - Number(m[3] ?? 0);
  return { prefix, value: rest, halfPrecision: `5e${-(decimals + 1)}` };
}

export interface QuantityValue extends NumberValue {
  system?: string;
  code?: string;
}

/** `[prefix]number|system|code`, `number||code` or a bare number (search.html#quantity). */
export function parseQuantityValue(value: string, parameter: string): QuantityValue {
  const [number = '', system, code] = splitPipes(value, 3);
  const parsed = parseNumberValue(number, parameter);
  return { ...parsed, ...(system ? { system } : {}), ...(code ? { code } : {}) };
}
