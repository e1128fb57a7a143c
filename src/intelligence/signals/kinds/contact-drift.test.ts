import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Patient, Provenance } from '@medplum/fhirtypes';
import { personRecordOf } from '../person-record.ts';
import type { Finding } from '../signal.ts';
import { CONTACT_VERIFIED_EXTENSION, contactDrift, contactDriftKind, mostRecentContact, normalizePhone } from './contact-drift.ts';

const asOf = new Date('2026-06-30T00:00:00Z');
const ehr: Patient = {
  resourceType: 'Patient',
  id: 'ehr-1',
  meta: { lastUpdated: '2023-01-05T00:00:00Z', source: 'urn:longitude:channel/ehr#1' },
  telecom: [
    { system: 'phone', value: '(555) 010-0100', period: { start: '2021-03-01' } },
    { system: 'phone', value: '555-010-0000', use: 'old' },
    { system: 'email', value: 'Pat@Example.org' },
  ],
  address: [{ line: ['1 Old Road'], city: 'Springfield', state: 'IL', postalCode: '62701' }],
};
const crm: Patient = {
  resourceType: 'Patient',
  id: 'crm-1',
  meta: { lastUpdated: '2025-06-01T00:00:00Z', source: 'urn:longitude:channel/crm#2' },
  telecom: [
    { system: 'phone', value: '+1 555 010 0199', extension: [{ url: CONTACT_VERIFIED_EXTENSION, valueDateTime: '2025-06-01' }] },
    { system: 'email', value: 'pat@example.org' },
  ],
  address: [{ line: ['1 Old Road'], city: 'Springfield', state: 'IL', postalCode: '62701-1234' }],
};

/** The Provenance the integration layer writes for the message (or row) that wrote a Patient. */
function provenance(patient: Patient, source: string, message: string, occurred: string): Provenance {
  return {
    resourceType: 'Provenance', id: `prov-${message}`, target: [{ reference: `Patient/${patient.id}` }], recorded: '2026-06-29T10:00:00Z', occurredDateTime: occurred,
    agent: [{ who: { identifier: { system: 'urn:longitude:source-system', value: source } } }],
    entity: [{ role: 'source', what: { identifier: { system: 'urn:longitude:message-store', value: message } } }],
  };
}
/** Each silo's Patient with the Provenance of the message that wrote it: the clinic's sent in 2023, the CRM's row updated in June 2025. */
const dated = (patients: Patient[]) => patients.flatMap((p) => [p, provenance(p, p.id!.split('-')[0]!, p.meta!.source!.split('#')[1]!, p.id === 'ehr-1' ? '2023-01-05T00:00:00Z' : '2025-06-01T00:00:00Z')]);

describe('contact-drift', () => {
  test('a mobile number is compared with mobile numbers only: a home phone is not outdated by a newer mobile', () => {
    const home: Patient = { ...ehr, telecom: [{ system: 'phone', use: 'home', value: '555-010-0100' }] };
    const mobile: Patient = { ...crm, telecom: [{ system: 'phone', use: 'mobile', value: '555-010-0199' }] };
    assert.deepEqual(contactDriftKind.detect(personRecordOf('ehr-1', ['ehr-1', 'crm-1'], [home, mobile]), { asOf, services: {} }), []);
    const oldMobile: Patient = { ...ehr, telecom: [{ system: 'phone', use: 'mobile', value: '555-010-0100' }] };
    const findings = contactDriftKind.detect(personRecordOf('ehr-1', ['ehr-1', 'crm-1'], dated([oldMobile, mobile])), { asOf, services: {} }) as Finding[];
    assert.deepEqual(findings.map((f) => f.key), ['mobile|Patient/ehr-1']);
    assert.match(findings[0]!.title, /outdated mobile phone/);
  });

  test('the silo with the older phone is named, with since when it is out of date; equal emails and addresses are not drift', () => {
    const person = personRecordOf('ehr-1', ['ehr-1', 'crm-1'], [ehr, crm]);
    const findings = contactDriftKind.detect(person, { asOf, services: {} }) as Finding[];
    assert.deepEqual(findings.map((f) => f.key), ['phone|Patient/ehr-1']);
    assert.match(findings[0]!.title, /^ehr holds an outdated phone \(out of date since 2025-06-01\)/);
    assert.match(findings[0]!.explanation, /"\(555\) 010-0100" \(dated 2021-03-01\).*"\+1 555 010 0199", from crm/);
    assert.deepEqual(findings[0]!.evidence.map((e) => e.sourceSystem), ['ehr', 'crm']);
  });

  test('a golden record’s current contact plugs in: then every silo disagreeing with it drifts', () => {
    const person = personRecordOf('g1', ['ehr-1', 'crm-1'], [ehr, crm]);
    const current = { email: { display: 'new@example.org', normalized: 'new@example.org', source: 'golden', reference: 'Person/g1', since: '2026-01-01' } };
    assert.deepEqual(contactDrift(person, current, asOf).map((f) => f.key), ['email|Patient/ehr-1', 'email|Patient/crm-1']);
  });

  test('one Patient alone, or a silo without a value, has no drift; ended values are history', () => {
    assert.deepEqual(contactDriftKind.detect(personRecordOf('ehr-1', ['ehr-1'], [ehr]), { asOf, services: {} }), []);
    const noPhone: Patient = { ...crm, telecom: [] };
    assert.deepEqual(contactDriftKind.detect(personRecordOf('x', ['ehr-1', 'crm-1'], [ehr, noPhone]), { asOf, services: {} }), []);
    assert.equal(mostRecentContact(personRecordOf('x', ['ehr-1'], [ehr]), asOf).phone?.display, '(555) 010-0100');
    assert.equal(normalizePhone('+1 (555) 010-0199'), normalizePhone('555.010.0199'));
  });

  describe('which value is current when the silos disagree after a move', () => {
    const oldHome = { use: 'home' as const, line: ['1 Old Road'], city: 'Springfield', state: 'IL', postalCode: '62701' };
    const newHome = { use: 'home' as const, line: ['9 New Street'], city: 'Springfield', state: 'IL', postalCode: '62704' };
    const fed = (id: string, channel: string, message: string, address: Patient['address']): Patient =>
      ({ resourceType: 'Patient', id, meta: { lastUpdated: '2026-06-29T10:00:00Z', source: `urn:longitude:channel/${channel}#${message}` }, address });
    const detect = (resources: (Patient | Provenance)[]) =>
      (contactDriftKind.detect(personRecordOf('p', ['hosp', 'payer', 'clinic'], resources), { asOf, services: {} }) as Finding[]).map((f) => f.key);

    test('dated by when the source sent it (MSH-7 of the message that wrote it), not when it was loaded', () => {
      // The hospital's A08 of 2026-05-20 wrote the new address; the payer's extract, loaded
      // after it, gives no date of its own and still has the old one.
      const hosp = fed('hosp', 'hl7:adt', '11', [newHome]);
      const payer = { ...fed('payer', 'csv:payer', '12', [oldHome]), meta: { lastUpdated: '2026-06-29T11:00:00Z', source: 'urn:longitude:channel/csv:payer#12' } };
      const resources = [hosp, provenance(hosp, 'HOSP_ADT', '11', '2026-05-20T10:00:00-05:00'), payer, provenance(payer, 'payer', '12', '')];
      assert.deepEqual(detect(resources), ['address|Patient/payer']);
      const person = personRecordOf('p', ['hosp', 'payer'], resources);
      assert.equal(mostRecentContact(person, asOf).address?.since, '2026-05-20T10:00:00-05:00');
      // A later results message only ensured the Patient: its date is not the address's.
      const oru = { ...provenance(hosp, 'HOSP_ADT', '13', '2026-06-01T08:00:00-05:00'), id: 'prov-oru' };
      assert.equal(mostRecentContact(personRecordOf('p', ['hosp', 'payer'], [...resources, oru]), asOf).address?.since, '2026-05-20T10:00:00-05:00');
    });

    test('an address a source records as ended is not current, however recently another silo sent it', () => {
      // The clinic moved the old address to `use: old` on 2026-04-02; the hospital, which never
      // heard of the move, sent it again in June.
      const clinic = fed('clinic', 'fhir:ehr', '21', [newHome, { ...oldHome, use: 'old', period: { end: '2026-04-02' } }]);
      const hosp = fed('hosp', 'hl7:adt', '22', [oldHome]);
      const resources = [clinic, provenance(clinic, 'ehr', '21', ''), hosp, provenance(hosp, 'HOSP_ADT', '22', '2026-06-10T09:00:00-05:00')];
      assert.deepEqual(detect(resources), ['address|Patient/hosp']);
      const current = mostRecentContact(personRecordOf('p', ['hosp', 'clinic'], resources), asOf).address;
      assert.deepEqual([current?.reference, current?.since], ['Patient/clinic', '2026-04-02'], 'held since the old one ended');
    });

    test('a golden Patient is a summary of the sources: neither compared nor current', () => {
      const hosp = fed('hosp', 'hl7:adt', '31', [newHome]);
      const payer = fed('payer', 'csv:payer', '32', [oldHome]);
      const golden: Patient = { resourceType: 'Patient', id: 'g', meta: { lastUpdated: '2026-06-30T00:00:00Z', tag: [{ system: 'urn:longitude:identity', code: 'golden' }] }, address: [oldHome] };
      const resources = [hosp, provenance(hosp, 'HOSP_ADT', '31', '2026-05-20T10:00:00-05:00'), payer, provenance(payer, 'payer', '32', ''), golden];
      assert.deepEqual(detect(resources), ['address|Patient/payer']);
    });
  });
});
