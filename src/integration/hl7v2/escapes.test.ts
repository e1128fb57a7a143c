import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { LongitudeError } from '../../platform/errors.ts';
import { decodeEscapes, escape } from './escapes.ts';
import { DEFAULT_DELIMITERS, type Delimiters } from './message.ts';
import { delimitersArb, textArb } from './test-arbitraries.ts';

const d = DEFAULT_DELIMITERS;
const d27: Delimiters = { ...d, truncation: '#' };

describe('escape sequences (v2.5.1 §2.7)', () => {
  test('delimiter escapes decode to the declared delimiters', () => {
    assert.equal(decodeEscapes('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f', d), 'a|b^c&d~e\\f');
    const custom: Delimiters = { field: '#', component: '!', repetition: '@', escape: '%', subcomponent: '*', truncation: '' };
    assert.equal(decodeEscapes('%F%%S%%T%%R%%E%', custom), '#!*@%');
  });

  test('\\P\\ is the v2.7 truncation character, only when MSH-2 declares one', () => {
    assert.equal(decodeEscapes('1\\P\\', d27), '1#');
    assert.equal(decodeEscapes('1\\P\\', d), '1\\P\\');
  });

  test('\\Xhh\\ decodes bytes in the message charset; invalid hex stays literal', () => {
    assert.equal(decodeEscapes('\\X41\\\\X0D0A\\', d), 'A\r\n');
    assert.equal(decodeEscapes('caf\\XC3A9\\', d), 'café', 'UTF-8 bytes, charset auto');
    assert.equal(decodeEscapes('caf\\XE9\\', d, 'latin1'), 'café', 'MSH-18 8859/1');
    assert.equal(decodeEscapes('caf\\XE9\\', d), 'café', 'not valid UTF-8: Latin-1');
    assert.equal(decodeEscapes('\\X4\\ \\XZZ\\ \\X\\', d), '\\X4\\ \\XZZ\\ \\X\\');
  });

  test('formatting: .br/.sp/.sk become text; layout commands and \\H\\ \\N\\ are stripped', () => {
    assert.equal(decodeEscapes('line1\\.br\\line2', d), 'line1\nline2');
    assert.equal(decodeEscapes('a\\.sp2\\b\\.sp\\c', d), 'a\n\nb\nc');
    assert.equal(decodeEscapes('a\\.sk3\\b', d), 'a   b');
    assert.equal(decodeEscapes('\\.in+4\\\\.ti-2\\\\.fi\\\\.nf\\\\.ce\\x', d), 'x');
    assert.equal(decodeEscapes('\\H\\bold\\N\\ text', d), 'bold text');
    assert.equal(decodeEscapes('a\\.sp999999\\b', d), `a${'\n'.repeat(10)}b`, 'repeat counts are capped');
  });

  test('charset switches, local (Z) and unknown sequences, and an unterminated escape stay literal', () => {
    for (const kept of ['\\C2842\\', '\\M2442\\', '\\M244228\\', '\\Zlocal\\', '\\Q\\', '\\\\', '\\.xx\\', 'C:\\temp', 'end\\']) {
      assert.equal(decodeEscapes(kept, d), kept);
    }
    assert.equal(decodeEscapes('C:\\temp\\F\\x', d), 'C:\\temp\\F\\x', 'an unknown sequence is kept whole, scanning resumes after it');
  });

  test('escape is the inverse of decode, for any delimiters and any text', () => {
    fc.assert(
      fc.property(delimitersArb.chain((dl) => fc.tuple(fc.constant(dl), textArb(dl))), ([dl, text]) => {
        const escaped = escape(text, dl);
        for (const c of [dl.field, dl.component, dl.repetition, dl.subcomponent, '\r', '\n']) {
          assert.ok(!escaped.includes(c), `escaped text still holds ${JSON.stringify(c)}`);
        }
        assert.equal(decodeEscapes(escaped, dl), text);
      }),
      { numRuns: 500 },
    );
  });

  test('escape spells CR and LF as hex and refuses delimiters when no escape character is declared', () => {
    assert.equal(escape('a|b\r\n', d), 'a\\F\\b\\X0D\\\\X0A\\');
    assert.equal(escape('1#', d27), '1\\P\\');
    const noEscape: Delimiters = { ...d, escape: '', subcomponent: '' };
    assert.equal(escape('plain & simple', noEscape), 'plain & simple');
    assert.throws(() => escape('a^b', noEscape), (err: unknown) => err instanceof LongitudeError && err.code === 'LNG_HL7_CANNOT_ENCODE');
  });

  test('decoding is linear: long runs of escape characters finish (hang guard)', { timeout: 20_000 }, () => {
    for (const text of ['\\'.repeat(1_000_000), '\\X'.repeat(500_000), '\\.sp9\\'.repeat(100_000)]) {
      assert.ok(decodeEscapes(text, d).length >= 0);
    }
  });
});
