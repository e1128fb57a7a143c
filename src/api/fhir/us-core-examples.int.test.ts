/**
 * Conformance on the official US Core 6.1.0 and 8.0.0 example instances
 * (../shared/data/fhir/us-core-examples, see its SOURCE.md): every example is stored with PUT,
 * reads back equal to what was sent (modulo the store's meta.versionId and meta.lastUpdated;
 * http://hl7.org/fhir/R4/http.html#update), and is found by each search parameter of its type
 * that it has a value for (http://hl7.org/fhir/R4/search.html).
 *
 * The search values are derived generically from the index rows the hub extracts for the
 * example, one value per row, in the form a client would write for that parameter type
 * (search.html#token `system|code`, #string prefix, #date `eq`, #reference `Type/id`,
 * #quantity `value|system|code`, #uri as is). Searches run under `Prefer: handling=strict`,
 * so a parameter the server does not answer fails rather than being silently ignored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { evalFhirPathTyped, toTypedValue } from '@medplum/core';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { addIndexRows, emptyIndexRows, type IndexRows } from '../../record/search/index-rows.ts';
import { parseFhirDateRange } from '../../record/search/fhir-dates.ts';
import { extractIndexRows } from '../../record/search/search-indexer.ts';
import { searchParametersOf } from '../../record/search/search-parameters.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { openTestHub, type TestHub } from '../../test-support/test-hub.ts';
import { usCoreExampleFiles, usCoreVersions, type UsCoreVersion } from '../../test-support/us-core-data.ts';

/**
 * Examples that are not valid FHIR R4 as published in the IG source, and so are refused. Keep
 * this list short: a refusal of a valid example is a bug to fix, not an entry to add.
 */
const invalidExamples: Record<string, string> = {
  'v6.1.0/diagnosticreport-cbc.json':
    'text has a status but no div; Narrative.div is 1..1 (http://hl7.org/fhir/R4/narrative.html#Narrative): the IG source leaves it for the IG publisher to generate',
  'v8.0.0/diagnosticreport-cbc.json':
    'text has a status but no div; Narrative.div is 1..1 (http://hl7.org/fhir/R4/narrative.html#Narrative): the IG source leaves it for the IG publisher to generate',
};

interface Example {
  /** Where it comes from: `v6.1.0/file.json`, or `v6.1.0/file.json#entry[1]` for a Bundle entry. */
  label: string;
  resource: Resource;
}

/**
 * The examples of one version: each file's resource, plus the entries of the searchset Bundle
 * examples (the only PractitionerRole and Endpoint examples live there). An entry that repeats
 * another example's Type/id must be identical to it.
 */
function examplesOf(version: UsCoreVersion): Example[] {
  const examples = new Map<string, Example>();
  const add = (label: string, resource: Resource) => {
    assert.ok(resource.id, `${label} has no id`);
    const key = `${resource.resourceType}/${resource.id}`;
    const seen = examples.get(key);
    if (seen) assert.deepEqual(resource, seen.resource, `${label} and ${seen.label} are both ${key} but differ`);
    else examples.set(key, { label, resource });
  };
  for (const { file, resource } of usCoreExampleFiles(version)) add(`${version}/${file}`, resource);
  for (const { file, resource } of usCoreExampleFiles(version)) {
    if (resource.resourceType !== 'Bundle') continue;
    (resource as Bundle).entry?.forEach((e, i) => e.resource && add(`${version}/${file}#entry[${i}]`, e.resource));
  }
  return [...examples.values()];
}

/** The resource without the meta fields the store owns (versionId, lastUpdated). */
function withoutStoreMeta(resource: Resource): Resource {
  const { versionId: _v, lastUpdated: _l, ...meta } = resource.meta ?? {};
  const { meta: _m, ...rest } = resource;
  return Object.keys(meta).length > 0 ? ({ ...rest, meta } as Resource) : (rest as Resource);
}

/** Escapes the characters with a meaning in search values (search.html#escaping). */
function esc(text: string): string {
  return text.replace(/[\\,|$]/g, (c) => `\\${c}`);
}

/** [parameter name with modifier, value] */
type SearchPair = [string, string];

/** [modifier ('' for none), value]: the first is the plain form, usable as a composite part. */
type RowValue = [string, string];

/**
 * The search values that must find this example: one or more per index row, by parameter
 * type. Dates keep the value as written (`eq2016-06-05T10:00:00-05:00`) when the element is a
 * date/dateTime/instant; a Period or Timing is searched with the narrowest date that contains
 * it, or with ge/le when it is open or too wide for one. A composite's component rows
 * (`<code>$<n>`, one tuple per element) give `part0$part1` (search.html#composite).
 */
function searchPairs(resource: Resource): Map<string, SearchPair[]> {
  const rows = extractIndexRows(resource);
  const written = writtenDates(resource);
  const pairs = new Map<string, SearchPair[]>();
  const add = (code: string, name: string, value: string) => {
    if (value === '') return;
    const list = pairs.get(code) ?? [];
    if (!list.some(([n, v]) => n === name && v === value)) list.push([name, value]);
    pairs.set(code, list);
  };
  /** composite code → tuple → the plain value of each part */
  const composites = new Map<string, Map<number, string[]>>();
  const each = <R extends { code: string; tuple?: number }>(list: R[], valuesOf: (row: R) => RowValue[]) => {
    for (const row of list) {
      const values = valuesOf(row);
      const [composite, position] = row.code.split('$');
      if (position === undefined) {
        for (const [modifier, value] of values) add(row.code, `${row.code}${modifier}`, value);
        continue;
      }
      const plain = values.find(([modifier]) => modifier === '');
      if (!plain || row.tuple === undefined) continue;
      const tuples = composites.get(composite!) ?? new Map<number, string[]>();
      const parts = tuples.get(row.tuple) ?? [];
      parts[Number(position)] ??= plain[1];
      tuples.set(row.tuple, parts);
      composites.set(composite!, tuples);
    }
  };
  each(rows.string, (row) => [['', esc(row.exact.slice(0, 100))]]);
  each(rows.token, (row): RowValue[] => {
    if (row.value !== null) {
      return [
        ['', row.system !== null ? `${esc(row.system)}|${esc(row.value)}` : esc(row.value)],
        ['', esc(row.value)],
        ...(row.typeSystem && row.typeCode ? [[':of-type', `${esc(row.typeSystem)}|${esc(row.typeCode)}|${esc(row.value)}`] as RowValue] : []),
      ];
    }
    if (row.system !== null) return [['', `${esc(row.system)}|`]];
    return row.display !== null ? [[':text', esc(row.display.slice(0, 100))]] : [];
  });
  each(rows.date, (row) => {
    const original = written.get(`${row.code} ${row.low} ${row.high}`);
    return (original ? [`eq${original}`] : dateValuesFor(row.low, row.high)).map((value): RowValue => ['', value]);
  });
  each(rows.number, (row) => [['', row.value]]);
  each(rows.quantity, (row): RowValue[] => {
    const unit = row.system && row.unitCode ? `|${esc(row.system)}|${esc(row.unitCode)}` : (row.unitCode ?? row.unit) ? `||${esc((row.unitCode ?? row.unit)!)}` : '';
    return [['', `${row.value}${unit}`], ['', row.value]];
  });
  each(rows.reference, (row): RowValue[] => [
    ...(row.targetType && row.targetId ? [['', `${row.targetType}/${row.targetId}`] as RowValue] : row.text ? [['', esc(row.text)] as RowValue] : []),
    ...(row.identifierValue
      ? [[':identifier', row.identifierSystem ? `${esc(row.identifierSystem)}|${esc(row.identifierValue)}` : esc(row.identifierValue)] as RowValue]
      : []),
  ]);
  each(rows.uri, (row) => [['', esc(row.value)]]);
  for (const [code, tuples] of composites) {
    for (const parts of tuples.values()) {
      if (parts.length >= 2 && parts.every((p) => p !== undefined)) add(code, code, parts.join('$'));
    }
  }
  return pairs;
}

/** `code low high` → the date/dateTime/instant as the example wrote it. */
function writtenDates(resource: Resource): Map<string, string> {
  const written = new Map<string, string>();
  const input = [toTypedValue(resource)];
  for (const param of searchParametersOf(resource.resourceType).values()) {
    if (param.type !== 'date') continue;
    let values;
    try {
      values = evalFhirPathTyped(param.atom, input);
    } catch {
      continue;
    }
    for (const value of values) {
      if (typeof value.value !== 'string') continue;
      const rows: IndexRows = emptyIndexRows();
      addIndexRows(rows, param.code, 'date', [value]);
      for (const row of rows.date) written.set(`${row.code} ${row.low} ${row.high}`, value.value);
    }
  }
  return written;
}

/** The narrowest UTC date of each precision whose range holds [low, high); else ge/le. */
function dateValuesFor(low: string, high: string): string[] {
  if (low === '-infinity') return [`le${high}`];
  if (high === 'infinity') return [`ge${low}`];
  const iso = low; // 2016-06-05T15:00:00.000Z
  const candidates = [iso, `${iso.slice(0, 19)}Z`, `${iso.slice(0, 16)}Z`, iso.slice(0, 10), iso.slice(0, 7), iso.slice(0, 4)];
  for (const candidate of candidates) {
    const range = parseFhirDateRange(candidate);
    if (range && range.low <= low && range.high >= high) return [`eq${candidate}`];
  }
  return [`ge${low}`, `le${high}`];
}

for (const backend of testDatabases()) {
  for (const version of usCoreVersions) {
    describe(`US Core ${version} examples over HTTP on ${backend.kind}`, () => {
      const examples = examplesOf(version);
      let t: TestHub;
      let token: string;
      /** label → the OperationOutcome of a refused PUT */
      const refused = new Map<string, { status: number; outcome: OperationOutcome }>();
      const stored: Example[] = [];

      before(async () => {
        t = await openTestHub(await backend.open());
        token = await t.token('system');
        for (const example of examples) {
          const { resourceType, id } = example.resource;
          const res = await t.app.fastify.inject({
            method: 'PUT',
            url: `/fhir/R4/${resourceType}/${id}`,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', prefer: 'return=minimal' },
            payload: JSON.stringify(example.resource),
          });
          if (res.statusCode === 200 || res.statusCode === 201) stored.push(example);
          else refused.set(example.label, { status: res.statusCode, outcome: res.json<OperationOutcome>() });
        }
      });
      after(() => t.close());

      const get = (url: string) =>
        t.app.fastify.inject({ method: 'GET', url: `/fhir/R4/${url}`, headers: { authorization: `Bearer ${token}`, prefer: 'handling=strict' } });

      test('every example is stored except the invalid ones listed, which are refused with an OperationOutcome', (ctx) => {
        assert.ok(examples.length > 180, `only ${examples.length} examples found`);
        for (const [label, { status, outcome }] of refused) ctx.diagnostic(`refused ${label} (${status}): ${JSON.stringify(outcome.issue)}`);
        const expected = Object.keys(invalidExamples).filter((label) => label.startsWith(`${version}/`)).sort();
        assert.deepEqual([...refused.keys()].sort(), expected, [...refused].map(([l, r]) => `${l}: ${JSON.stringify(r.outcome.issue)}`).join('\n'));
        for (const { status, outcome } of refused.values()) {
          assert.equal(status, 400);
          assert.equal(outcome.resourceType, 'OperationOutcome');
          assert.ok(outcome.issue.some((i) => i.severity === 'error' && (i.expression?.length ?? 0) > 0));
        }
        ctx.diagnostic(`${stored.length} of ${examples.length} examples stored`);
      });

      test('every stored example reads back equal to what was PUT, modulo meta.versionId and meta.lastUpdated', async () => {
        const differences: string[] = [];
        for (const { label, resource } of stored) {
          const res = await get(`${resource.resourceType}/${resource.id}`);
          assert.equal(res.statusCode, 200, `${label}: ${res.body}`);
          const read = res.json<Resource>();
          assert.equal(read.meta?.versionId, '1', label);
          try {
            assert.deepEqual(withoutStoreMeta(read), withoutStoreMeta(resource));
          } catch (err) {
            differences.push(`${label}: ${(err as Error).message.slice(0, 2000)}`);
          }
        }
        assert.deepEqual(differences, []);
      });

      test('every stored example is found by each search parameter it has a value for', async (ctx) => {
        /** `Type?name=value` → ids that must be among the results */
        const expected = new Map<string, Set<string>>();
        let pairsChecked = 0;
        for (const { resource } of stored) {
          const pairs = searchPairs(resource);
          pairsChecked += pairs.size;
          for (const list of pairs.values()) {
            for (const [name, value] of list) {
              const query = `${resource.resourceType}?${encodeURIComponent(name)}=${encodeURIComponent(value)}`;
              const ids = expected.get(query) ?? new Set<string>();
              ids.add(resource.id!);
              expected.set(query, ids);
            }
          }
        }
        const failures: string[] = [];
        for (const [query, ids] of expected) {
          const res = await get(`${query}&_count=1000`);
          if (res.statusCode !== 200) {
            failures.push(`${decodeURIComponent(query)} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
            continue;
          }
          const found = new Set((res.json<Bundle>().entry ?? []).map((e) => e.resource?.id));
          const missing = [...ids].filter((id) => !found.has(id));
          if (missing.length > 0) failures.push(`${decodeURIComponent(query)} did not find ${missing.join(', ')}`);
        }
        ctx.diagnostic(`${pairsChecked} (example, parameter) pairs checked with ${expected.size} distinct searches`);
        assert.deepEqual(failures, []);
      });
    });
  }
}
