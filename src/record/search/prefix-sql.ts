/**
 * Prefix semantics for ordered values (http://hl7.org/fhir/R4/search.html#prefix). Both the
 * search value and the target are ranges: a date by its precision, a number by its
 * significant figures. With search range [sl, sh) and target range [tl, th):
 *   eq  target within search       tl >= sl and th <= sh
 *   ne  not eq
 *   gt  target extends above       th > sh
 *   lt  target extends below       tl < sl
 *   ge  gt or eq;  le  lt or eq
 *   sa  target starts after        tl >= sh
 *   eb  target ends before         th <= sl
 *   ap  overlaps the search range widened by 10% of its distance from now (dates) or of
 *       the value (numbers); the spec leaves the exact margin to the server.
 */
import type { TimeRange } from './fhir-dates.ts';
import { anyOf, type SqlBuilder } from './sql-builder.ts';
import type { NumberValue, Prefix } from './search-values.ts';

export function dateCondition(b: SqlBuilder, prefix: Prefix, range: TimeRange, low: string, high: string): string {
  const sl = () => b.param(range.low, 'timestamptz');
  const sh = () => b.param(range.high, 'timestamptz');
  const within = () => `(${low} >= ${sl()} and ${high} <= ${sh()})`;
  switch (prefix) {
    case 'eq':
      // `low <= sh` follows from the other two (a target starts before it ends) and bounds the
      // (low, high) index range on both sides: without it an eq search read every row below
      // `sh` (Patient?birthdate=eq1979-12-20 among 66,000 Patients: 16,060 index rows, and the
      // planner, expecting thousands of matches, hashed every golden Patient's tag for
      // `_tag:not`; bench/identity/online-scale.ts, docs/benchmarks.md).
      return `(${low} >= ${sl()} and ${low} <= ${sh()} and ${high} <= ${sh()})`;
    case 'ne':
      return `not ${within()}`;
    case 'gt':
      return `${high} > ${sh()}`;
    case 'lt':
      return `${low} < ${sl()}`;
    case 'ge':
      return anyOf([`${high} > ${sh()}`, within()]);
    case 'le':
      return anyOf([`${low} < ${sl()}`, within()]);
    case 'sa':
      return `${low} >= ${sh()}`;
    case 'eb':
      return `${high} <= ${sl()}`;
    case 'ap': {
      const start = Date.parse(range.low);
      const end = Date.parse(range.high);
      const margin = Math.max(Math.abs(Date.now() - start) * 0.1, end - start);
      const wideLow = new Date(start - margin).toISOString();
      const wideHigh = new Date(end + margin).toISOString();
      return `(${low} < ${b.param(wideHigh, 'timestamptz')} and ${high} > ${b.param(wideLow, 'timestamptz')})`;
    }
  }
}

/** Numbers are points: `eq100` means the target lies in [99.5, 100.5) (search.html#number). */
export function numberCondition(b: SqlBuilder, n: NumberValue, column: string): string {
  const value = () => b.param(n.value, 'numeric');
  const half = () => b.param(n.halfPrecision, 'numeric');
  switch (n.prefix) {
    case 'eq':
      return `(${column} >= ${value()} - ${half()} and ${column} < ${value()} + ${half()})`;
    case 'ne':
      return `not (${column} >= ${value()} - ${half()} and ${column} < ${value()} + ${half()})`;
    case 'gt':
    case 'sa':
      return `${column} > ${value()}`;
    case 'lt':
    case 'eb':
      return `${column} < ${value()}`;
    case 'ge':
      return `${column} >= ${value()}`;
    case 'le':
      return `${column} <= ${value()}`;
    case 'ap':
      return `(${column} >= ${value()} - abs(${value()}) * 0.1 and ${column} <= ${value()} + abs(${value()}) * 0.1)`;
  }
}
