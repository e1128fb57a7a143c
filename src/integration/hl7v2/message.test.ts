import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LongitudeError } from '../../platform/errors.ts';
import { field, parsePath, readPath } from './message.ts';
import { parseMessageOrThrow } from './parse.ts';

const ADT = [
  'MSH|^~\\&|HIS|HOSP|LNG|HUB|20260101120000||ADT^A01^ADT_A01|CTRL-1|P|2.5.1',
  'PID|1||111^^^MRN~222^^^SSN&2.16.840&ISO||Doe^John^Q~Roe^Jack||19800101|M',
  'OBX|1|ST|CODE||first',
  'OBX|2|ST|CODE||second|',
].join('\r');

describe('message model', () => {
  const m = parseMessageOrThrow(ADT);

  test('MSH numbering: MSH-1 is the field separator, MSH-2 the encoding characters', () => {
    assert.equal(m.get('MSH-1'), '|');
    assert.equal(m.get('MSH-2'), '^~\\&');
    assert.equal(m.get('MSH-3'), 'HIS');
    assert.deepEqual(m.messageType, { code: 'ADT', trigger: 'A01', structure: 'ADT_A01' });
    assert.equal(m.controlId, 'CTRL-1');
    assert.equal(m.version, '2.5.1');
  });

  test('paths address repetitions, components, subcomponents and segment occurrences', () => {
    assert.equal(m.get('PID-5'), 'Doe', 'no component given: first component (Terser convention)');
    assert.equal(m.get('PID-5.2'), 'John');
    assert.equal(m.get('PID-5[2].2'), 'Jack');
    assert.equal(m.get('PID-3[2].4.2'), '2.16.840');
    assert.equal(m.get('OBX[2]-5'), 'second');
    assert.equal(m.get('OBX-5'), 'first');
  });

  test('absent elements are undefined, present empty ones are ""', () => {
    assert.equal(m.get('PID-2'), '');
    assert.equal(m.get('PID-5[3]'), undefined);
    assert.equal(m.get('PID-5.9'), undefined);
    assert.equal(m.get('PID-99'), undefined);
    assert.equal(m.get('ZZZ-1'), undefined);
    assert.equal(m.get('OBX[3]-1'), undefined);
    assert.equal(m.get('OBX[2]-6'), '', 'a trailing empty field was sent, so it is present');
  });

  test('fields keep their raw encoded text beside the decoded value', () => {
    const pid = m.segment('PID');
    assert.ok(pid);
    assert.equal(field(pid, 3)?.raw, '111^^^MRN~222^^^SSN&2.16.840&ISO');
    assert.equal(field(pid, 3)?.repetitionCount, 2);
    assert.equal(pid.fieldCount, 8);
    assert.equal(m.segmentsNamed('OBX').length, 2);
  });

  test('paths: defaults, explicit parts, and refusal of anything else', () => {
    assert.deepEqual(parsePath('PID-5'), { segment: 'PID', occurrence: 1, field: 5, repetition: 1, component: 1, subcomponent: 1 });
    assert.deepEqual(readPath('OBX[3]-5[2].1.4'), { segment: 'OBX', occurrence: 3, field: 5, repetition: 2, component: 1, subcomponent: 4 });
    assert.equal(readPath('MSH-9').component, undefined);
    for (const bad of ['PID', 'pid-5', 'PID-0', 'PID-5.', 'PID-5[0]', 'PID.5', '']) {
      assert.throws(() => parsePath(bad), (err: unknown) => err instanceof LongitudeError && err.code === 'LNG_HL7_BAD_PATH', bad);
    }
  });
});
