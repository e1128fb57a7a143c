import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MedicationRequest } from '@medplum/fhirtypes';
import { fields, hl7, mapped, msh, resourcesOf } from './test-fixtures.ts';

const PID = 'PID|1||MRN-1^^^HOSP^MR||Doe^Jane||19700101|F';

describe('RDE^O11: ORC + RXE → MedicationRequest', () => {
  const bundle = mapped(
    hl7(
      msh('RDE^O11'),
      PID,
      fields('ORC', { 1: 'NW', 2: '1163422591^EPC', 9: '20191104062726+0215', 12: '1542^Yardy^Sam' }),
      'TQ1|1||TID^Three times a day^HL70335',
      'RXO|00047040230^Ampicillin 250 mg caps^NDC|2||caps',
      fields('RXE', { 2: '0143963401^Nicardipine 40 MG/200 ML^NDC', 3: '5', 4: '15', 5: 'mg/h^mg/h^UCUM', 7: '^Titrate to BP less than 180', 9: 'N', 10: '4', 11: 'BAG^Bag^L', 12: '12', 15: 'PN15' }),
      'RXR|IV^Intravenous^HL70162|LA^Left arm^HL70550',
      fields('ORC', { 1: 'DC', 2: '1422591^EPC' }),
      fields('RXE', { 2: '2669^Ampicillin^NDC' }),
    ),
  );
  const [first, second] = resourcesOf<MedicationRequest>(bundle, 'MedicationRequest');

  test('medication, dose range, instructions, route, dispense, refills, substitution, requester', () => {
    assert.equal(first!.status, 'active');
    assert.equal(first!.intent, 'filler-order');
    assert.equal(first!.medicationCodeableConcept?.coding?.[0]?.code, '0143963401');
    assert.deepEqual(first!.identifier?.map((i) => i.value), ['1163422591', 'PN15']);
    assert.equal(first!.authoredOn, '2019-11-04T06:27:26+02:15');
    assert.equal(first!.requester?.display, 'Sam Yardy');
    const dose = first!.dosageInstruction?.[0];
    assert.equal(dose?.text, 'Titrate to BP less than 180');
    assert.equal(dose?.timing?.code?.text, 'TID');
    assert.equal(dose?.route?.coding?.[0]?.code, 'IV');
    assert.deepEqual(dose?.doseAndRate?.[0]?.doseRange?.high, { value: 15, unit: 'mg/h', system: 'http://unitsofmeasure.org', code: 'mg/h' });
    assert.deepEqual(first!.dispenseRequest, { numberOfRepeatsAllowed: 12, quantity: { value: 4, unit: 'Bag', system: 'urn:longitude:hl7:codesystem:L', code: 'BAG' } });
    assert.deepEqual(first!.substitution, { allowedBoolean: false });
  });

  test('each ORC/RXE is its own order, keyed by its placer number; ORC-1 DC stops it', () => {
    assert.equal(second!.status, 'stopped');
    const urls = bundle.entry!.filter((e) => e.resource?.resourceType === 'MedicationRequest').map((e) => e.request?.url);
    assert.equal(new Set(urls).size, 2);
  });
});
