/**
 * Turns the values a search parameter's FHIRPath expression yields into index rows, one shape
 * per parameter type, following the "what a parameter type matches" tables of
 * http://hl7.org/fhir/R4/search.html (#string, #token, #date, #number, #quantity,
 * #reference, #uri).
 */
import type { TypedValue } from '@medplum/core';
import type {
  Address,
  CodeableConcept,
  Coding,
  ContactPoint,
  HumanName,
  Identifier,
  Period,
  Quantity,
  Reference,
  Timing,
} from '@medplum/fhirtypes';
import { resourceTypes } from '../../fhir/index.ts';
import { parseFhirDateRange, periodRange, type TimeRange } from './fhir-dates.ts';
import type { ValueType } from './search-parameters.ts';
import { toCanonical, ucumUnitOf } from './ucum.ts';

/**
 * Every row names its parameter; a composite component's row also carries the ordinal of the
 * element (tuple) it came from, so a search can require its components to match the same
 * element (search.html#composite, composite.ts).
 */
interface RowBase { code: string; tuple?: number }

export interface StringRow extends RowBase { normalized: string; exact: string }
export interface TokenRow extends RowBase { system: string | null; value: string | null; display: string | null; typeSystem: string | null; typeCode: string | null }
export interface DateRow extends RowBase { low: string; high: string }
export interface NumberRow extends RowBase { value: string }
/** `canonical*`: the value in UCUM base units and that unit (ucum.ts), when the unit converts. */
export interface QuantityRow extends RowBase {
  value: string;
  system: string | null;
  unitCode: string | null;
  unit: string | null;
  canonicalValue: string | null;
  canonicalUnit: string | null;
}
export interface ReferenceRow extends RowBase { targetType: string | null; targetId: string | null; text: string | null; identifierSystem: string | null; identifierValue: string | null }
export interface UriRow extends RowBase { value: string }

export interface IndexRows {
  string: StringRow[];
  token: TokenRow[];
  date: DateRow[];
  number: NumberRow[];
  quantity: QuantityRow[];
  reference: ReferenceRow[];
  uri: UriRow[];
}

export function emptyIndexRows(): IndexRows {
  return { string: [], token: [], date: [], number: [], quantity: [], reference: [], uri: [] };
}

/**
 * Index keys are cut to this many characters: a btree entry must stay under about 2.7 kB, and
 * a search value longer than this is not a realistic query. Longer values still match on
 * their first 500 characters.
 */
const maxKeyLength = 500;

function key(text: string): string {
  return text.length > maxKeyLength ? text.slice(0, maxKeyLength) : text;
}

/** Case- and accent-insensitive form for string matching (search.html#string). */
export function normalizeString(text: string): string {
  return key(text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase());
}

/**
 * Adds the rows for one parameter's values to `rows`. `impliedSystem` is the code system of a
 * token parameter's `code` elements (implied-systems.ts).
 */
export function addIndexRows(rows: IndexRows, code: string, type: ValueType, values: readonly TypedValue[], impliedSystem?: string): void {
  for (const { type: valueType, value } of values) {
    if (value === undefined || value === null) continue;
    switch (type) {
      case 'string':
        for (const text of stringsOf(valueType, value)) rows.string.push({ code, normalized: normalizeString(text), exact: text });
        break;
      case 'token':
        rows.token.push(...tokensOf(code, valueType, value, impliedSystem));
        break;
      case 'date': {
        const range = dateRangeOf(valueType, value);
        if (range) rows.date.push({ code, ...range });
        break;
      }
      case 'number':
        if (typeof value === 'number' && Number.isFinite(value)) rows.number.push({ code, value: String(value) });
        break;
      case 'quantity': {
        const row = quantityOf(code, valueType, value as Quantity & { currency?: string });
        if (row) rows.quantity.push(row);
        break;
      }
      case 'reference': {
        const row = referenceOf(code, valueType, value);
        if (row) rows.reference.push(row);
        break;
      }
      case 'uri':
        if (typeof value === 'string') rows.uri.push({ code, value: key(value) });
        break;
    }
  }
}

function stringsOf(valueType: string, value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (valueType === 'HumanName') {
    const n = value as HumanName;
    return [n.text, n.family, ...(n.given ?? []), ...(n.prefix ?? []), ...(n.suffix ?? [])].filter(isText);
  }
  if (valueType === 'Address') {
    const a = value as Address;
    return [a.text, ...(a.line ?? []), a.city, a.district, a.state, a.postalCode, a.country].filter(isText);
  }
  return [];
}

function isText(s: string | undefined): s is string {
  return typeof s === 'string' && s.length > 0;
}

function token(code: string, system: string | undefined | null, value: string | undefined | null, display?: string | null): TokenRow {
  return {
    code,
    system: system ? key(system) : null,
    value: value ? key(value) : null,
    display: display ? normalizeString(display) : null,
    typeSystem: null,
    typeCode: null,
  };
}

function quantityOf(code: string, valueType: string, q: Quantity & { currency?: string }): QuantityRow | undefined {
  if (typeof q.value !== 'number' || !Number.isFinite(q.value)) return undefined;
  // Money carries its currency where a Quantity has its unit code; a currency is no UCUM unit.
  const unitCode = q.code ?? q.currency ?? null;
  const ucumUnit = valueType === 'Money' ? undefined : ucumUnitOf(q);
  const canonical = ucumUnit !== undefined ? toCanonical(q.value, ucumUnit) : undefined;
  return {
    code,
    value: String(q.value),
    system: q.system ?? null,
    unitCode,
    unit: q.unit ?? null,
    canonicalValue: canonical?.value ?? null,
    canonicalUnit: canonical?.unit ?? null,
  };
}

function tokensOf(code: string, valueType: string, value: unknown, impliedSystem: string | undefined): TokenRow[] {
  switch (valueType) {
    case 'Coding': {
      const c = value as Coding;
      return [token(code, c.system, c.code, c.display)];
    }
    case 'CodeableConcept': {
      const cc = value as CodeableConcept;
      const rows = (cc.coding ?? []).map((c) => token(code, c.system, c.code, c.display ?? cc.text));
      // CodeableConcept.text on its own row, so :text finds it even when a coding has a display.
      if (cc.text) rows.push(token(code, null, null, cc.text));
      return rows;
    }
    case 'Identifier': {
      const id = value as Identifier;
      const base = token(code, id.system, id.value, id.type?.text);
      const types = id.type?.coding ?? [];
      return types.length === 0 ? [base] : types.map((t) => ({ ...base, typeSystem: t.system ?? null, typeCode: t.code ?? null }));
    }
    case 'ContactPoint': {
      const cp = value as ContactPoint;
      return [token(code, cp.system, cp.value)];
    }
    case 'boolean':
      return [token(code, null, String(value))];
    case 'code':
      // A code bound to one code system (Patient.gender: administrative-gender) is indexed
      // with that system, so system|code finds it (search.html#token).
      return typeof value === 'string' ? [token(code, impliedSystem, value)] : [];
    default:
      // string, id, uri ...: the value itself, with no system.
      return typeof value === 'string' || typeof value === 'number' ? [token(code, null, String(value))] : [];
  }
}

function dateRangeOf(valueType: string, value: unknown): TimeRange | undefined {
  // A string element that reads like a date (Immunization.occurrenceString) is text, not a
  // date: date parameters search date, dateTime, instant, Period and Timing (search.html#date).
  if (typeof value === 'string') return valueType === 'string' ? undefined : parseFhirDateRange(value);
  if (valueType === 'Period') return periodRange(value as Period);
  if (valueType === 'Timing') {
    // A Timing covers its events (or its bounds): first event start to last event end.
    const t = value as Timing;
    const ranges = (t.event ?? []).map(parseFhirDateRange).filter((r): r is TimeRange => r !== undefined);
    const bounds = t.repeat?.boundsPeriod ? periodRange(t.repeat.boundsPeriod) : undefined;
    if (bounds) ranges.push(bounds);
    if (ranges.length === 0) return undefined;
    const lows = ranges.map((r) => r.low).sort();
    const highs = ranges.map((r) => r.high).sort();
    return { low: lows.includes('-infinity') ? '-infinity' : lows[0]!, high: highs.includes('infinity') ? 'infinity' : highs.at(-1)! };
  }
  return undefined;
}

/**
 * `Type/id`, `Type/id/_history/n` and absolute `http://server/fhir/Type/id` all index the
 * target's type and id; `#contained`, `urn:uuid:` and canonicals keep only their text.
 */
export function parseReference(text: string): { type: string; id: string } | undefined {
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(text);
  if (!m || !resourceTypes().has(m[1]!)) return undefined;
  return { type: m[1]!, id: m[2]! };
}

function referenceOf(code: string, valueType: string, value: unknown): ReferenceRow | undefined {
  if (typeof value === 'string') {
    // canonical or uri typed reference parameters
    const target = parseReference(value);
    return { code, targetType: target?.type ?? null, targetId: target?.id ?? null, text: key(value), identifierSystem: null, identifierValue: null };
  }
  if (valueType !== 'Reference') return undefined;
  const r = value as Reference;
  const target = r.reference ? parseReference(r.reference) : undefined;
  const type = target?.type ?? r.type ?? null;
  if (!r.reference && !r.identifier?.value) return undefined;
  return {
    code,
    targetType: type,
    targetId: target?.id ?? null,
    text: r.reference ? key(r.reference) : null,
    identifierSystem: r.identifier?.system ?? null,
    identifierValue: r.identifier?.value ? key(r.identifier.value) : null,
  };
}
