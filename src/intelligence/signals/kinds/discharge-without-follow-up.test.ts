import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Appointment, Encounter, Patient, Resource } from '@medplum/fhirtypes';
import { personRecordOf } from '../person-record.ts';
import type { Finding } from '../signal.ts';
import { dischargeWithoutFollowUp } from './discharge-without-follow-up.ts';

const patient: Patient = { resourceType: 'Patient', id: 'p1' };
const v3 = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

function encounter(id: string, cls: string, start: string, end: string, extra: Partial<Encounter> = {}): Encounter {
  return { resourceType: 'Encounter', id, status: 'finished', class: { system: v3, code: cls }, subject: { reference: 'Patient/p1' }, period: { start, end }, meta: { source: `urn:longitude:channel/adt#${id}` }, ...extra };
}

function appointment(id: string, start: string, status: Appointment['status'] = 'booked'): Appointment {
  return { resourceType: 'Appointment', id, status, start, participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }], meta: { source: `urn:longitude:channel/scheduling#${id}` } };
}

const stay = encounter('ip1', 'IMP', '2026-06-01T08:00:00Z', '2026-06-05T12:00:00Z');
const run = (asOf: string, resources: Resource[]) =>
  dischargeWithoutFollowUp.detect(personRecordOf('p1', ['p1'], [patient, ...resources]), { asOf: new Date(asOf), services: {} }) as Finding[];

describe('discharge-without-follow-up', () => {
  test('two days after discharge with nothing booked: the 7-day finding, due on day 7, naming the source', () => {
    const findings = run('2026-06-07T00:00:00Z', [stay]);
    assert.deepEqual(findings.map((f) => [f.key, f.priority, f.dueBy]), [['7d|Encounter/ip1', 'high', '2026-06-12']]);
    assert.match(findings[0]!.title, /no follow-up booked within 7 days/);
    assert.equal(findings[0]!.evidence[0]!.sourceSystem, 'adt');
  });

  test('a booked appointment on day 6 (any source) or a clinic visit on day 3 is follow-up', () => {
    assert.deepEqual(run('2026-06-07T00:00:00Z', [stay, appointment('a1', '2026-06-11T09:00:00Z')]), []);
    assert.deepEqual(run('2026-07-20T00:00:00Z', [stay, encounter('amb', 'AMB', '2026-06-08T09:00:00Z', '2026-06-08T09:30:00Z')]), []);
  });

  test('a screening mammogram or a blood draw the next day is a test, not follow-up with a clinician', () => {
    // As the hospital sends them: PV1-10 hospital service RAD; an SIU booked in the radiology department.
    const radiology = encounter('rad', 'AMB', '2026-06-06T11:00:00Z', '2026-06-06T11:30:00Z', { serviceType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0069', code: 'RAD' }] } });
    const mammogram: Appointment = { ...appointment('a2', '2026-06-08T11:00:00Z'), appointmentType: { text: 'Screening mammography' } };
    const atTheLab: Appointment = { ...appointment('a3', '2026-06-09T08:00:00Z'), participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }, { actor: { type: 'Location', display: 'GENHOSP / LAB' }, status: 'accepted' }] };
    assert.deepEqual(run('2026-06-07T00:00:00Z', [stay, radiology, mammogram, atTheLab]).map((f) => f.key), ['7d|Encounter/ip1']);
    const cardiology = encounter('card', 'AMB', '2026-06-06T11:00:00Z', '2026-06-06T11:30:00Z', { serviceType: { coding: [{ code: 'CAR' }] }, location: [{ location: { display: 'GENHOSP / CARDIO CLINIC' } }] });
    assert.deepEqual(run('2026-06-07T00:00:00Z', [stay, cardiology]), [], 'a clinic of another service is follow-up');
  });

  test('a cancelled appointment does not count; a visit on day 20 clears only the 30-day variant', () => {
    assert.equal(run('2026-06-07T00:00:00Z', [stay, appointment('a1', '2026-06-09T09:00:00Z', 'cancelled')]).length, 1);
    const late = run('2026-06-30T00:00:00Z', [stay, encounter('amb', 'AMB', '2026-06-25T09:00:00Z', '2026-06-25T09:30:00Z')]);
    assert.deepEqual(late.map((f) => f.key), ['7d|Encounter/ip1']);
    assert.match(late[0]!.title, /no follow-up within 7 days/);
  });

  test('after the 7-day window with no follow-up at all, the 30-day variant is raised too', () => {
    assert.deepEqual(run('2026-06-20T00:00:00Z', [stay]).map((f) => f.key), ['7d|Encounter/ip1', '30d|Encounter/ip1']);
  });

  test('death, transfer to a hospital, a readmission inside the window, an unfinished stay and stays over a year old are left out', () => {
    const died = encounter('ip2', 'IMP', '2026-06-01', '2026-06-05', { hospitalization: { dischargeDisposition: { coding: [{ code: 'exp' }] } } });
    assert.deepEqual(run('2026-06-07T00:00:00Z', [died]), []);
    // HL7 v2 PV1-36 sends NUBC status 20 (expired); a death date on the Patient (PID-29) counts too.
    const expiredV2 = encounter('ip4', 'IMP', '2026-06-01', '2026-06-05', { hospitalization: { dischargeDisposition: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0112', code: '20' }] } } });
    assert.deepEqual(run('2026-06-20T00:00:00Z', [expiredV2]), []);
    const deceased = dischargeWithoutFollowUp.detect(personRecordOf('p1', ['p1'], [{ ...patient, deceasedDateTime: '2026-06-09' }, stay]), { asOf: new Date('2026-06-20T00:00:00Z'), services: {} });
    assert.deepEqual(deceased, []);
    const readmitted = encounter('ip3', 'IMP', '2026-06-09T08:00:00Z', '2026-06-15T08:00:00Z');
    assert.deepEqual(run('2026-06-16T00:00:00Z', [stay, readmitted]).map((f) => f.key), ['7d|Encounter/ip3']);
    assert.deepEqual(run('2026-06-07T00:00:00Z', [{ ...stay, status: 'in-progress' }]), []);
    assert.deepEqual(run('2026-12-01T00:00:00Z', [stay]).map((f) => f.key), ['7d|Encounter/ip1', '30d|Encounter/ip1'], 'six months on: still raised');
    assert.deepEqual(run('2027-06-10T00:00:00Z', [stay]), []);
  });

  test('the window is calendar days as the source dated them: a visit later in the day on day 7 is follow-up, day 8 is not', () => {
    // Discharged at 07:54 in the hospital's zone (12:54Z); the follow-up at 13:32Z on day 7 is
    // more than 168 hours later, and still "within 7 days after discharge" (HEDIS, CMS TCM).
    const morning = encounter('ip5', 'IMP', '2026-11-26T02:38:00-05:00', '2026-12-02T07:54:00-05:00');
    assert.deepEqual(run('2026-12-31T00:00:00Z', [morning, encounter('amb', 'AMB', '2026-12-09T13:32:00Z', '2026-12-09T13:52:00Z')]).map((f) => f.key), []);
    assert.deepEqual(run('2026-12-31T00:00:00Z', [morning, encounter('amb', 'AMB', '2026-12-10T08:00:00Z', '2026-12-10T08:20:00Z')]).map((f) => f.key), ['7d|Encounter/ip5']);
    // An evening discharge is due 7 days after its own date, not after the UTC date it falls on.
    const evening = encounter('ip6', 'IMP', '2026-11-26T02:38:00-05:00', '2026-12-02T21:30:00-05:00');
    assert.deepEqual(run('2026-12-04T12:00:00Z', [evening]).map((f) => [f.key, f.dueBy]), [['7d|Encounter/ip6', '2026-12-09']]);
  });
});
