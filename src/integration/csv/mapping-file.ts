/**
 * CSV mapping files: how the rows of one kind of extract (a payer's claims, a CRM's contacts)
 * become FHIR resources, declared as JSON instead of code, so a new extract or a changed
 * column is a file an integration analyst edits and reviews. docs/integration.md, section
 * "CSV mapping files", documents the format; this module is its schema (zod) and the checks
 * zod cannot express: placeholders that name declared columns, lookups and aliases that
 * exist, patterns that compile.
 */
import { z } from 'zod';
import { resourceTypes } from '../../fhir/index.ts';
import { LongitudeError, type Issue } from '../../platform/errors.ts';

export const MAPPING_FORMAT = 'longitude-csv-mapping/1';

export const columnTypes = ['string', 'code', 'date', 'decimal', 'integer', 'boolean'] as const;
export type ColumnType = (typeof columnTypes)[number];

const columnSchema = z.strictObject({
  type: z.enum(columnTypes).default('string'),
  required: z.boolean().default(false),
  description: z.string().optional(),
  /** A regular expression each value (each item of a list) must match in full. */
  pattern: z.string().optional(),
  /** The values a `code` column may take (case-sensitive). */
  values: z.array(z.string()).min(1).optional(),
  /** Splits the value into a list (`|` for `E11.9|I10`); every item is checked and typed. */
  split: z.string().min(1).optional(),
  maxLength: z.number().int().positive().optional(),
  /** For `boolean`: what true and false are written as (default Y/true/1 and N/false/0). */
  trueValues: z.array(z.string()).min(1).optional(),
  falseValues: z.array(z.string()).min(1).optional(),
});
export type ColumnSpec = z.infer<typeof columnSchema>;

const conditionSchema = z.strictObject({
  column: z.string(),
  /** Holds when the value is one of these; without `in`/`notIn`, when it is not empty. */
  in: z.array(z.string()).min(1).optional(),
  notIn: z.array(z.string()).min(1).optional(),
});
export type RowCondition = z.infer<typeof conditionSchema>;

/** What a lookup gives: text, or a number or boolean where FHIR wants one (a telecom rank). */
const lookupValue = z.union([z.string(), z.number(), z.boolean()]);
const lookupSchema = z.union([
  z.strictObject({ values: z.record(z.string(), lookupValue), default: lookupValue.optional() }),
  z.strictObject({ patterns: z.array(z.strictObject({ pattern: z.string(), value: lookupValue })).min(1), default: lookupValue.optional() }),
]);
export type Lookup = z.infer<typeof lookupSchema>;

const resourceSchema = z.strictObject({
  /** The name other templates of the row use to refer to it: `{"$ref": "patient"}`. */
  alias: z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'an alias is a lowerCamel name'),
  resourceType: z.string(),
  /**
   * `upsert`: the row is the source of truth (conditional PUT on the key); `ensure`: the row
   * only refers to it, so it is created when absent and never overwritten (conditional create).
   */
  mode: z.enum(['upsert', 'ensure']).default('upsert'),
  /** The business identifier that finds the resource again: added to `identifier`, used as the condition. */
  key: z.strictObject({ system: z.string().min(1), value: z.string().min(1) }),
  when: conditionSchema.optional(),
  /** A list column: one resource per item, with `{$item}` and `{$index}` (1-based) in the templates. */
  forEach: z.string().optional(),
  template: z.record(z.string(), z.unknown()),
});
export type ResourceSpec = z.infer<typeof resourceSchema>;

export const csvMappingSchema = z.strictObject({
  format: z.literal(MAPPING_FORMAT),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower case letters, digits and -'),
  /** Recorded on every resource and Provenance written (bump it when what the mapping writes changes). */
  version: z.string().min(1),
  description: z.string().optional(),
  /** The system the extract comes from: Provenance agent, identifier systems, channel `csv:<system>`. */
  source: z.strictObject({ system: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/), display: z.string().optional() }),
  /** Where the extract sits in an import directory, relative to it (`payer/claims.csv`). */
  file: z.string().min(1),
  delimiter: z.string().length(1).default(','),
  columns: z.record(z.string(), columnSchema),
  /** Columns whose values identify the row (joined with `.`): its control id in the message store. */
  controlId: z.array(z.string()).min(1),
  /** The column naming the person the row is about: rows of one person are processed in order. */
  orderingKey: z.string().optional(),
  /**
   * The date column saying when the source last updated the row (a CRM's `date_updated`):
   * recorded as the row's Provenance.occurredDateTime, so what the row asserts is dated by the
   * source, not by when the extract was loaded.
   */
  occurred: z.string().optional(),
  lookups: z.record(z.string(), lookupSchema).default({}),
  resources: z.array(resourceSchema).min(1),
});
export type CsvMapping = z.infer<typeof csvMappingSchema>;

/** `{column}`, `{column|lookup:name}`, `{$item|upper}` inside a template string. */
export const PLACEHOLDER = /\{([^{}]+)\}/g;
export const transformNames = ['lookup', 'upper', 'lower', 'digits'] as const;

/**
 * Validates a mapping file's content.
 * @param value - the parsed JSON
 * @param origin - the file name, for messages
 * @throws LongitudeError LNG_CONFIG_INVALID naming every bad setting (`resources.2.template.code`)
 */
export function parseCsvMapping(value: unknown, origin = 'mapping'): CsvMapping {
  const result = csvMappingSchema.safeParse(value);
  const problems: { at: string; message: string }[] = result.success
    ? checkReferences(result.data)
    : result.error.issues.map((issue) => ({ at: issue.path.map(String).join('.'), message: issue.message }));
  if (problems.length === 0 && result.success) return result.data;
  const issues: Issue[] = problems.map((p) => ({ severity: 'error', code: 'invalid', diagnostics: `${origin}: ${p.at || '(root)'}: ${p.message}`, expression: [p.at || '(root)'] }));
  throw new LongitudeError('LNG_CONFIG_INVALID', issues.map((i) => i.diagnostics).join('; '), { issues });
}

function checkReferences(mapping: CsvMapping): { at: string; message: string }[] {
  const problems: { at: string; message: string }[] = [];
  const columns = new Set(Object.keys(mapping.columns));
  const needColumn = (name: string, at: string) => {
    if (!columns.has(name)) problems.push({ at, message: `column ${name} is not declared in columns` });
  };
  const compiles = (pattern: string, at: string) => {
    try {
      new RegExp(pattern, 'u');
    } catch (err) {
      problems.push({ at, message: `not a regular expression: ${(err as Error).message}` });
    }
  };
  for (const [name, column] of Object.entries(mapping.columns)) {
    if (column.pattern !== undefined) compiles(column.pattern, `columns.${name}.pattern`);
    if (column.values && column.type !== 'code') problems.push({ at: `columns.${name}.values`, message: 'values are for columns of type code' });
  }
  for (const [name, lookup] of Object.entries(mapping.lookups)) {
    if ('patterns' in lookup) lookup.patterns.forEach((p, i) => compiles(p.pattern, `lookups.${name}.patterns.${i}.pattern`));
  }
  mapping.controlId.forEach((c, i) => needColumn(c, `controlId.${i}`));
  if (mapping.orderingKey !== undefined) needColumn(mapping.orderingKey, 'orderingKey');
  if (mapping.occurred !== undefined) {
    needColumn(mapping.occurred, 'occurred');
    if (columns.has(mapping.occurred) && mapping.columns[mapping.occurred]!.type !== 'date') problems.push({ at: 'occurred', message: `column ${mapping.occurred} is not of type date` });
  }

  const known = resourceTypes();
  const aliases = new Map<string, ResourceSpec>();
  mapping.resources.forEach((spec, i) => {
    const at = `resources.${i}`;
    if (!known.has(spec.resourceType)) problems.push({ at: `${at}.resourceType`, message: `${spec.resourceType} is not a FHIR R4 resource type` });
    if (aliases.has(spec.alias)) problems.push({ at: `${at}.alias`, message: `alias ${spec.alias} is used twice` });
    if (spec.when) needColumn(spec.when.column, `${at}.when.column`);
    const lists = new Set<string>();
    if (spec.forEach !== undefined) {
      needColumn(spec.forEach, `${at}.forEach`);
      if (columns.has(spec.forEach) && !mapping.columns[spec.forEach]!.split) problems.push({ at: `${at}.forEach`, message: `column ${spec.forEach} has no split, so it is not a list` });
      lists.add('$item');
    }
    const scope: TemplateScope = { mapping, aliases, problems, hasItem: spec.forEach !== undefined };
    checkTemplateString(spec.key.value, `${at}.key.value`, scope);
    checkTemplate(spec.template, `${at}.template`, scope);
    aliases.set(spec.alias, spec);
  });
  return problems;
}

interface TemplateScope {
  mapping: CsvMapping;
  /** The resources declared before this one: a template refers only to those. */
  aliases: Map<string, ResourceSpec>;
  problems: { at: string; message: string }[];
  hasItem: boolean;
}

function checkTemplate(node: unknown, at: string, scope: TemplateScope): void {
  if (typeof node === 'string') return checkTemplateString(node, at, scope);
  if (Array.isArray(node)) return node.forEach((n, i) => checkTemplate(n, `${at}.${i}`, scope));
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  if ('$ref' in obj) {
    const target = scope.aliases.get(String(obj.$ref));
    if (!target) scope.problems.push({ at: `${at}.$ref`, message: `$ref ${String(obj.$ref)} names no resource declared before this one` });
    else if (target.forEach !== undefined) scope.problems.push({ at: `${at}.$ref`, message: `$ref ${String(obj.$ref)} names a forEach resource (several per row)` });
    return;
  }
  if ('$each' in obj) {
    const column = String(obj.$each);
    const spec = scope.mapping.columns[column];
    if (!spec) scope.problems.push({ at: `${at}.$each`, message: `column ${column} is not declared in columns` });
    else if (!spec.split) scope.problems.push({ at: `${at}.$each`, message: `column ${column} has no split, so it is not a list` });
    if (!('template' in obj)) scope.problems.push({ at, message: '$each needs a template' });
    return checkTemplate(obj.template, `${at}.template`, { ...scope, hasItem: true });
  }
  for (const [key, value] of Object.entries(obj)) {
    if (key === '$when') {
      const parsed = conditionSchema.safeParse(value);
      if (!parsed.success) scope.problems.push({ at: `${at}.$when`, message: parsed.error.issues[0]?.message ?? 'not a condition' });
      else if (!scope.mapping.columns[parsed.data.column]) scope.problems.push({ at: `${at}.$when.column`, message: `column ${parsed.data.column} is not declared in columns` });
    } else checkTemplate(value, `${at}.${key}`, scope);
  }
}

function checkTemplateString(text: string, at: string, scope: TemplateScope): void {
  for (const match of text.matchAll(PLACEHOLDER)) {
    const [name, ...transforms] = match[1]!.split('|').map((s) => s.trim());
    if (name === '$item' || name === '$index') {
      if (!scope.hasItem) scope.problems.push({ at, message: `${name} is only defined inside forEach or $each` });
    } else if (!scope.mapping.columns[name!]) scope.problems.push({ at, message: `column ${name} is not declared in columns` });
    for (const t of transforms) {
      const [fn, arg] = t.split(':');
      if (!(transformNames as readonly string[]).includes(fn!)) scope.problems.push({ at, message: `unknown transform ${fn} (known: ${transformNames.join(', ')})` });
      else if (fn === 'lookup' && (!arg || !scope.mapping.lookups[arg])) scope.problems.push({ at, message: `lookup ${arg ?? ''} is not declared in lookups` });
    }
  }
}
