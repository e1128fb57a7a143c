import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Patient } from '@medplum/fhirtypes';
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
  meta: { lastUpdated: '2025-06-01T00:00:00Z', source: 'urn:longitude:channel/crm#1' },
  telecom: [
    { system: 'phone', value: '+1 555 010 0199', extension: [{ url: CONTACT_VERIFIED_EXTENSION, valueDateTime: '2025-06-01' }] },
    { system: 'email', value: 'pat@example.org' },
  ],
  address: [{ line: ['1 Old Road'], city: 'Springfield', state: 'IL', postalCode: '62701-1234' }],
};

describe('contact-drift', () => {
  test('a mobile number is compared with mobile numbers only: a home phone is not outdated by a newer mobile', () => {
    const home: Patient = { ...ehr, telecom: [{ system: 'phone', use: 'home', value: '555-010-0100' }] };
    const mobile: Patient = { ...crm, telecom: [{ system: 'phone', use: 'mobile', value: '555-010-0199' }] };
    assert.deepEqual(contactDriftKind.detect(personRecordOf('ehr-1', ['ehr-1', 'crm-1'], [home, mobile]), { asOf, services: {} }), []);
    const oldMobile: Patient = { ...ehr, telecom: [{ system: 'phone', use: 'mobile', value: '555-010-0100' }] };
    const findings = contactDriftKind.detect(personRecordOf('ehr-1', ['ehr-1', 'crm-1'], [oldMobile, mobile]), { asOf, services: {} }) as Finding[];
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
});
