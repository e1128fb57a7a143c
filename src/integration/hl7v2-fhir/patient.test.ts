import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Patient } from '@medplum/fhirtypes';
import { HandlerError } from '../message-store/message-processor.ts';
import { hl7, mapped, msh, only } from './test-fixtures.ts';

const PID =
  'PID|1||MRN-77^^^HOSP&2.16.840.1.113883.19.5&ISO^MR~123-45-6789^^^USSSA^SS||Okafor^Ada^Ngozi^Jr^Dr^^L^^^^^^^^Ada-O~Okafor^Ada^^^^^M|Eze^Chioma|198808181126+0215|F||2106-3^White^CDCREC|12 Elm St^Apt 3^Springfield^IL^62701^USA^H^^Sangamon||^PRN^PH^^1^217^5550101~^NET^Internet^ada@example.org|^WPN^PH^^^217^5550199|eng^English^ISO639|M^Married^HL70002||||||N^Not Hispanic^CDCREC||Y|2|||||N';

describe('PID → Patient', () => {
  test('names, birth, sex, address, telecom, identifiers, as the PID[Patient] map says', () => {
    const patient = only<Patient>(mapped(hl7(msh('ADT^A08'), 'EVN|A08', PID, 'PV1|1|N')), 'Patient');
    assert.deepEqual(patient.name, [
      { use: 'official', family: 'Okafor', given: ['Ada', 'Ngozi'], prefix: ['Dr'], suffix: ['Jr'] },
      { use: 'nickname', given: ['Ada-O'] },
      { use: 'maiden', family: 'Okafor', given: ['Ada'] },
    ]);
    assert.equal(patient.birthDate, '1988-08-18');
    const birth = (patient as Patient & { _birthDate?: { extension?: { valueDateTime?: string }[] } })._birthDate;
    assert.equal(birth?.extension?.[0]?.valueDateTime, '1988-08-18T11:26:00+02:15', 'PID-7 had a time: birthTime extension');
    assert.equal(patient.gender, 'female');
    assert.deepEqual(patient.address, [
      { use: 'home', line: ['12 Elm St', 'Apt 3'], city: 'Springfield', district: 'Sangamon', state: 'IL', postalCode: '62701', country: 'USA' },
    ]);
    assert.deepEqual(patient.telecom, [
      { system: 'phone', value: '+1 217 5550101', use: 'home' },
      { system: 'email', value: 'ada@example.org', use: 'home' },
      { system: 'phone', value: '217 5550199', use: 'work' },
    ]);
    assert.deepEqual(
      patient.identifier?.map((i) => [i.system, i.value]),
      [
        ['urn:oid:2.16.840.1.113883.19.5', 'MRN-77'],
        ['urn:longitude:hl7:authority:usssa', '123-45-6789'],
      ],
    );
    assert.equal(patient.maritalStatus?.coding?.[0]?.code, 'M');
    assert.equal(patient.multipleBirthInteger, 2);
    assert.equal(patient.deceasedBoolean, false);
    assert.equal(patient.communication?.[0]?.language.coding?.[0]?.code, 'eng');
    assert.deepEqual(patient.extension?.map((e) => e.url).sort(), [
      'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName',
      'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity',
      'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
    ]);
  });

  test('an ADT upserts the Patient by its first PID-3 identifier; a lab result upserts it when its PID has an address, else only ensures it', () => {
    const adt = mapped(hl7(msh('ADT^A08'), PID));
    const patientEntry = adt.entry!.find((e) => e.resource?.resourceType === 'Patient')!;
    const byKey = `Patient?identifier=${encodeURIComponent('urn:oid:2.16.840.1.113883.19.5|MRN-77')}`;
    assert.deepEqual(patientEntry.request, { method: 'PUT', url: byKey });
    const results = ['OBR|1||F1|718-7^Hgb^LN', 'OBX|1|NM|718-7^Hgb^LN||13|g/dL'];
    const oru = mapped(hl7(msh('ORU^R01'), PID, ...results));
    const patients = oru.entry!.filter((e) => e.resource?.resourceType === 'Patient');
    assert.deepEqual(patients.map((e) => e.request), [{ method: 'PUT', url: byKey }], 'one Patient entry, upserted: the sender\'s current demographics');
    const thin = mapped(hl7(msh('ORU^R01'), 'PID|1||MRN-77^^^HOSP&2.16.840.1.113883.19.5&ISO^MR||Okafor^Ada', ...results));
    const ensured = thin.entry!.find((e) => e.resource?.resourceType === 'Patient')!;
    assert.equal(ensured.request?.method, 'POST');
    assert.equal(ensured.request?.ifNoneExist, `identifier=${encodeURIComponent('urn:oid:2.16.840.1.113883.19.5|MRN-77')}`);
    const encounter = oru.entry!.find((e) => e.resource?.resourceType === 'Encounter');
    assert.ok(!encounter || encounter.request?.method === 'POST', 'the visit a result names stays ensured');
  });

  test('a PID without an identifier, or with a date that is not one, is a mapping error naming the field', () => {
    assert.throws(
      () => mapped(hl7(msh('ADT^A01'), 'PID|1||||Doe^Jane')),
      (err: unknown) => err instanceof HandlerError && err.detail.code === 'missing-patient-identifier' && err.detail.element === 'PID-3',
    );
    assert.throws(
      () => mapped(hl7(msh('ADT^A01'), 'PID|1||X1^^^H||Doe^Jane||19801332')),
      (err: unknown) => err instanceof HandlerError && err.detail.code === 'invalid-date' && err.detail.element === 'PID-7',
    );
  });
});
