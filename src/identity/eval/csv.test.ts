import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseCsv } from './csv.ts';

test('quoted fields, doubled quotes, CRLF and FEBRL-style ", " separators', () => {
  assert.deepEqual(parseCsv('a,b\r\n"x, y","say ""hi"""\r\n'), [{ a: 'x, y', b: 'say "hi"' }]);
  assert.deepEqual(parseCsv('rec_id, given_name\nrec-1-org, ann\n'), [{ rec_id: 'rec-1-org', given_name: 'ann' }]);
  assert.deepEqual(parseCsv('a,b\n1\n'), [{ a: '1', b: '' }]);
});

test('any table written with RFC 4180 quoting reads back (property)', () => {
  const cell = fc.string({ maxLength: 8 }).map((s) => s.trim());
  fc.assert(fc.property(fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 5 }), (rows) => {
    const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
    const text = `x,y\n${rows.map(([a, b]) => `${quote(a)},${quote(b)}`).join('\n')}\n`;
    assert.deepEqual(parseCsv(text), rows.map(([a, b]) => ({ x: a, y: b })));
  }));
});
