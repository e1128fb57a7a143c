/**
 * Composite search parameters (http://hl7.org/fhir/R4/search.html#composite), such as
 * Observation `code-value-quantity=http://loinc.org|8480-6$gt100`: a composite's expression
 * yields elements (the Observation, or each Observation.component), and each component's
 * expression, relative to one such element, yields that part's values. A match needs every
 * part to match the SAME element. Each element's component values are stored as ordinary rows
 * of the component's type under the code `<composite>$<n>`, tagged with the element's ordinal
 * (migration 0005 explains the layout); a search joins the parts on that ordinal.
 */
import { evalFhirPathTyped, parseFhirPath, type FhirPathAtom, type TypedValue } from '@medplum/core';
import type { SearchParameter } from '@medplum/fhirtypes';
import { errorAt } from '../../platform/errors.ts';
import { addIndexRows, emptyIndexRows, type IndexRows } from './index-rows.ts';
import type { ValueType } from './search-parameters.ts';
import type { SearchFilter } from './search-request.ts';
import { allOf, anyOf, type SqlBuilder } from './sql-builder.ts';

export interface CompositeComponent {
  /** The code its rows are stored under: `<composite code>$<position>`. */
  code: string;
  type: ValueType;
  /** Relative to an element the composite's own expression yields. */
  expression: string;
  atom: FhirPathAtom;
}

const fhirPrimitives = new Set([
  'boolean', 'integer', 'string', 'decimal', 'uri', 'url', 'canonical', 'base64Binary', 'instant', 'date', 'dateTime', 'time',
  'code', 'oid', 'id', 'markdown', 'unsignedInt', 'positiveInt', 'uuid',
]);

/**
 * The R4 definitions write component expressions as `value.as(Quantity)` and
 * `value.as(DateTime)`. medplum's `as()` function does not filter (it returns the value
 * whatever its type), so it is rewritten to `ofType()`, which does; a FHIRPath system type
 * name standing for a FHIR primitive (DateTime) becomes the FHIR type (dateTime).
 */
export function componentExpression(expression: string): string {
  return expression.replace(/\.as\(([A-Za-z]+)\)/g, (_, type: string) => {
    const primitive = type.charAt(0).toLowerCase() + type.slice(1);
    return `.ofType(${fhirPrimitives.has(primitive) ? primitive : type})`;
  });
}

/**
 * A composite definition's components, each typed by the SearchParameter its `definition`
 * names; undefined when one cannot be resolved or parsed (the composite is then not offered).
 */
export function compositeComponents(
  code: string,
  definition: SearchParameter,
  definitionOf: (url: string) => SearchParameter | undefined,
  isValueType: (type: string) => type is ValueType,
): CompositeComponent[] | undefined {
  const components: CompositeComponent[] = [];
  for (const [position, component] of (definition.component ?? []).entries()) {
    const type = component.definition ? definitionOf(component.definition)?.type : undefined;
    if (!type || !isValueType(type) || !component.expression) return undefined;
    const expression = componentExpression(component.expression);
    try {
      components.push({ code: `${code}$${position}`, type, expression, atom: parseFhirPath(expression) });
    } catch {
      return undefined;
    }
  }
  return components.length >= 2 ? components : undefined;
}

/**
 * Adds the tuple rows of one composite: for the n-th element its expression yielded, the rows
 * of every component, tagged n. An element missing a part can never match and adds nothing.
 * `variables` carries %resource, which some component expressions use
 * (MolecularSequence chromosome-variant-coordinate).
 */
export function addCompositeRows(
  rows: IndexRows,
  components: readonly CompositeComponent[],
  elements: readonly TypedValue[],
  variables: Record<string, TypedValue>,
): void {
  elements.forEach((element, ordinal) => {
    const tuple = emptyIndexRows();
    for (const component of components) {
      const before = tuple[component.type].length;
      let values: TypedValue[];
      try {
        values = evalFhirPathTyped(component.atom, [element], variables);
      } catch {
        return; // as for plain parameters: an expression the evaluator cannot run indexes nothing
      }
      addIndexRows(tuple, component.code, component.type, values);
      // A part is matched by value (no :text on composites): CodeableConcept.text rows would only take space.
      if (component.type === 'token') tuple.token = tuple.token.filter((row) => row.code !== component.code || row.value !== null);
      if (tuple[component.type].length === before) return;
    }
    for (const type of Object.keys(tuple) as (keyof IndexRows)[]) {
      for (const row of tuple[type]) {
        row.tuple = ordinal;
        (rows[type] as (typeof row)[]).push(row);
      }
    }
  });
}

/** Splits one composite value on `$` not escaped as `\$`; escapes stay for the part's own parsing. */
export function splitComposite(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' && i + 1 < value.length) {
      current += ch + value[i + 1]!;
      i++;
    } else if (ch === '$') {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

export interface CompositeSql {
  /** The index table of a component type. */
  table(type: ValueType): string;
  /** The value test of a plain filter over the row `x` (filter-sql.ts). */
  valueTest(b: SqlBuilder, filter: SearchFilter, value: string): string;
}

/**
 * The SQL condition of a composite filter: a row of the first component matching its part,
 * whose tuple also has a row of each further component matching that part. Comma
 * alternatives (OR) each need their own tuple.
 */
export function compositeCondition(b: SqlBuilder, filter: SearchFilter, sql: CompositeSql): string {
  const components = filter.components ?? [];
  const [first, ...rest] = components;
  if (!first) throw new Error(`composite parameter ${filter.code} has no components`);
  const rowOf = (component: { code: string; type: ValueType }) =>
    `from ${sql.table(component.type)} x where x.resource_type = r.resource_type and x.id = r.id and x.code = ${b.param(component.code)}`;
  const tupleTest = (tests: readonly string[]) =>
    allOf([
      tests[0]!,
      ...rest.map((component, i) => `x.tuple_ordinal in (select x.tuple_ordinal ${rowOf(component)} and ${tests[i + 1]})`),
    ]);

  if (filter.modifier === 'missing') {
    const [value] = filter.values;
    if (filter.values.length !== 1 || (value !== 'true' && value !== 'false')) {
      throw errorAt('LNG_BAD_REQUEST', `${filter.name} takes true or false`, filter.name);
    }
    const present = `exists (select 1 ${rowOf(first)} and ${tupleTest(components.map(() => 'true'))})`;
    return value === 'true' ? `not ${present}` : present;
  }
  const alternatives = filter.values.map((value) => {
    const parts = splitComposite(value);
    if (parts.length !== components.length || parts.some((part) => part === '')) {
      const shape = components.map((c) => c.type).join('$');
      throw errorAt('LNG_BAD_REQUEST', `${filter.name} takes ${components.length} values joined by $ (${shape})`, filter.name);
    }
    const tests = components.map((component, i) => {
      const part: SearchFilter = { name: filter.name, code: component.code, type: component.type, values: [parts[i]!] };
      return sql.valueTest(b, part, parts[i]!);
    });
    return tupleTest(tests);
  });
  return `exists (select 1 ${rowOf(first)} and ${anyOf(alternatives)})`;
}
