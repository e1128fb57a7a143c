/**
 * The shared HL7 v2 corpus (../shared/data/hl7v2, see its SOURCE.md): every file is split and
 * every message parsed or rejected with a structured error, never a throw or a hang. Files are
 * sorted by what they contain, not by where they sit: JSON and FHIR XML (the expected outputs
 * of the conformance pairs) are not HL7 v2 and are left out; everything else goes through,
 * including HL7 v2 XML, empty files, fuzzed crash inputs and stray text.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { ackForUnparseable, buildAck } from './ack.ts';
import { decodeEscapes } from './escapes.ts';
import { encodeMessage } from './encode.ts';
import type { Hl7Rejection } from './errors.ts';
import { DEFAULT_DELIMITERS, type Hl7Message } from './message.ts';
import { parseMessage, parseMessageOrThrow } from './parse.ts';
import { splitMessages } from './split.ts';

const root = new URL('../../../../shared/data/hl7v2/', import.meta.url).pathname;
const now = new Date('2026-01-01T00:00:00Z');

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
}

type Kind = 'empty' | 'json' | 'fhir-xml' | 'v2-xml' | 'er7' | 'text';

function kindOf(bytes: Buffer): Kind {
  const text = bytes.toString('latin1').trimStart();
  if (text.trim() === '') return 'empty';
  if (text.startsWith('{')) {
    try {
      JSON.parse(bytes.toString('utf8'));
      return 'json';
    } catch {
      return 'text';
    }
  }
  if (text.startsWith('<')) return text.includes('http://hl7.org/fhir') ? 'fhir-xml' : 'v2-xml';
  return /(^|[^A-Z])(MSH|FHS|BHS)[^A-Za-z0-9\r\n]/.test(text) ? 'er7' : 'text';
}

interface FileResult {
  path: string;
  kind: Kind;
  messages: { ok: true; message: Hl7Message }[];
  rejections: Hl7Rejection[];
}

function runFile(path: string): FileResult {
  const bytes = readFileSync(path);
  const kind = kindOf(bytes);
  const result: FileResult = { path: relative(root, path), kind, messages: [], rejections: [] };
  if (kind === 'json' || kind === 'fhir-xml') return result;
  for (const m of splitMessages(new Uint8Array(bytes)).messages) {
    const r = parseMessage(m.content);
    if (r.ok) {
      result.messages.push(r);
      // Every accepted message can be acknowledged, and its ACK names its control id.
      const ack = parseMessageOrThrow(buildAck(r.message, { code: 'AA', now }));
      assert.equal(ack.segment('MSA')?.field(2)?.raw, r.message.header.field(10)?.raw);
      // Re-encoding a real message and parsing it again gives back the same values.
      const again = parseMessageOrThrow(encodeMessage(r.message));
      assert.deepEqual(again.segments.map((s) => s.fields.map((f) => f.value)), r.message.segments.map((s) => s.fields.map((f) => f.value)));
    } else {
      assert.match(r.rejection.code, /^LNG_HL7_[A-Z0-9_]+$/);
      assert.ok(r.rejection.message.length > 0);
      result.rejections.push(r.rejection);
      assert.equal(parseMessageOrThrow(ackForUnparseable(m.content, r.rejection, { now })).get('MSA-1'), 'AR');
    }
  }
  return result;
}

/** Message counts per file from SOURCE.md's tables (the `msgs` column). */
function sourceCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  let folder = '';
  for (const line of readFileSync(join(root, 'SOURCE.md'), 'utf8').split('\n')) {
    const heading = /^#### `([^`]+)\/`/.exec(line);
    if (heading) folder = heading[1] ?? '';
    const row = /^\| ([^|]+?) \| (\d+) \|/.exec(line);
    if (row && folder) counts.set(`${folder}/${row[1]}`, Number(row[2]));
  }
  return counts;
}

describe('HL7 v2 corpus', () => {
  const results = new Map<string, FileResult>();

  test('every file is split and every message parsed or rejected with a coded error', { timeout: 120_000 }, (t) => {
    for (const path of walk(root)) {
      const r = runFile(path);
      results.set(r.path, r);
    }
    const all = [...results.values()];
    const byKind = Object.fromEntries((['er7', 'v2-xml', 'text', 'empty', 'json', 'fhir-xml'] as const).map((k) => [k, all.filter((r) => r.kind === k).length]));
    const rejected: Record<string, number> = {};
    for (const r of all.flatMap((f) => f.rejections)) rejected[r.code] = (rejected[r.code] ?? 0) + 1;
    const parsed = all.reduce((n, f) => n + f.messages.length, 0);
    t.diagnostic(`files: ${all.length} (${JSON.stringify(byKind)}; json and fhir-xml are not HL7 v2 and were left out)`);
    t.diagnostic(`messages parsed: ${parsed}; rejected: ${JSON.stringify(rejected)}`);
    assert.ok(all.length > 300, 'the corpus is where SOURCE.md says');
    assert.ok(parsed >= 400);
  });

  test('split counts match SOURCE.md (except [SOM]-wrapped messages, which its census did not count)', () => {
    const counts = sourceCounts();
    assert.ok(counts.size > 250);
    for (const [file, expected] of counts) {
      const r = results.get(file);
      assert.ok(r, `${file} listed in SOURCE.md but not found`);
      const found = r.messages.length + r.rejections.filter((j) => j.code !== 'LNG_HL7_NO_MSH' && j.code !== 'LNG_HL7_NOT_ER7').length;
      assert.equal(found, file === 'mirth-connect/simplesender/hl7.txt' ? 1 : expected, file);
    }
  });

  test('the valid samples all parse: every FHIR-Converter input, v2.1 to 2.8, batches', () => {
    const converter = [...results.values()].filter((r) => r.path.startsWith('ms-fhir-converter/'));
    assert.equal(converter.length, 139);
    for (const r of converter) assert.deepEqual(r.rejections, [], r.path);
    assert.equal(results.get('mirth-connect/simplesender/TestADT.txt')?.messages.length, 124);
    assert.equal(results.get('hapi/messages.txt')?.messages.length, 18);
    assert.equal(results.get('mirth-connect/test-hl7-batch-input.txt')?.messages.length, 1);
    const versions = new Set([...results.values()].flatMap((r) => r.messages.map((m) => m.message.version)));
    for (const v of ['2.1', '2.2', '2.3', '2.3.1', '2.4', '2.5', '2.5.1', '2.6', '2.8']) assert.ok(versions.has(v), v);
  });

  test('known malformed files are rejected with the right code and place', () => {
    const first = (file: string): Hl7Rejection | undefined => results.get(file)?.rejections[0];
    assert.deepEqual(
      [first('glion-qa/invalid-segment-header-length.hl7')?.code, first('glion-qa/invalid-segment-header-length.hl7')?.line],
      ['LNG_HL7_BAD_SEGMENT_ID', 2],
    );
    assert.equal(first('glion-qa/invalid-missing-msh.hl7')?.code, 'LNG_HL7_NO_MSH');
    assert.equal(first('glion-qa/invalid-wrong-version.hl7')?.code, 'LNG_HL7_UNSUPPORTED_VERSION');
    assert.equal(first('cdc-dex/structure-validator/Lyme_WithBadDelimiters.txt')?.code, 'LNG_HL7_BAD_ENCODING_CHARS');
    for (const n of [9, 10, 12]) assert.equal(first(`cdc-dex/phlip-flu-structure-tests/PHLIP_FLU_2.5.1_NO_MSH${n}.txt`)?.field, `MSH-${n}`);
    const xml = [...results.values()].filter((r) => r.kind === 'v2-xml');
    assert.ok(xml.length >= 15);
    for (const r of xml) assert.deepEqual(r.rejections.map((j) => j.code), ['LNG_HL7_NOT_ER7'], r.path);
    assert.deepEqual(results.get('mirth-connect/filereader/emptyfile/emptyfile.txt')?.rejections, []);
  });

  test('spot checks: escaped delimiters, custom delimiters, Z-segments, BOM, Latin-1', () => {
    const message = (file: string, i = 0): Hl7Message => {
      const m = results.get(file)?.messages[i]?.message;
      assert.ok(m, file);
      return m;
    };
    const escaped = message('glion-qa/edge-escaped-delimiters.hl7');
    assert.equal(escaped.get('OBX-5'), 'Result contains pipe | and ampersand & and caret ^ and tilde ~ and backslash \\ chars');
    assert.equal(escaped.get('PID-5'), 'DOE&SMITH');
    const custom = message('glion-qa/edge-custom-delimiters.hl7');
    assert.deepEqual(custom.delimiters, { field: '#', component: '!', repetition: '@', escape: '%', subcomponent: '*', truncation: '' });
    assert.deepEqual([custom.get('PID-5'), custom.get('PID-5.2'), custom.get('PID-3.4')], ['DOE', 'JOHN', 'MRN']);
    const swapped = message('hapi/segmentfinder_a24.hl7');
    assert.equal(swapped.get('PID[2]-3.1'), '22222');
    const z = message('glion-qa/edge-z-segments.hl7');
    assert.deepEqual(z.segments.map((s) => s.name), ['MSH', 'PID', 'ZVN', 'ZPD']);
    assert.equal(z.get('ZVN-3.2'), 'VALUE2');
    assert.equal(message('ms-fhir-converter/ADT01-23.hl7').header.name, 'MSH', 'UTF-8 BOM stripped');
    assert.equal(message('hapi/cv.04_001_chem.hl7').get('MSH-18'), '8859/1');
  });

  test('hapi/uuencoded_escaped.txt decodes to exactly hapi/uuencoded.txt', () => {
    const escaped = readFileSync(join(root, 'hapi/uuencoded_escaped.txt'), 'latin1');
    const plain = readFileSync(join(root, 'hapi/uuencoded.txt'), 'latin1');
    // The escaped copy spells each line break \X0D\\X0A\ (CRLF); the plain one has LF.
    assert.equal(decodeEscapes(escaped, DEFAULT_DELIMITERS).replace(/\r\n/g, '\n'), plain);
  });
});
