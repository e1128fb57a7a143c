import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Patient } from '@medplum/fhirtypes';
import { clinicPatient, crmPatient, fixturePeople, payerPatient } from './identity-fixtures.ts';
import { changedElements, loadSurvivorshipRules, surviveGoldenRecord, type SurvivorSource } from './survivorship.ts';

const rules = loadSurvivorshipRules();
const [person] = fixturePeople(2);
const src = (p: Patient, lastUpdated = '2026-01-01T00:00:00Z'): SurvivorSource => ({ ref: `Patient/${p.id}`, patient: { ...p, meta: { ...p.meta, lastUpdated } } });
const clinic = src(clinicPatient(person!));
const payer = src(payerPatient(person!));
const crm = src(crmPatient(person!, 1));

describe('surviveGoldenRecord', () => {
  test('each element comes from the source the rules trust for it, and says so', () => {
    const { patient, provenance } = surviveGoldenRecord([clinic, payer, crm], rules);
    // Legal name: enrollment outranks the EHR and the CRM (which holds a nickname).
    assert.deepEqual(patient.name, payer.patient.name);
    assert.deepEqual(provenance.name, { source: 'payer-enrollment', rule: 'authority', sourceRecord: payer.ref });
    // Contact: the CRM's phones (mobile first) and e-mail.
    assert.deepEqual(patient.telecom?.map((t) => t.value), crm.patient.telecom?.map((t) => t.value));
    assert.equal(provenance.phone?.rule, 'authority');
    assert.equal(provenance.email?.sourceRecord, crm.ref);
    // Clinical details: marital status only the EHR has.
    assert.equal(provenance.maritalStatus?.sourceRecord, clinic.ref);
    // Identifiers: the union of every source's.
    assert.equal(patient.identifier?.length, 3);
    assert.deepEqual(provenance.identifier?.sourceRecords, [clinic.ref, crm.ref, payer.ref].sort());
  });

  test('birth date: the value most sources hold wins over authority', () => {
    const typo = src({ ...payer.patient, birthDate: '1901-01-01' });
    const { patient, provenance } = surviveGoldenRecord([clinic, typo, crm], rules);
    assert.equal(patient.birthDate, clinic.patient.birthDate);
    assert.equal(provenance.birthDate?.rule, 'most-frequent');
  });

  test('a source that does not know the sex (PID-8 U) does not outvote one that does', () => {
    const lab = src({ ...clinic.patient, id: 'lab', gender: 'unknown', maritalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor', code: 'UNK' }] } }, '2026-09-01T00:00:00Z');
    const { patient, provenance } = surviveGoldenRecord([clinic, lab], rules);
    assert.equal(patient.gender, clinic.patient.gender);
    assert.equal(provenance.gender?.sourceRecord, clinic.ref);
    assert.deepEqual(patient.maritalStatus, clinic.patient.maritalStatus);
    assert.equal(surviveGoldenRecord([lab], rules).patient.gender, 'unknown', 'when nobody knows, unknown it is');
  });

  test('two sources of one kind: the more recent one wins', () => {
    const older = src({ ...crm.patient, id: 'crm-old', telecom: [{ system: 'phone', value: '(217) 555-0000' }] }, '2025-03-01T00:00:00Z');
    const newer = src({ ...crm.patient, id: 'crm-new', telecom: [{ system: 'phone', value: '(217) 555-9999' }] }, '2026-06-01T00:00:00Z');
    const { patient, provenance } = surviveGoldenRecord([older, newer, clinic], rules);
    assert.deepEqual(patient.telecom?.map((t) => t.value), ['(217) 555-9999']);
    assert.deepEqual(provenance.phone, { source: 'crm', rule: 'recency', sourceRecord: 'Patient/crm-new' });
  });

  test('a verified value outranks a more trusted source', () => {
    const verifiedPhone = { system: 'phone' as const, value: '(217) 555-4242', extension: [{ url: 'urn:longitude:identity:verified', valueBoolean: true }] };
    const clinicVerified = src({ ...clinic.patient, telecom: [verifiedPhone] });
    const { patient, provenance } = surviveGoldenRecord([clinicVerified, payer, crm], rules);
    assert.deepEqual(patient.telecom?.filter((t) => t.system === 'phone').map((t) => t.value), ['(217) 555-4242']);
    assert.deepEqual(provenance.phone, { source: 'ehr-clinic', rule: 'verified', sourceRecord: clinic.ref });
  });

  test('ended values are not current and do not survive', () => {
    const moved = src({ ...payer.patient, address: [{ ...payer.patient.address![0]!, period: { end: '2024-01-01' } }] });
    const { provenance } = surviveGoldenRecord([clinic, moved], rules);
    assert.equal(provenance.address?.sourceRecord, clinic.ref);
  });

  test('the same sources in any order give the same golden record', () => {
    const orders = [[clinic, payer, crm], [crm, clinic, payer], [payer, crm, clinic]];
    const results = orders.map((o) => JSON.stringify(surviveGoldenRecord(o, rules)));
    assert.equal(new Set(results).size, 1);
  });

  test('changedElements names what differs between two golden records', () => {
    const before = surviveGoldenRecord([clinic, payer, crm], rules).patient;
    const newPhone = src({ ...crm.patient, telecom: [{ system: 'phone', value: '(217) 555-7777' }, { system: 'email', value: 'x@example.org' }] });
    const after = surviveGoldenRecord([clinic, payer, newPhone], rules).patient;
    assert.deepEqual(changedElements(before, after), ['phone', 'email']);
    assert.deepEqual(changedElements(before, before), []);
  });
});
