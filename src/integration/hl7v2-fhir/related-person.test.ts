import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RelatedPerson } from '@medplum/fhirtypes';
import { fields, hl7, mapped, msh, resourcesOf } from './test-fixtures.ts';

describe('NK1 → RelatedPerson; PID-21 → the mother', () => {
  const bundle = mapped(
    hl7(
      msh('ADT^A04'),
      fields('PID', { 1: '1', 3: 'MRN-1^^^HOSP^MR', 5: 'Doe^Baby', 7: '20240101', 21: 'MRN-0^^^HOSP^MR' }),
      fields('NK1', { 1: '1', 2: 'Doe^Mary', 3: 'MTH^Mother^HL70063', 4: '1 Main St^^Springfield^IL^62701', 5: '^PRN^PH^^^217^5550100', 7: 'C^Emergency Contact^HL70131', 15: 'F', 16: '19900101' }),
      fields('NK1', { 1: '2', 2: 'Doe^John', 3: 'FTH^Father^HL70063' }),
    ),
  );
  const people = resourcesOf<RelatedPerson>(bundle, 'RelatedPerson');

  test('name, relationship (v3 RoleCode and the contact role), address, phone, sex, birth date', () => {
    const mother = people[0]!;
    assert.deepEqual(mother.name, [{ family: 'Doe', given: ['Mary'] }]);
    assert.deepEqual(
      mother.relationship?.map((r) => r.coding?.[0]?.code),
      ['MTH', 'C'],
    );
    assert.equal(mother.relationship?.[0]?.coding?.[0]?.system, 'http://terminology.hl7.org/CodeSystem/v3-RoleCode');
    assert.deepEqual(mother.telecom, [{ system: 'phone', value: '217 5550100', use: 'home' }]);
    assert.equal(mother.gender, 'female');
    assert.equal(mother.birthDate, '1990-01-01');
    assert.equal(mother.address?.[0]?.city, 'Springfield');
  });

  test('each NK1 is keyed by the patient and its set id, so an A08 resending it updates it', () => {
    const urls = bundle.entry!.filter((e) => e.resource?.resourceType === 'RelatedPerson').map((e) => decodeURIComponent(e.request!.url));
    assert.deepEqual(urls, [
      'RelatedPerson?identifier=urn:longitude:hl7-key:lab.hosp:nk1|MRN-1.1',
      'RelatedPerson?identifier=urn:longitude:hl7-key:lab.hosp:nk1|MRN-1.2',
      'RelatedPerson?identifier=urn:longitude:hl7:authority:hosp|MRN-0',
    ]);
    assert.equal(people[2]!.relationship?.[0]?.coding?.[0]?.code, 'MTH', 'PID-21 is the mother');
  });
});
