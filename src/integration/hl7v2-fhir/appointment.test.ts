import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Appointment } from '@medplum/fhirtypes';
import { HandlerError } from '../message-store/message-processor.ts';
import { fields, hl7, mapped, msh, only } from './test-fixtures.ts';

const PID = 'PID|1||MRN-1^^^HOSP^MR||Doe^Jane||19700101|F';
const SCH = fields('SCH', { 1: 'PL-1^EHR', 2: 'FL-9^SCHED', 7: 'ROUTINE^Routine^HL70276', 9: '30', 10: 'min', 25: 'Booked' });

function appointment(trigger: string, ...rest: string[]): Appointment {
  return only<Appointment>(mapped(hl7(msh(`SIU^${trigger}`), ...rest)), 'Appointment');
}

describe('SIU^S12–S15 → Appointment', () => {
  test('identifiers, type, times, duration, comment and one participant per resource segment', () => {
    const appt = appointment(
      'S12',
      SCH,
      fields('TQ1', { 1: '1', 7: '20240310093000+0100', 8: '20240310100000+0100' }),
      'NTE|1||Bring previous results',
      PID,
      'RGS|1',
      'AIS|1||71045^Chest X-ray^C4',
      fields('AIL', { 1: '1', 3: 'RAD^Room 2^^MAIN', 12: 'Booked' }),
      fields('AIP', { 1: '1', 3: '1234^Welby^Marcus', 4: 'RAD^Radiologist^L', 12: 'Booked' }),
    );
    assert.deepEqual(appt.identifier?.map((i) => [i.type?.coding?.[0]?.code, i.value]), [['PLAC', 'PL-1'], ['FILL', 'FL-9']]);
    assert.equal(appt.status, 'booked');
    assert.equal(appt.appointmentType?.coding?.[0]?.code, 'ROUTINE');
    assert.equal(appt.start, '2024-03-10T09:30:00+01:00');
    assert.equal(appt.end, '2024-03-10T10:00:00+01:00');
    assert.equal(appt.minutesDuration, 30);
    assert.equal(appt.comment, 'Bring previous results');
    assert.equal(appt.serviceType?.[0]?.coding?.[0]?.code, '71045');
    assert.deepEqual(
      appt.participant.map((p) => [p.actor?.type, p.actor?.display, p.status]),
      [
        [undefined, undefined, 'accepted'],
        ['Location', 'MAIN / RAD / Room 2', 'accepted'],
        ['Practitioner', 'Marcus Welby', 'accepted'],
      ],
    );
  });

  test('S15 cancels whatever SCH-25 says; S13/S14 update the same appointment (keyed by the filler id SCH-2)', () => {
    const tq1 = fields('TQ1', { 1: '1', 7: '20240310093000', 8: '20240310100000' });
    const s12 = mapped(hl7(msh('SIU^S12'), SCH, tq1, PID));
    const s15 = mapped(hl7(msh('SIU^S15'), SCH, tq1, PID));
    const url = (b: typeof s12) => b.entry!.find((e) => e.resource?.resourceType === 'Appointment')!.request!.url;
    assert.equal(url(s12), url(s15));
    assert.equal(only<Appointment>(s15, 'Appointment').status, 'cancelled');
  });

  test('the end follows from the duration when only the start is sent; a booked appointment without times is an error', () => {
    assert.equal(appointment('S12', SCH, fields('TQ1', { 1: '1', 7: '20240310093000+0100' }), PID).end, '2024-03-10T10:00:00+01:00');
    assert.throws(
      () => appointment('S12', 'SCH|PL-1|FL-9', PID),
      (err: unknown) => err instanceof HandlerError && err.detail.code === 'missing-appointment-time' && err.detail.element === 'SCH-11',
    );
  });
});
