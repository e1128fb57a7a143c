/**
 * Row-level validation against a mapping's column declarations: presence, type, pattern,
 * allowed values, length. Plain data in and out: a row is either typed values ready for the
 * templates, or the list of problems, each naming its column (what the quarantined message
 * records as its element).
 */
import type { CsvRecord } from './csv-reader.ts';
import type { ColumnSpec, CsvMapping } from './mapping-file.ts';

export type CellValue = string | number | boolean;

export interface TypedRow {
  /** Declared columns only: a typed value, a list for split columns, undefined when empty. */
  values: Record<string, CellValue | CellValue[] | undefined>;
  /** The trimmed text of every declared column ('' when empty). */
  text: Record<string, string>;
}

export interface RowProblem {
  code: 'csv-syntax' | 'missing-column' | 'column-count' | 'missing-value' | 'invalid-value' | 'invalid-date' | 'not-allowed' | 'too-long';
  /** The column at fault (the header name), or `(row)` when the row as a whole is. */
  column: string;
  message: string;
}

export type RowValidation = { ok: true; row: TypedRow } | { ok: false; problems: RowProblem[] };

const DEFAULT_TRUE = ['Y', 'y', 'true', 'TRUE', '1'];
const DEFAULT_FALSE = ['N', 'n', 'false', 'FALSE', '0'];
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Checks a data record against the header and the mapping's columns.
 * @param header - the file's header fields
 */
export function validateRow(mapping: CsvMapping, header: readonly string[], record: CsvRecord): RowValidation {
  const problems: RowProblem[] = [];
  if (record.error) {
    problems.push({ code: 'csv-syntax', column: header[record.error.field - 1] ?? '(row)', message: record.error.message });
    return { ok: false, problems };
  }
  const index = new Map(header.map((name, i) => [name.trim(), i]));
  for (const name of Object.keys(mapping.columns)) {
    if (!index.has(name)) problems.push({ code: 'missing-column', column: name, message: `the header has no column ${name}` });
  }
  if (record.fields.length !== header.length) {
    problems.push({ code: 'column-count', column: '(row)', message: `the row has ${record.fields.length} fields, the header ${header.length}` });
  }
  if (problems.length > 0) return { ok: false, problems };

  const row: TypedRow = { values: {}, text: {} };
  for (const [name, spec] of Object.entries(mapping.columns)) {
    const text = record.fields[index.get(name)!]!.trim();
    row.text[name] = text;
    if (text === '') {
      if (spec.required) problems.push({ code: 'missing-value', column: name, message: `${name} is required` });
      continue;
    }
    if (spec.maxLength !== undefined && text.length > spec.maxLength) {
      problems.push({ code: 'too-long', column: name, message: `${name} is longer than ${spec.maxLength} characters` });
      continue;
    }
    if (spec.split) {
      const items = text.split(spec.split).map((s) => s.trim());
      const typed = items.map((item, i) => typeValue(item, spec, `${name}[${i + 1}]`, problems));
      row.values[name] = typed.every((v) => v !== undefined) ? (typed as CellValue[]) : undefined;
    } else row.values[name] = typeValue(text, spec, name, problems);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, row };
}

function typeValue(text: string, spec: ColumnSpec, column: string, problems: RowProblem[]): CellValue | undefined {
  const fail = (code: RowProblem['code'], message: string) => {
    problems.push({ code, column, message: `${column}: ${message}` });
    return undefined;
  };
  if (text === '') return fail('missing-value', 'empty list item');
  if (spec.pattern !== undefined && !new RegExp(`^(?:${spec.pattern})$`, 'u').test(text)) return fail('invalid-value', `${JSON.stringify(text)} does not match ${spec.pattern}`);
  switch (spec.type) {
    case 'string':
      return text;
    case 'code':
      return spec.values && !spec.values.includes(text) ? fail('not-allowed', `${JSON.stringify(text)} is not one of ${spec.values.join(', ')}`) : text;
    case 'date':
      return isRealDate(text) ? text : fail('invalid-date', `${JSON.stringify(text)} is not a date (YYYY-MM-DD)`);
    case 'decimal':
      return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : fail('invalid-value', `${JSON.stringify(text)} is not a decimal number`);
    case 'integer':
      return /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : fail('invalid-value', `${JSON.stringify(text)} is not an integer`);
    case 'boolean':
      if ((spec.trueValues ?? DEFAULT_TRUE).includes(text)) return true;
      if ((spec.falseValues ?? DEFAULT_FALSE).includes(text)) return false;
      return fail('invalid-value', `${JSON.stringify(text)} is not a boolean`);
  }
}

/** A calendar date that exists (no 2025-02-30), years 1800 to 2199. */
export function isRealDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1800 || y > 2199 || mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}
