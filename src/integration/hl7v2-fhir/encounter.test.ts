import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Encounter } from '@medplum/fhirtypes';
import { fields, hl7, mapped, msh, only, resourcesOf } from './test-fixtures.ts';

const PID = 'PID|1||MRN-1^^^HOSP^MR||Doe^Jane||19700101|F';

function encounterOf(type: string, pv1: string, pv2?: string): Encounter {
  return only<Encounter>(mapped(hl7(msh(type), PID, pv1, ...(pv2 ? [pv2] : []))), 'Encounter');
}

describe('PV1 → Encounter', () => {
  test('status follows the trigger where it changes the visit (IG Event[EncounterStatus])', () => {
    const pv1 = fields('PV1', { 2: 'I', 3: 'W1^101^A', 19: 'V100^^^HOSP^VN', 44: '20240301080000+0100', 45: '20240305120000+0100' });
    assert.equal(encounterOf('ADT^A01', pv1).status, 'in-progress');
    assert.equal(encounterOf('ADT^A02', pv1).status, 'in-progress');
    assert.equal(encounterOf('ADT^A03', pv1).status, 'finished');
    assert.equal(encounterOf('ADT^A04', pv1).status, 'planned');
    assert.equal(encounterOf('ADT^A05', pv1).status, 'planned');
    assert.equal(encounterOf('ADT^A11', pv1).status, 'cancelled');
    const reopened = encounterOf('ADT^A13', pv1);
    assert.equal(reopened.status, 'in-progress');
    assert.deepEqual(reopened.period, { start: '2024-03-01T08:00:00+01:00' }, 'A13 cancels the discharge: no end');
  });

  test('elsewhere PV1 says it: a discharge time means finished, else the patient class (PatientClass[EncounterStatus])', () => {
    assert.equal(encounterOf('ADT^A08', fields('PV1', { 2: 'I', 19: 'V1', 44: '20240301', 45: '20240302' })).status, 'finished');
    assert.equal(encounterOf('ADT^A08', fields('PV1', { 2: 'P', 19: 'V1' })).status, 'planned');
    assert.equal(encounterOf('ORU^R01', fields('PV1', { 2: 'E', 19: 'V1' })).status, 'in-progress');
    assert.equal(encounterOf('ADT^A08', fields('PV1', { 2: 'U', 19: 'V1' })).status, 'unknown');
  });

  test('class, type, participants, visit number, locations and the PV2 planned dates', () => {
    const encounter = encounterOf(
      'ADT^A01',
      fields('PV1', {
        2: 'E',
        3: 'ER^12^B^MAIN',
        7: '1234^Welby^Marcus^^^Dr^^^NPI&2.16.840.1.113883.4.6&ISO',
        8: '5678^Referer^Ruth',
        14: '7^Physician referral^HL70023',
        17: '9999^Admit^Amy',
        19: 'V555^^^HOSP^VN',
        44: '20240301080000',
      }),
      fields('PV2', { 3: 'R07.9^Chest pain^I10', 8: '20240301070000', 9: '20240303' }),
    );
    assert.deepEqual(encounter.class, { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER', display: 'emergency' });
    assert.deepEqual(encounter.identifier, [
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'VN' }] }, system: 'urn:longitude:hl7:authority:hosp', value: 'V555', assigner: { display: 'HOSP' } },
    ]);
    assert.deepEqual(
      encounter.participant?.map((p) => [p.type?.[0]?.coding?.[0]?.code, p.individual?.display, p.individual?.identifier?.system]),
      [
        ['ATND', 'Dr Marcus Welby', 'urn:oid:2.16.840.1.113883.4.6'],
        ['REF', 'Ruth Referer', undefined],
        ['ADM', 'Amy Admit', undefined],
      ],
    );
    assert.deepEqual(encounter.location, [{ location: { display: 'MAIN / ER / 12 / B' }, status: 'active' }]);
    assert.equal(encounter.hospitalization?.admitSource?.coding?.[0]?.code, '7');
    assert.equal(encounter.reasonCode?.[0]?.coding?.[0]?.code, 'R07.9');
    assert.equal(encounter.period?.start, '2024-03-01T08:00:00+01:00', 'no offset: MSH-7 gives +01:00');
    assert.deepEqual(
      encounter.extension?.map((e) => e.valueDateTime),
      ['2024-03-01T07:00:00+01:00', '2024-03-03'],
      'PV2-8/9 are planned dates, not the period',
    );
  });

  test('no PV1, or patient class N (A28/A31 say "no visit" that way): no Encounter', () => {
    assert.equal(resourcesOf(mapped(hl7(msh('ADT^A28'), PID, 'PV1|1|N')), 'Encounter').length, 0);
    assert.equal(resourcesOf(mapped(hl7(msh('ADT^A31'), PID)), 'Encounter').length, 0);
  });
});
