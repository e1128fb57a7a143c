import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HandlerError } from '../message-store/message-processor.ts';
import { messageOffset, offsetInZone, parseHl7DateTime, toFhirDate, toFhirDateTime, toFhirInstant } from './hl7-dates.ts';

function failsAt(fn: () => unknown, element: string): void {
  assert.throws(fn, (err: unknown) => err instanceof HandlerError && err.detail.code === 'invalid-date' && err.detail.element === element && err.detail.stage === 'map');
}

describe('HL7 TS/DTM → FHIR dates', () => {
  test('dates keep the precision the sender gave', () => {
    assert.equal(toFhirDate('1988', 'PID-7'), '1988');
    assert.equal(toFhirDate('198808', 'PID-7'), '1988-08');
    assert.equal(toFhirDate('19880818', 'PID-7'), '1988-08-18');
    // A time is dropped, never shifted into another day by its offset.
    assert.equal(toFhirDate('198808182350-0800', 'PID-7'), '1988-08-18');
  });

  test('dateTime: seconds padded, fraction kept, offset written as ±hh:mm', () => {
    assert.equal(toFhirDateTime('20150208113419+0110', 'PV1-44'), '2015-02-08T11:34:19+01:10');
    assert.equal(toFhirDateTime('201502081134-0500', 'PV1-44'), '2015-02-08T11:34:00-05:00');
    assert.equal(toFhirDateTime('2015020811+0000', 'PV1-44'), '2015-02-08T11:00:00Z');
    assert.equal(toFhirDateTime('20130408141909.0123+0000', 'OBR-7'), '2013-04-08T14:19:09.0123Z');
    assert.equal(toFhirDateTime('20150208', 'PV1-44'), '2015-02-08', 'a date stays a date');
  });

  test('an offset-less time takes the channel zone, else the offset of MSH-7, else UTC', () => {
    assert.equal(toFhirDateTime('20240115083000', 'OBX-14', { timeZone: 'America/New_York' }), '2024-01-15T08:30:00-05:00');
    assert.equal(toFhirDateTime('20240715083000', 'OBX-14', { timeZone: 'America/New_York' }), '2024-07-15T08:30:00-04:00', 'daylight saving time');
    assert.equal(toFhirDateTime('20240715083000', 'OBX-14', { messageOffsetMinutes: 135 }), '2024-07-15T08:30:00+02:15');
    assert.equal(toFhirDateTime('20240715083000', 'OBX-14', { timeZone: 'Asia/Kolkata', messageOffsetMinutes: 60 }), '2024-07-15T08:30:00+05:30', 'configuration wins');
    assert.equal(toFhirDateTime('20240715083000', 'OBX-14'), '2024-07-15T08:30:00Z');
    assert.equal(messageOffset('20240301100000-0430'), -270);
    assert.equal(messageOffset('20240301100000'), undefined);
    assert.equal(offsetInZone(parseHl7DateTime('20241027013000', 'x'), 'Europe/Paris'), 120);
  });

  test('an instant needs seconds', () => {
    assert.equal(toFhirInstant('20240301101500+0100', 'OBR-22'), '2024-03-01T10:15:00+01:00');
    failsAt(() => toFhirInstant('202403011015+0100', 'OBR-22'), 'OBR-22');
  });

  test('what is not a date is a mapping error naming the element', () => {
    failsAt(() => toFhirDate('19881318', 'PID-7'), 'PID-7');
    failsAt(() => toFhirDate('20230230', 'PID-7'), 'PID-7');
    failsAt(() => toFhirDate('20220229', 'OBX[39]-5'), 'OBX[39]-5');
    failsAt(() => toFhirDateTime('202402292460', 'PV1-44'), 'PV1-44');
    failsAt(() => toFhirDateTime('20240229+2500', 'PV1-44'), 'PV1-44');
    failsAt(() => toFhirDateTime('Aug 15, 1942', 'PID-7'), 'PID-7');
    failsAt(() => toFhirDateTime('20110613122406637', 'MSH-7'), 'MSH-7');
    assert.equal(toFhirDate('20240229', 'PID-7'), '2024-02-29', 'leap years are fine');
  });
});
