import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { LongitudeError } from '../../platform/errors.ts';
import type { Hl7Rejection } from './errors.ts';
import { parseMessage, parseMessageOrThrow } from './parse.ts';

const MSH = 'MSH|^~\\&|HIS|HOSP|LNG|HUB|20260101120000||ADT^A01|CTRL-1|P|2.5';

function ok(input: string | Uint8Array) {
  const r = parseMessage(input);
  assert.ok(r.ok, r.ok ? '' : `${r.rejection.code}: ${r.rejection.message}`);
  return r.message;
}

function rejection(input: string | Uint8Array, options = {}): Hl7Rejection {
  const r = parseMessage(input, options);
  assert.ok(!r.ok, 'expected a rejection');
  return r.rejection;
}

describe('parseMessage', () => {
  test('any segment terminator: CR, LF, CRLF, mixed, trailing blank lines, BOM', () => {
    for (const sep of ['\r', '\n', '\r\n']) {
      const m = ok(`${MSH}${sep}PID|1||42${sep}${sep}`);
      assert.deepEqual(m.segments.map((s) => s.name), ['MSH', 'PID']);
    }
    const mixed = ok(`\uFEFF${MSH}\rEVN|A01\r\nPID|1||42\n\n  \r\n`);
    assert.deepEqual(mixed.segments.map((s) => [s.name, s.line]), [['MSH', 1], ['EVN', 2], ['PID', 3]]);
  });

  test('delimiters come from MSH: custom ones, a 3-character MSH-2, a v2.7 truncation character', () => {
    const custom = ok('MSH#!@%*#S#F#R#F#2026##ADT!A01#C7#P#2.5\rPID#1##12345!!!MRN##DOE!JOHN@ROE!JACK%T%x');
    assert.equal(custom.get('PID-5[2].2'), 'JACK*x');
    const short = ok('MSH|^~}|S|F|R|F|2026||BAR^P01|C8|P|2.1\rPID|1||a}S}b');
    assert.equal(short.delimiters.subcomponent, '');
    assert.equal(short.get('PID-3'), 'a^b');
    const v27 = ok('MSH|^~\\&#|S|F|R|F|2026||ADT^A01|C9|P|2.7\rNTE|1||truncated tex#|\\P\\1');
    assert.equal(v27.delimiters.truncation, '#');
    assert.equal(v27.get('NTE-3'), 'truncated tex#', 'a trailing truncation character is data, kept as sent');
    assert.equal(v27.get('NTE-4'), '#1');
  });

  test('Z-segments are kept in order like any segment', () => {
    const m = ok(`${MSH}\rZPD|1|A^B\rPID|1\rZ01|x`);
    assert.deepEqual(m.segments.map((s) => s.name), ['MSH', 'ZPD', 'PID', 'Z01']);
    assert.equal(m.get('ZPD-2.2'), 'B');
  });

  test('bytes are decoded per BOM and MSH-18: UTF-8 when valid, Latin-1 declared or as fallback', () => {
    const utf8 = Buffer.from(`${MSH}\rPID|1||||Müller^José`, 'utf8');
    assert.equal(ok(utf8).get('PID-5.2'), 'José');
    const latin1 = Buffer.from(`${MSH}||||||8859/1\rPID|1||||Müller^José`, 'latin1');
    assert.equal(ok(latin1).get('PID-5'), 'Müller');
    const undeclared = Buffer.from(`${MSH}\rPID|1||||Müller`, 'latin1');
    assert.equal(ok(undeclared).get('PID-5'), 'Müller');
    const hexLatin1 = Buffer.from(`${MSH}||||||8859/1\rNTE|1||caf\\XE9\\`, 'latin1');
    assert.equal(ok(hexLatin1).get('NTE-3'), 'café');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]);
    assert.equal(ok(bom).get('PID-5'), 'Müller');
  });

  test('versions 2.1 to 2.8.1 are accepted; others are refused naming MSH-12', () => {
    for (const v of ['2.1', '2.2', '2.3', '2.3.1', '2.4', '2.5', '2.5.1', '2.6', '2.7', '2.7.1', '2.8', '2.8.1']) {
      assert.equal(ok(MSH.replace('|2.5', `|${v}^USA`)).version, v);
    }
    assert.deepEqual(rejection(MSH.replace('|2.5', '|1.0')), {
      code: 'LNG_HL7_UNSUPPORTED_VERSION',
      message: 'MSH-12 version "1.0" is not a supported HL7 v2 version (2.1–2.9.1)',
      field: 'MSH-12',
      segment: 'MSH',
      line: 1,
      offset: 0,
    });
  });

  test('structured rejections say what and where', () => {
    assert.equal(rejection('').code, 'LNG_HL7_EMPTY');
    assert.equal(rejection('\r\n \n').code, 'LNG_HL7_EMPTY');
    assert.equal(rejection('<?xml version="1.0"?><ADT_A01/>').code, 'LNG_HL7_NOT_ER7');
    assert.deepEqual(rejection('PID|1\rMSH|^~\\&'), {
      code: 'LNG_HL7_NO_MSH',
      message: 'The message does not start with an MSH segment',
      segment: 'MSH',
      line: 1,
      offset: 0,
    });
    assert.equal(rejection('MSH').code, 'LNG_HL7_BAD_MSH');
    assert.equal(rejection('MSHA^~\\&').code, 'LNG_HL7_BAD_MSH');
    assert.equal(rejection('MSH||S').field, 'MSH-2');
    assert.equal(rejection('MSH|^^\\&|S').code, 'LNG_HL7_BAD_ENCODING_CHARS');
    assert.equal(rejection('MSH|^~\\&#*|S').code, 'LNG_HL7_BAD_ENCODING_CHARS');
    const bad = rejection(`${MSH}\nPID|1\nPIDX|2`);
    assert.deepEqual(bad, { code: 'LNG_HL7_BAD_SEGMENT_ID', message: 'Segment id "PIDX" is not 3 uppercase letters/digits', line: 3, offset: MSH.length + 7 });
    assert.equal(rejection(`${MSH}\rpid|1`).code, 'LNG_HL7_BAD_SEGMENT_ID');
    assert.equal(rejection(`${MSH}\r${MSH}`).code, 'LNG_HL7_UNEXPECTED_SEGMENT');
    assert.equal(rejection(`${MSH}\rBTS|1`).segment, 'BTS');
  });

  test('required MSH fields: MSH-9 type, MSH-10 control id, MSH-12 version', () => {
    const without = (n: number): string => {
      const f = MSH.split('|');
      f[n - 1] = '';
      return f.join('|');
    };
    for (const n of [9, 10, 12]) {
      const r = rejection(without(n));
      assert.equal(r.code, 'LNG_HL7_MISSING_FIELD');
      assert.equal(r.field, `MSH-${n}`);
    }
    assert.equal(rejection('MSH|^~\\&|S|F').field, 'MSH-9', 'a header cut short');
  });

  test('size limit: input over maxLength is refused before any work', () => {
    assert.equal(rejection(`${MSH}\rPID|1`, { maxLength: 10 }).code, 'LNG_HL7_TOO_LARGE');
    assert.equal(rejection(Buffer.alloc(11, 0x41), { maxLength: 10 }).code, 'LNG_HL7_TOO_LARGE');
  });

  test('parseMessageOrThrow throws the rejection as a coded LongitudeError naming the field', () => {
    assert.throws(
      () => parseMessageOrThrow(MSH.replace('CTRL-1', '')),
      (err: unknown) => err instanceof LongitudeError && err.code === 'LNG_HL7_MISSING_FIELD' && err.issues[0]?.expression?.[0] === 'MSH-10',
    );
  });

  test('arbitrary strings never throw: parsed or rejected with a catalog code', () => {
    const noise = fc.string({ unit: fc.constantFrom(...'MSH|^~\\&#\r\nPIDX0Z. '.split('')), maxLength: 200 });
    const headed = fc.string({ maxLength: 200 }).map((s) => `MSH${s}`);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), noise, headed), (input) => {
        const r = parseMessage(input);
        assert.ok(r.ok || r.rejection.code.startsWith('LNG_HL7_'));
      }),
      { numRuns: 2000 },
    );
  });

  test('arbitrary bytes never throw', () => {
    const prefixed = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.concat([Buffer.from('MSH|^~\\&|'), b]));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), prefixed), (bytes) => {
        const r = parseMessage(bytes);
        assert.ok(r.ok || r.rejection.code.startsWith('LNG_HL7_'));
      }),
      { numRuns: 2000 },
    );
  });

  test('pathological inputs finish: huge lines, many segments, many delimiters (hang guard)', { timeout: 30_000 }, () => {
    const big = [
      `${MSH}\r${'PID|'.repeat(200_000)}`,
      `${MSH}\r${'ZZZ|1\r'.repeat(100_000)}`,
      `${MSH}\rOBX|${'^~&\\'.repeat(200_000)}`,
      `${MSH}\r${'\r\n'.repeat(500_000)}`,
      `MSH${'|'.repeat(1_000_000)}`,
    ];
    for (const input of big) assert.ok(typeof parseMessage(input).ok === 'boolean');
  });
});
