import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { LongitudeError } from '../../platform/errors.ts';
import { buildField, buildSegment, components, encodeMessage, encodeMessageBytes } from './encode.ts';
import { DEFAULT_DELIMITERS, Hl7Message, type Delimiters } from './message.ts';
import { parseMessage, parseMessageOrThrow } from './parse.ts';
import { messageArb } from './test-arbitraries.ts';

const d = DEFAULT_DELIMITERS;

describe('encodeMessage', () => {
  test('a parsed message re-encodes field for field, escapes and odd spellings included', () => {
    const text = [
      'MSH|^~\\&|S|F|R|F|2026||ORU^R01|C1|P|2.5|||||||8859/1',
      'OBX|1|TX|X||a\\F\\b\\Zlocal\\\\.br\\c~\\X41\\||||||F|',
      'ZZ1',
    ].join('\n');
    assert.equal(encodeMessage(parseMessageOrThrow(text)), `${text.replace(/\n/g, '\r')}\r`);
  });

  test('building fields escapes text and normalizes empty levels', () => {
    assert.equal(buildField('Doe|Smith^Jr', d).raw, 'Doe\\F\\Smith\\S\\Jr');
    assert.equal(buildField([[['a', 'b'], ['c']], [['d']]], d).raw, 'a&b^c~d');
    assert.deepEqual(buildField([], d).value, [[['']]]);
    assert.equal(buildField(components('ACK', 'A01', 'ACK'), d).raw, 'ACK^A01^ACK');
  });

  test('segments: numbered fields, gaps empty, trailing absent fields left out, MSH-1/2 from delimiters', () => {
    const custom: Delimiters = { field: '#', component: '!', repetition: '@', escape: '%', subcomponent: '*', truncation: '' };
    const msh = buildSegment('MSH', { 3: 'APP', 9: components('ACK', 'A01'), 10: 'X1', 12: '2.5', 13: undefined }, custom);
    const msa = buildSegment('MSA', { 1: 'AA', 2: 'C#1' }, custom);
    assert.equal(encodeMessage(new Hl7Message([msh, msa], custom)), 'MSH#!@%*#APP######ACK!A01#X1##2.5\rMSA#AA#C%F%1\r');
  });

  test('a value a declared delimiter cannot express is refused with a coded error', () => {
    const noSub: Delimiters = { ...d, subcomponent: '' };
    assert.throws(() => buildField([[['a', 'b']]], noSub), (err: unknown) => err instanceof LongitudeError && err.code === 'LNG_HL7_CANNOT_ENCODE');
  });

  test('bytes follow MSH-18: Latin-1 when declared, UTF-8 otherwise', () => {
    const latin = parseMessageOrThrow('MSH|^~\\&|S|F|R|F|2026||ADT^A01|C1|P|2.5||||||8859/1\rPID|1||||Müller');
    assert.ok(Buffer.from(encodeMessageBytes(latin)).includes(Buffer.from([0xfc])), 'ü as one Latin-1 byte');
    const utf = parseMessageOrThrow('MSH|^~\\&|S|F|R|F|2026||ADT^A01|C1|P|2.5\rPID|1||||Müller');
    assert.ok(Buffer.from(encodeMessageBytes(utf)).includes(Buffer.from('ü', 'utf8')));
  });

  test('round trip: parse(encode(m)) gives back every value of generated messages', () => {
    fc.assert(
      fc.property(messageArb, ({ message, values }) => {
        const text = encodeMessage(message);
        const r = parseMessage(text);
        assert.ok(r.ok, r.ok ? '' : `${r.rejection.code} ${r.rejection.message}\n${JSON.stringify(text)}`);
        assert.deepEqual(r.message.delimiters, message.delimiters);
        assert.deepEqual(
          r.message.segments.map((s) => s.fields.map((f) => f.value)),
          values,
        );
        assert.equal(encodeMessage(r.message), text, 're-encoding the parsed message is identical');
      }),
      { numRuns: 300 },
    );
  });
});
