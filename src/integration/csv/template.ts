/**
 * Evaluates a mapping file's resource templates against one validated row. The rules, as
 * documented in docs/integration.md ("CSV mapping files"):
 * - a string's `{placeholders}` are replaced by the row's values; a string that is exactly one
 *   placeholder keeps the value's type (a decimal column gives a JSON number);
 * - an element whose value is empty is left out, and so is an object or array that draws on
 *   the row but got nothing from it, so a missing middle name or phone never becomes `""` or a
 *   telecom with no value (FHIR forbids empty elements);
 * - `{"$ref": "alias"}` is a reference to another resource of the same row;
 * - `{"$each": "column", "template": …}` inside an array gives one element per list item;
 * - an object with `"$when": condition` is there only when the condition holds.
 */
import type { TypedRow, CellValue } from './row-validation.ts';
import { PLACEHOLDER, type CsvMapping, type Lookup, type RowCondition } from './mapping-file.ts';

export interface TemplateScope {
  mapping: CsvMapping;
  row: TypedRow;
  /** alias → the fullUrl of that resource's entry in the row's Bundle. */
  refs: ReadonlyMap<string, string>;
  item?: CellValue;
  index?: number;
}

const WHOLE = /^\{([^{}]+)\}$/;

/** The template's value for the row, or undefined when it is empty (to be left out). */
export function evaluateTemplate(node: unknown, scope: TemplateScope): unknown {
  return evaluateNode(node, scope).value;
}

/**
 * `templated`: the node draws on the row (a placeholder, a $ref, a $each). An object or array
 * that draws on the row but got nothing from it is left out, literals and all: a telecom
 * `{"system": "phone", "value": "{phone}"}` without a phone is no telecom. One made of
 * literals only (a fixed `priority`) is kept.
 */
interface Evaluated {
  value: unknown;
  templated: boolean;
}

function evaluateNode(node: unknown, scope: TemplateScope): Evaluated {
  if (typeof node === 'string') return { value: evaluateString(node, scope), templated: node.search(PLACEHOLDER) >= 0 };
  if (Array.isArray(node)) {
    const parts = node.map((element) => evaluateElement(element, scope));
    return collect(parts, (values) => values.filter((v) => v !== undefined).flat());
  }
  if (node === null || typeof node !== 'object') return { value: node, templated: false };
  const obj = node as Record<string, unknown>;
  if ('$ref' in obj) {
    const url = scope.refs.get(String(obj.$ref));
    return { value: url ? { reference: url } : undefined, templated: true };
  }
  if (obj.$when !== undefined && !conditionHolds(obj.$when as RowCondition, scope.row)) return { value: undefined, templated: true };
  const keys = Object.keys(obj).filter((k) => k !== '$when');
  const parts = keys.map((k) => evaluateNode(obj[k], scope));
  return collect(parts, (values) => Object.fromEntries(keys.flatMap((k, i) => (values[i] === undefined ? [] : [[k, values[i]]]))));
}

function collect<T>(parts: Evaluated[], build: (values: unknown[]) => T): Evaluated {
  const templated = parts.some((p) => p.templated);
  const fromRow = parts.some((p) => p.templated && p.value !== undefined);
  const present = parts.some((p) => p.value !== undefined);
  if (!present || (templated && !fromRow)) return { value: undefined, templated };
  return { value: build(parts.map((p) => p.value)), templated };
}

/** An array element: `$each` expands to several (an array of them, flattened by the caller). */
function evaluateElement(element: unknown, scope: TemplateScope): Evaluated {
  if (element !== null && typeof element === 'object' && '$each' in element) {
    const { $each, template } = element as { $each: string; template: unknown };
    const values = listOf(scope.row, $each).flatMap((item, i) => {
      const value = evaluateTemplate(template, { ...scope, item, index: i + 1 });
      return value === undefined ? [] : [value];
    });
    return { value: values.length > 0 ? values : undefined, templated: true };
  }
  const evaluated = evaluateNode(element, scope);
  return { value: evaluated.value === undefined ? undefined : [evaluated.value], templated: evaluated.templated };
}

/** A template string: the typed value of a lone placeholder, or the interpolated text. */
export function evaluateString(text: string, scope: TemplateScope): CellValue | undefined {
  const whole = WHOLE.exec(text);
  if (whole) return resolve(whole[1]!, scope);
  let empty = false;
  const out = text.replace(PLACEHOLDER, (_, expr: string) => {
    const value = resolve(expr, scope);
    if (value === undefined || value === '') empty = true;
    return value === undefined ? '' : String(value);
  });
  return empty || out === '' ? undefined : out;
}

/** `name|transform|transform:arg` → the value, or undefined when empty. */
function resolve(expr: string, scope: TemplateScope): CellValue | undefined {
  const [name, ...transforms] = expr.split('|').map((s) => s.trim());
  let value: CellValue | undefined =
    name === '$item' ? scope.item : name === '$index' ? scope.index : listOrValue(scope.row, name!);
  for (const t of transforms) {
    if (value === undefined) return undefined;
    const [fn, arg] = t.split(':');
    value = applyTransform(fn!, arg, String(value), scope.mapping);
  }
  return value === '' ? undefined : value;
}

/** A column's value; a list column outside `$each` is its text as written. */
function listOrValue(row: TypedRow, name: string): CellValue | undefined {
  const value = row.values[name];
  if (Array.isArray(value)) return row.text[name];
  return value;
}

function listOf(row: TypedRow, name: string): CellValue[] {
  const value = row.values[name];
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function applyTransform(fn: string, arg: string | undefined, text: string, mapping: CsvMapping): CellValue | undefined {
  switch (fn) {
    case 'upper':
      return text.toUpperCase();
    case 'lower':
      return text.toLowerCase();
    case 'digits':
      return text.replace(/\D+/g, '');
    case 'lookup':
      return lookUp(mapping.lookups[arg!]!, text);
    default:
      // parseCsvMapping refuses unknown transforms; reaching here is a programming error.
      throw new Error(`unknown transform ${fn}`);
  }
}

function lookUp(lookup: Lookup, text: string): CellValue | undefined {
  if ('values' in lookup) return lookup.values[text] ?? lookup.default;
  return lookup.patterns.find((p) => new RegExp(`^(?:${p.pattern})$`, 'u').test(text))?.value ?? lookup.default;
}

/** `{column}`: not empty; `{column, in}` / `{column, notIn}`: the text is (not) one of them. */
export function conditionHolds(condition: RowCondition, row: TypedRow): boolean {
  const text = row.text[condition.column] ?? '';
  if (condition.in) return condition.in.includes(text);
  if (condition.notIn) return !condition.notIn.includes(text);
  return text !== '';
}
