import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LongitudeError } from '../../platform/errors.ts';
import { parseCsvMapping, type CsvMapping } from './mapping-file.ts';
import { shippedMappings } from './shipped-mappings.ts';

/** A small valid mapping; tests break one thing at a time. */
function mapping(change: (m: Record<string, unknown>) => void = () => undefined): unknown {
  const m: Record<string, unknown> = {
    format: 'longitude-csv-mapping/1',
    name: 'test-people',
    version: '1.0.0',
    source: { system: 'test' },
    file: 'test/people.csv',
    columns: { id: { required: true }, codes: { split: '|' }, born: { type: 'date' } },
    controlId: ['id'],
    resources: [
      { alias: 'patient', resourceType: 'Patient', key: { system: 'urn:test:id', value: '{id}' }, template: { birthDate: '{born}' } },
      {
        alias: 'condition',
        resourceType: 'Condition',
        forEach: 'codes',
        key: { system: 'urn:test:cond', value: '{id}.{$item}' },
        template: { subject: { $ref: 'patient' }, code: { coding: [{ code: '{$item}' }] } },
      },
    ],
  };
  change(m);
  return m;
}

/** The `expression` of each issue of the LNG_CONFIG_INVALID thrown. */
function invalidAt(value: unknown): string[] {
  try {
    parseCsvMapping(value, 'test.json');
  } catch (err) {
    assert.ok(err instanceof LongitudeError);
    assert.equal(err.code, 'LNG_CONFIG_INVALID');
    return err.issues.flatMap((i) => i.expression ?? []);
  }
  assert.fail('expected the mapping to be refused');
}

const resources = (m: Record<string, unknown>) => m.resources as Record<string, unknown>[];

describe('CSV mapping files', () => {
  test('a valid file parses, with defaults filled in', () => {
    const parsed: CsvMapping = parseCsvMapping(mapping());
    assert.equal(parsed.delimiter, ',');
    assert.equal(parsed.columns.id?.type, 'string');
    assert.equal(parsed.resources[0]?.mode, 'upsert');
  });

  test('the shipped mappings for the simulator silos are valid', () => {
    assert.deepEqual(shippedMappings().map((m) => m.name), ['payer-enrollment', 'payer-claims', 'crm-contacts']);
  });

  test('shape errors name the setting: unknown keys, wrong format, bad enum', () => {
    assert.deepEqual(invalidAt(mapping((m) => (m.format = 'other/2'))), ['format']);
    assert.deepEqual(invalidAt(mapping((m) => (m.colums = {}))), ['(root)']);
    assert.deepEqual(invalidAt(mapping((m) => ((m.columns as Record<string, unknown>).born = { type: 'datetime' }))), ['columns.born.type']);
    assert.deepEqual(invalidAt(mapping((m) => (resources(m)[0]!.mode = 'merge'))), ['resources.0.mode']);
  });

  test('occurred names a declared date column', () => {
    assert.equal(parseCsvMapping(mapping((m) => (m.occurred = 'born'))).occurred, 'born');
    assert.deepEqual(invalidAt(mapping((m) => (m.occurred = 'updated'))), ['occurred']);
    assert.deepEqual(invalidAt(mapping((m) => (m.occurred = 'id'))), ['occurred']);
  });

  test('placeholders must name declared columns, transforms and lookups must exist', () => {
    assert.deepEqual(invalidAt(mapping((m) => (resources(m)[0]!.template = { gender: '{sex}' }))), ['resources.0.template.gender']);
    assert.deepEqual(invalidAt(mapping((m) => (resources(m)[0]!.template = { gender: '{id|shout}' }))), ['resources.0.template.gender']);
    assert.deepEqual(invalidAt(mapping((m) => (resources(m)[0]!.template = { gender: '{id|lookup:sexes}' }))), ['resources.0.template.gender']);
    assert.deepEqual(invalidAt(mapping((m) => (m.controlId = ['claim']))), ['controlId.0']);
  });

  test('$item only inside forEach or $each; forEach and $each need a split column', () => {
    assert.deepEqual(invalidAt(mapping((m) => (resources(m)[0]!.template = { id: '{$item}' }))), ['resources.0.template.id']);
    assert.deepEqual(invalidAt(mapping((m) => (resources(m)[1]!.forEach = 'born'))), ['resources.1.forEach']);
    assert.deepEqual(invalidAt(mapping((m) => (resources(m)[0]!.template = { name: [{ $each: 'id', template: { text: '{$item}' } }] }))), ['resources.0.template.name.0.$each']);
  });

  test('$ref must name a single resource declared before; aliases are unique; resource types exist', () => {
    assert.deepEqual(invalidAt(mapping((m) => (resources(m)[0]!.template = { link: [{ other: { $ref: 'condition' } }] }))), ['resources.0.template.link.0.other.$ref']);
    assert.deepEqual(invalidAt(mapping((m) => (resources(m)[1]!.alias = 'patient'))), ['resources.1.alias']);
    assert.deepEqual(invalidAt(mapping((m) => (resources(m)[0]!.resourceType = 'Member'))), ['resources.0.resourceType']);
  });

  test('patterns must compile', () => {
    assert.deepEqual(invalidAt(mapping((m) => ((m.columns as Record<string, unknown>).id = { pattern: '[0-9' }))), ['columns.id.pattern']);
  });
});
