import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ackForUnparseable, ackForUnparseableMessage, buildAck, buildAckMessage } from './ack.ts';
import { encodeMessage } from './encode.ts';
import { parseMessage, parseMessageOrThrow } from './parse.ts';
import { messageArb } from './test-arbitraries.ts';

const now = new Date('2026-03-04T05:06:07Z');
const ADT = 'MSH|^~\\&|HIS|HOSP|LNG|HUB|20260101120000||ADT^A01^ADT_A01|CTRL-1|P|2.5.1\rPID|1||42';

function lines(text: string): string[] {
  return text.split('\r').filter(Boolean);
}

describe('buildAck', () => {
  test('AA: sender and receiver swapped, same version and delimiters, ACK^<trigger>^ACK, MSA-2 = MSH-10', () => {
    const ack = buildAckMessage(parseMessageOrThrow(ADT), { code: 'AA', now, controlId: 'A1' });
    assert.deepEqual(lines(encodeMessage(ack)), ['MSH|^~\\&|LNG|HUB|HIS|HOSP|20260304050607+0000||ACK^A01^ACK|A1|P|2.5.1', 'MSA|AA|CTRL-1']);
  });

  test('AE in v2.5+: ERR-2 location, ERR-3 table 0357, ERR-4 severity, ERR-5 our code, ERR-7 text', () => {
    const error = { code: 'LNG_MAP_DATE', message: 'PID-7 is not a date', element: 'PID-7' };
    const ack = buildAckMessage(parseMessageOrThrow(ADT), { code: 'AE', now, controlId: 'A2', error });
    assert.deepEqual(lines(encodeMessage(ack)).slice(1), [
      'MSA|AE|CTRL-1',
      'ERR||PID^1^7|207^Application internal error^HL70357|E|LNG_MAP_DATE||PID-7 is not a date',
    ]);
    const fhirPath = buildAckMessage(parseMessageOrThrow(ADT), { code: 'AE', now, error: { ...error, element: 'Patient.birthDate' } });
    assert.equal(fhirPath.get('ERR-2'), '', 'a non-HL7 location is not sent as ERR-2');
    assert.equal(fhirPath.get('ERR-7'), 'PID-7 is not a date (at Patient.birthDate)');
  });

  test('before v2.5: ERR-1 (segment^sequence^field^code&text&HL70357), text in MSA-3; before v2.3.1 no structure in MSH-9', () => {
    const old = parseMessageOrThrow('MSH|^~\\&|HIS|HOSP|LNG|HUB|2026||ORM^O01|C9|P|2.3');
    const ack = buildAckMessage(old, { code: 'AE', now, controlId: 'A3', error: { code: 'X', message: 'bad', element: 'ORC-2.1' } });
    assert.deepEqual(lines(encodeMessage(ack)), [
      'MSH|^~\\&|LNG|HUB|HIS|HOSP|20260304050607+0000||ACK^O01|A3|P|2.3',
      'MSA|AE|C9|bad',
      'ERR|ORC^1^2^207&Application internal error&HL70357',
    ]);
  });

  test('the ACK keeps custom delimiters and MSH-18, and its bytes are in that charset', () => {
    const latin = parseMessageOrThrow(Buffer.from('MSH#!@%*#HIS#Hôp#LNG#HUB#2026##ADT!A08#C%F%1#P#2.4######8859/1', 'latin1'));
    const bytes = buildAck(latin, { code: 'AA', now, controlId: 'A4' });
    assert.equal(Buffer.from(bytes).toString('latin1'), 'MSH#!@%*#LNG#HUB#HIS#Hôp#20260304050607+0000##ACK!A08!ACK#A4#P#2.4######8859/1\rMSA#AA#C%F%1\r');
  });

  test('an MSH-2 of fewer than four characters is answered with the default delimiters', () => {
    const short = parseMessageOrThrow('MSH|^~}|ADMISSION|ADT1|RADIOLOGY|MIR1|1993||BAR^P01|5898&1|P|2.4');
    const ack = buildAckMessage(short, { code: 'AE', now, controlId: 'A6', error: { code: 'X', message: 'a^b', element: 'PID' } });
    assert.deepEqual(lines(encodeMessage(ack)), [
      'MSH|^~\\&|RADIOLOGY|MIR1|ADMISSION|ADT1|20260304050607+0000||ACK^P01^ACK|A6|P|2.4',
      'MSA|AE|5898\\T\\1|a\\S\\b',
      'ERR|PID^1^^207&Application internal error&HL70357',
    ]);
  });

  test('an own control id is generated when none is given (20 characters, MSH-10 length before v2.7)', () => {
    const a = buildAckMessage(parseMessageOrThrow(ADT), { code: 'AA', now });
    const b = buildAckMessage(parseMessageOrThrow(ADT), { code: 'AA', now });
    assert.equal(a.controlId.length, 20);
    assert.notEqual(a.controlId, b.controlId);
  });

  test('ACK control ids always match their message: MSA-2 is MSH-10 exactly as sent', () => {
    fc.assert(
      fc.property(messageArb, fc.constantFrom('AA', 'AE', 'AR') as fc.Arbitrary<'AA' | 'AE' | 'AR'>, ({ message }, code) => {
        const parsed = parseMessageOrThrow(encodeMessage(message));
        const error = code === 'AA' ? undefined : { code: 'LNG_X', message: 'x', element: 'PID-3' };
        const ack = parseMessageOrThrow(buildAck(parsed, { code, now, ...(error ? { error } : {}) }));
        assert.equal(ack.segment('MSA')?.field(2)?.raw, parsed.header.field(10)?.raw);
        assert.equal(ack.get('MSA-1'), code);
        assert.equal(ack.version, parsed.version);
        assert.deepEqual(ack.delimiters, parsed.delimiters);
      }),
      { numRuns: 200 },
    );
  });
});

describe('ackForUnparseable', () => {
  test('AR reuses what the header still gives: delimiters, control id, sender, version', () => {
    const text = 'MSH|^~\\&|HIS|HOSP|LNG|HUB|2026||ORU^R01|C-77|P|2.5.1\rPIDX|1';
    const r = parseMessage(text);
    assert.ok(!r.ok);
    const ack = ackForUnparseableMessage(text, r.rejection, { now, controlId: 'A5' });
    assert.deepEqual(lines(encodeMessage(ack)), [
      'MSH|^~\\&|LNG|HUB|HIS|HOSP|20260304050607+0000||ACK^R01^ACK|A5|P|2.5.1',
      'MSA|AR|C-77',
      'ERR|||100^Segment sequence error^HL70357|E|LNG_HL7_BAD_SEGMENT_ID||Segment id "PIDX" is not 3 uppercase letters/digits (line 2)',
    ]);
  });

  test('bad encoding characters: default delimiters, the control id recovered as text', () => {
    const bytes = Buffer.from('MSH|&&&&|APP|FAC|LNG|HUB|2026||ORU^R01|ID&1|P|2.5.1\rPID|1');
    const r = parseMessage(bytes);
    assert.ok(!r.ok);
    const ack = parseMessageOrThrow(ackForUnparseable(bytes, r.rejection, { now }));
    assert.equal(ack.get('MSA-2'), 'ID&1');
    assert.equal(ack.get('MSA-1'), 'AR');
    assert.equal(ack.get('ERR-2'), 'MSH');
    assert.equal(ack.get('ERR-2.3'), '2');
    assert.equal(ack.get('ERR-3'), '102');
    assert.equal(ack.get('ERR-5'), 'LNG_HL7_BAD_ENCODING_CHARS');
  });

  test('unsupported version and no MSH: answered in v2.5.1 with 203 / 100', () => {
    const v1 = 'MSH|^~\\&|A|B|C|D|2026||ADT^A01|Q1|P|1.0';
    const r1 = parseMessage(v1);
    assert.ok(!r1.ok);
    const ack1 = parseMessageOrThrow(ackForUnparseable(v1, r1.rejection, { now }));
    assert.deepEqual([ack1.version, ack1.get('MSA-2'), ack1.get('ERR-3')], ['2.5.1', 'Q1', '203']);
    const xml = '<ADT_A01 xmlns="urn:hl7-org:v2xml"/>';
    const r2 = parseMessage(xml);
    assert.ok(!r2.ok);
    const ack2 = parseMessageOrThrow(ackForUnparseable(xml, r2.rejection, { now }));
    assert.deepEqual([ack2.get('MSA-1'), ack2.get('MSA-2'), ack2.get('ERR-3'), ack2.get('ERR-5')], ['AR', '', '100', 'LNG_HL7_NOT_ER7']);
  });

  test('any rejected input still gets a parseable AR', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 120 }), fc.string({ maxLength: 120 }).map((s) => `MSH${s}`)), (input) => {
        const r = parseMessage(input);
        if (r.ok) return;
        const ack = parseMessageOrThrow(ackForUnparseable(input, r.rejection, { now }));
        assert.equal(ack.get('MSA-1'), 'AR');
        // v2.5+ carries our code in ERR-5; older versions only the table 0357 code in ERR-1.4.
        assert.ok(ack.get('ERR-5') === r.rejection.code || /^\d{3}$/.test(ack.get('ERR-1.4') ?? ''), encodeMessage(ack));
      }),
      { numRuns: 1000 },
    );
  });
});
