import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Immunization, Observation } from '@medplum/fhirtypes';
import { HandlerError } from '../message-store/message-processor.ts';
import { fields, hl7, mapped, msh, resourcesOf } from './test-fixtures.ts';

const PID = 'PID|1||90012^^^NIST-MPI-1^MR||Wong^Elise||19830615|F';

describe('VXU^V04: ORC + RXA + RXR → Immunization', () => {
  const bundle = mapped(
    hl7(
      msh('VXU^V04'),
      PID,
      fields('ORC', { 1: 'RE', 2: '4422^NIST-AA-IZ-2', 3: '13696^NIST-AA-IZ-2', 12: '654^Thomas^Wilma' }),
      fields('RXA', { 1: '0', 2: '1', 3: '20150624', 5: '49281-0215-88^TENIVAC^NDC', 6: '0.5', 7: 'mL^mL^UCUM', 9: '00^New Record^NIP001', 10: '7824^Jackson^Lily', 15: '315841', 16: '20151216', 17: 'PMC^Sanofi Pasteur^MVX', 20: 'CP', 21: 'A' }),
      'RXR|C28161^Intramuscular^NCIT|RD^Right Deltoid^HL70163',
      'OBX|1|CE|64994-7^Vaccine Funding Program Eligibility^LN|1|V01^Not VFC Eligible^HL70064||||||F|||20150624',
      fields('RXA', { 1: '0', 2: '1', 3: '20141012', 5: '88^influenza^CVX', 6: '999', 9: '01^Historical Administration^NIP001', 20: 'CP' }),
    ),
  );
  const [given, historical] = resourcesOf<Immunization>(bundle, 'Immunization');

  test('a new record: vaccine, dose, lot, expiry, manufacturer, route, site, performers, primary source', () => {
    assert.equal(given!.status, 'completed');
    assert.equal(given!.vaccineCode.coding?.[0]?.system, 'http://hl7.org/fhir/sid/ndc');
    assert.equal(given!.occurrenceDateTime, '2015-06-24');
    assert.deepEqual(given!.doseQuantity, { value: 0.5, unit: 'mL', system: 'http://unitsofmeasure.org', code: 'mL' });
    assert.equal(given!.lotNumber, '315841');
    assert.equal(given!.expirationDate, '2015-12-16');
    assert.deepEqual(given!.manufacturer, { type: 'Organization', identifier: { system: 'http://terminology.hl7.org/CodeSystem/MVX', value: 'PMC' }, display: 'Sanofi Pasteur' });
    assert.equal(given!.route?.coding?.[0]?.code, 'C28161');
    assert.equal(given!.site?.coding?.[0]?.code, 'RD');
    assert.equal(given!.primarySource, true);
    assert.deepEqual(given!.performer?.map((p) => [p.function?.coding?.[0]?.code, p.actor.display]), [['AP', 'Lily Jackson'], ['OP', 'Wilma Thomas']]);
    assert.deepEqual(given!.identifier?.map((i) => i.value), ['4422', '13696']);
  });

  test('a historical dose without an order number is keyed by patient, vaccine and date; 999 (amount unknown) is no dose', () => {
    assert.equal(historical!.primarySource, false);
    assert.equal(historical!.doseQuantity, undefined);
    const entry = bundle.entry!.find((e) => e.resource === historical)!;
    assert.equal(new URLSearchParams(entry.request!.url.split('?')[1]).get('identifier'), 'urn:longitude:hl7-key:lab.hosp:rxa|90012.88.2014-10-12');
  });

  test('the OBX under an RXA describe it (Observation.partOf)', () => {
    const [obs] = resourcesOf<Observation>(bundle, 'Observation');
    const immunizationUrl = bundle.entry!.find((e) => e.resource === given)!.fullUrl;
    assert.equal(obs!.partOf?.[0]?.reference, immunizationUrl);
  });

  test('RXA-21 D is a deletion (entered-in-error); RXA-20 RE a refusal (not-done); RXA-3 is required', () => {
    const one = (rxa: string) => resourcesOf<Immunization>(mapped(hl7(msh('VXU^V04'), PID, rxa)), 'Immunization')[0]!;
    assert.equal(one(fields('RXA', { 3: '20240101', 5: '08^HepB^CVX', 21: 'D' })).status, 'entered-in-error');
    assert.equal(one(fields('RXA', { 3: '20240101', 5: '08^HepB^CVX', 18: '00^Parental decision^NIP002', 20: 'RE' })).statusReason?.coding?.[0]?.code, '00');
    assert.throws(
      () => one(fields('RXA', { 5: '08^HepB^CVX' })),
      (err: unknown) => err instanceof HandlerError && err.detail.element === 'RXA-3',
    );
  });
});
