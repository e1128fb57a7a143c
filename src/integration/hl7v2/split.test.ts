import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseMessageOrThrow } from './parse.ts';
import { splitMessages } from './split.ts';

const msh = (id: string): string => `MSH|^~\\&|S|F|R|F|2026||ADT^A01|${id}|P|2.5`;

describe('splitMessages', () => {
  test('messages back to back: each MSH starts one; segments are re-joined with CR', () => {
    const r = splitMessages(`${msh('1')}\nPID|1\r\n${msh('2')}\rPID|2\n\n`);
    assert.deepEqual(
      r.messages.map((m) => [m.content, m.line, m.startsWithMsh]),
      [
        [`${msh('1')}\rPID|1`, 1, true],
        [`${msh('2')}\rPID|2`, 3, true],
      ],
    );
  });

  test('batches: FHS/BHS/BTS/FTS frame the messages and are kept in the envelope', () => {
    const text = ['FHS|^~\\&|S', 'BHS|^~\\&|S', msh('1'), 'PID|1', msh('2'), 'BTS|2', 'FTS|1'].join('\r');
    const r = splitMessages(text);
    assert.deepEqual(r.messages.map((m) => parseMessageOrThrow(m.content).controlId), ['1', '2']);
    assert.deepEqual(r.envelope, { headers: ['FHS|^~\\&|S', 'BHS|^~\\&|S'], trailers: ['BTS|2', 'FTS|1'] });
  });

  test('[SOM]/[EOM] markers, # and // comments, /* */ blocks, blank lines', () => {
    const text = [
      '/*',
      ' * sample feed',
      ' */',
      '# a comment',
      `[SOM]${msh('1')}`,
      '// between segments',
      'PID|1[EOM][CR]',
      '',
      `[SOM]${msh('2')}`,
      'PID|2[EOM]',
    ].join('\r\n');
    const r = splitMessages(text);
    assert.deepEqual(r.messages.map((m) => m.content), [`${msh('1')}\rPID|1`, `${msh('2')}\rPID|2`]);
    assert.equal(r.skippedLines, 5);
  });

  test('content before any MSH is returned, not dropped, so parsing can reject it', () => {
    const r = splitMessages(`<xml/>\n${msh('1')}`);
    assert.deepEqual(r.messages.map((m) => [m.startsWithMsh, m.line]), [[false, 1], [true, 2]]);
    assert.deepEqual(splitMessages('').messages, []);
  });

  test('bytes in, bytes out: each message keeps its own bytes for its own MSH-18', () => {
    assert.deepEqual(splitMessages(`\uFEFF${msh('1')}\n\uFEFF${msh('2')}`).messages.map((m) => m.content), [msh('1'), msh('2')]);
    const latin1 = Buffer.from(`${msh('1')}||||||8859/1\rPID|1||||Müller\r`, 'latin1');
    const utf8 = Buffer.from(`\uFEFF${msh('2')}\nPID|1||||José\n`, 'utf8');
    const r = splitMessages(new Uint8Array(Buffer.concat([utf8, latin1, utf8])));
    assert.ok(r.messages[0]?.content instanceof Uint8Array);
    assert.deepEqual(r.messages.map((m) => parseMessageOrThrow(m.content).get('PID-5')), ['José', 'Müller', 'José'], 'BOMs of concatenated files dropped');
  });

  test('any text splits without throwing; messages never hold blank lines', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 30 }), fc.constantFrom('\r', '\n', '\r\n'), (lines, sep) => {
        for (const m of splitMessages(lines.join(sep)).messages) assert.ok(!/[\r\n]{2}/.test(m.content) && m.content.trim() !== '');
      }),
      { numRuns: 500 },
    );
  });

  test('every segment line lands in exactly one message, in order; comments and batch lines in none', () => {
    const line = fc.constantFrom(msh('x'), 'PID|1', 'OBX|2', 'FHS|^~\\&', 'BTS|1', '# c', '// c', '', '  ');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.constantFrom('\r', '\n', '\r\n'), (lines, sep) => {
        const segments = splitMessages(lines.join(sep)).messages.flatMap((m) => m.content.split('\r'));
        assert.deepEqual(segments, lines.filter((l) => /^(MSH|PID|OBX)/.test(l)));
      }),
      { numRuns: 500 },
    );
  });
});
