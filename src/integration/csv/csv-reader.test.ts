import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse as csvParse } from 'csv-parse/sync';
import fc from 'fast-check';
import { CsvScanner, parseCsvBytes } from './csv-reader.ts';

const fieldArb = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', ',', '"', '\r', '\n', 'é', '中', '|', '0'), maxLength: 8 });
const rowArb = fc.array(fieldArb, { minLength: 1, maxLength: 5 });
const terminatorArb = fc.constantFrom('\r\n', '\n', '\r');

/** RFC 4180 writing: quote when needed (or when asked), double inner quotes. */
function writeField(field: string, forceQuotes: boolean): string {
  return forceQuotes || /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

function writeRow(row: string[], forceQuotes: boolean): string {
  // A row of one empty field written bare would be an empty line, which readers skip.
  return row.length === 1 && row[0] === '' ? '""' : row.map((f) => writeField(f, forceQuotes)).join(',');
}

/** Feeds the bytes in the given chunk sizes, cycling, and collects the records. */
function scanInChunks(bytes: Uint8Array, sizes: number[]) {
  const scanner = new CsvScanner();
  const records = [];
  let at = 0;
  for (let k = 0; at < bytes.length; k++) {
    const size = sizes[k % sizes.length]!;
    records.push(...scanner.push(bytes.subarray(at, at + size)));
    at += size;
  }
  records.push(...scanner.end());
  return records;
}

describe('CSV reader', () => {
  test('quoted delimiters, escaped quotes and line breaks inside quotes; raw bytes and start lines', () => {
    const text = 'id,note\r\n1,"a, b"\r\n2,"say ""hi""\nthere"\n3,plain\r4,5" tall';
    const records = parseCsvBytes(text);
    assert.deepEqual(records.map((r) => r.fields), [['id', 'note'], ['1', 'a, b'], ['2', 'say "hi"\nthere'], ['3', 'plain'], ['4', '5" tall']]);
    assert.deepEqual(records.map((r) => r.line), [1, 2, 3, 5, 6]);
    assert.equal(new TextDecoder().decode(records[2]!.raw), '2,"say ""hi""\nthere"');
    assert.ok(records.every((r) => r.error === undefined));
  });

  test('a BOM and empty lines are skipped; a trailing delimiter makes an empty last field', () => {
    const records = parseCsvBytes(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('a,b\n\n\r\n1,\n')]));
    assert.deepEqual(records.map((r) => r.fields), [['a', 'b'], ['1', '']]);
  });

  test('a bad quote makes that record an error, and the next records are still read', () => {
    const records = parseCsvBytes('a,b\n1,"x"y\n2,ok\n3,"open');
    assert.deepEqual(records.map((r) => r.error?.code ?? 'ok'), ['ok', 'invalid-quote', 'ok', 'unclosed-quote']);
    assert.deepEqual(records[1]!.error?.field, 2);
    assert.deepEqual(records[2]!.fields, ['2', 'ok']);
  });

  test('a record longer than the limit is cut and reported', () => {
    const scanner = new CsvScanner({ maxRecordBytes: 8 });
    const records = [...scanner.push(new TextEncoder().encode('0123456789abc\nok\n')), ...scanner.end()];
    assert.equal(records[0]!.error?.code, 'record-too-large');
    assert.equal(records[0]!.raw.length, 8);
    assert.deepEqual(records[1]!.fields, ['ok']);
  });

  test('property: any rows written per RFC 4180, any terminators, any chunking, read back exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ row: rowArb, terminator: terminatorArb, quoteAll: fc.boolean() }), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }),
        (rows, finalTerminator, sizes) => {
          const written = rows.map((r) => writeRow(r.row, r.quoteAll));
          const text = written.map((w, i) => w + (i < rows.length - 1 || finalTerminator ? rows[i]!.terminator : '')).join('');
          const records = scanInChunks(new TextEncoder().encode(text), sizes);
          assert.deepEqual(records.map((r) => r.fields), rows.map((r) => r.row));
          assert.deepEqual(records.map((r) => new TextDecoder().decode(r.raw)), written);
          assert.ok(records.every((r) => r.error === undefined));
        },
      ),
      { numRuns: 500 },
    );
  });

  test('property: on files with one kind of line ending, the fields agree with csv-parse', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 10 }), fc.constantFrom('\r\n', '\n'), (rows, eol) => {
        const text = rows.map((r) => writeRow(r, false)).join(eol) + eol;
        const expected = csvParse(text, { relax_column_count: true, record_delimiter: eol }) as string[][];
        assert.deepEqual(parseCsvBytes(text).map((r) => r.fields), expected);
      }),
      { numRuns: 300 },
    );
  });

  test('property: arbitrary bytes never throw, and records never hold more bytes than the input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const records = parseCsvBytes(bytes);
        const rawBytes = records.reduce((n, r) => n + r.raw.length, 0);
        assert.ok(rawBytes <= bytes.length);
      }),
      { numRuns: 500 },
    );
  });
});
