/**
 * The value test of a quantity search (http://hl7.org/fhir/R4/search.html#quantity) over the
 * search_quantity row `x`. When the search's unit is UCUM (system http://unitsofmeasure.org,
 * or no system and a code that parses as UCUM) the comparison is made in canonical UCUM units
 * (ucum.ts), so `0.075|http://unitsofmeasure.org|1` finds 7.5 % and `gt5.5||mg/dL` compares
 * with values stored in g/L. The prefix semantics are those of numbers (prefix-sql.ts), the
 * bounds of the search range (its significant digits, or ap's 10%) converted to canonical
 * units. Rows without a canonical value (no unit, another system, a unit UCUM does not
 * convert) are compared as written.
 */
import type { SqlBuilder } from './sql-builder.ts';
import { allOf } from './sql-builder.ts';
import { numberCondition } from './prefix-sql.ts';
import type { QuantityValue } from './search-values.ts';
import { isConvertibleUnit, toCanonical, ucumSystem } from './ucum.ts';

export function quantityTest(b: SqlBuilder, q: QuantityValue): string {
  const tests = [numberCondition(b, q, 'x.value')];
  if (q.system) tests.push(`x.system = ${b.param(q.system)}`);
  // Without a system the code may be either the unit code or the unit as displayed (search.html#quantity).
  if (q.code) tests.push(q.system ? `x.unit_code = ${b.param(q.code)}` : `(x.unit_code = ${b.param(q.code)} or x.unit = ${b.param(q.code)})`);
  const asWritten = allOf(tests);
  const canonical = canonicalCondition(b, q);
  return canonical ? `((${canonical}) or (x.canonical_unit is null and ${asWritten}))` : asWritten;
}

/** The test in canonical units, or undefined when the search's unit does not convert. */
function canonicalCondition(b: SqlBuilder, q: QuantityValue): string | undefined {
  const unit = q.code !== undefined && (q.system === undefined || q.system === ucumSystem) ? q.code : undefined;
  if (unit === undefined || !isConvertibleUnit(unit)) return undefined;
  const value = Number(q.value);
  const half = Number(q.halfPrecision);
  const at = (n: number) => toCanonical(n, unit);
  const range = (low: number, high: number) => {
    const l = at(low);
    const h = at(high);
    return l && h ? { low: l.value, high: h.value, unit: l.unit } : undefined;
  };
  const column = 'x.canonical_value';
  let test: string;
  let canonicalUnit: string;
  switch (q.prefix) {
    case 'eq':
    case 'ne': {
      const r = range(value - half, value + half);
      if (!r) return undefined;
      const within = `(${column} >= ${b.param(r.low, 'numeric')} and ${column} < ${b.param(r.high, 'numeric')})`;
      test = q.prefix === 'eq' ? within : `not ${within}`;
      canonicalUnit = r.unit;
      break;
    }
    case 'ap': {
      const margin = Math.abs(value) * 0.1;
      const r = range(value - margin, value + margin);
      if (!r) return undefined;
      test = `(${column} >= ${b.param(r.low, 'numeric')} and ${column} <= ${b.param(r.high, 'numeric')})`;
      canonicalUnit = r.unit;
      break;
    }
    case 'gt':
    case 'sa':
    case 'lt':
    case 'eb':
    case 'ge':
    case 'le': {
      const c = at(value);
      if (!c) return undefined;
      const operator = { gt: '>', sa: '>', lt: '<', eb: '<', ge: '>=', le: '<=' }[q.prefix];
      test = `${column} ${operator} ${b.param(c.value, 'numeric')}`;
      canonicalUnit = c.unit;
    }
  }
  return `x.canonical_unit = ${b.param(canonicalUnit)} and ${test}`;
}
