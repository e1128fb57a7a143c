/**
 * The shipped mappings on rows shaped like the simulator's (docs/simulator.md): what each row
 * becomes, that every resource is valid FHIR R4, and how bad rows are refused (column named).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Claim, Communication, Condition, Coverage, ExplanationOfBenefit, Patient, Procedure, Provenance } from '@medplum/fhirtypes';
import { assertValidResource } from '../../fhir/index.ts';
import { HandlerError } from '../message-store/message-processor.ts';
import type { StoredMessage } from '../message-store/message-store.ts';
import { parseCsvBytes } from './csv-reader.ts';
import { CsvMessageHandler, csvRowMessage } from './csv-handler.ts';
import type { CsvMapping } from './mapping-file.ts';
import { mapRow, type PlannedResource } from './row-mapper.ts';
import { validateRow, type RowProblem } from './row-validation.ts';
import { shippedMappings } from './shipped-mappings.ts';

const [enrollment, claims, contacts] = shippedMappings() as [CsvMapping, CsvMapping, CsvMapping];

const ENROLLMENT_HEADER = 'member_id,subscriber_id,relationship,last_name,first_name,middle_name,dob,sex,ssn,address_line1,city,state,zip,phone,plan,coverage_start,coverage_end';
const CLAIMS_HEADER = 'claim_id,member_id,claim_type,service_from,service_to,diagnosis_codes,procedure_codes,drug_name,rxnorm,days_supply,rendering_npi,billing_npi,place_of_service,billed_amount,allowed_amount,paid_amount';
const CONTACTS_HEADER = 'contact_id,first_name,last_name,mobile_phone,home_phone,email,preferred_language,preferred_channel,do_not_contact,last_contact_reason,last_contact_date,date_updated';

function check(mapping: CsvMapping, header: string, row: string) {
  const [h, r] = parseCsvBytes(`${header}\n${row}`);
  return validateRow(mapping, h!.fields, r!);
}

function map(mapping: CsvMapping, header: string, row: string): PlannedResource[] {
  const checked = check(mapping, header, row);
  assert.ok(checked.ok, JSON.stringify(!checked.ok && checked.problems));
  const planned = mapRow(mapping, checked.row);
  for (const p of planned) assertValidResource(p.resource);
  return planned;
}

function problems(mapping: CsvMapping, header: string, row: string): Pick<RowProblem, 'code' | 'column'>[] {
  const checked = check(mapping, header, row);
  assert.ok(!checked.ok, 'expected the row to be refused');
  return checked.problems.map(({ code, column }) => ({ code, column }));
}

const byType = <T>(planned: PlannedResource[], type: string) => planned.filter((p) => p.resource.resourceType === type).map((p) => p.resource as T);

describe('CSV row mapping with the shipped mappings', () => {
  test('enrollment: the member Patient (upsert) with its Coverage referring to it', () => {
    const planned = map(enrollment, ENROLLMENT_HEADER, 'M0733662701,M0733662701,self,Bueno,Kiara,,1974-05-17,F,960-01-5040,6547 Washington Road,Downey,OH,45025,440-837-9916,Commercial PPO,2024-05-17,');
    assert.deepEqual(planned.map((p) => [p.resource.resourceType, p.mode, decodeURIComponent(p.criteria)]), [
      ['Patient', 'upsert', 'identifier=urn:longitude:payer:member-id|M0733662701'],
      ['Coverage', 'upsert', 'identifier=urn:longitude:payer:coverage|M0733662701.2024-05-17'],
    ]);
    const [patient] = byType<Patient>(planned, 'Patient');
    assert.deepEqual(patient!.name, [{ use: 'official', family: 'Bueno', given: ['Kiara'] }], 'the empty middle name is left out');
    assert.deepEqual(patient!.identifier?.map((i) => [i.system, i.value]), [
      ['urn:longitude:payer:member-id', 'M0733662701'],
      ['http://hl7.org/fhir/sid/us-ssn', '960015040'],
    ]);
    assert.equal(patient!.gender, 'female');
    assert.deepEqual(patient!.address?.[0], { use: 'home', line: ['6547 Washington Road'], city: 'Downey', state: 'OH', postalCode: '45025', country: 'US' });
    const [coverage] = byType<Coverage>(planned, 'Coverage');
    assert.equal(coverage!.beneficiary.reference, planned[0]!.fullUrl);
    assert.deepEqual(coverage!.period, { start: '2024-05-17' }, 'an ongoing coverage has no end');
    assert.equal(coverage!.type?.coding?.[0]?.code, '512');
  });

  test('enrollment without phone, sex or address: those elements are absent, not empty', () => {
    const [patient] = map(enrollment, ENROLLMENT_HEADER, 'M1,M1,self,Ito,Ken,,1990-01-01,,,,,,,,Commercial HMO,2023-01-01,2025-06-30');
    const p = patient!.resource as Patient;
    assert.equal(p.gender, undefined);
    assert.equal(p.telecom, undefined);
    assert.equal(p.address, undefined);
    assert.equal(p.identifier?.length, 1);
  });

  test('a professional claim: Claim, EOB, a Condition per ICD-10 code, a Procedure per CPT/HCPCS code', () => {
    const planned = map(claims, CLAIMS_HEADER, 'M1-004,M1,professional,2025-03-02,2025-03-02,E11.9|I10,99214|G0121,,,,1485399285,2908383054,11,1700.50,1020.30,816.24');
    assert.deepEqual(planned.map((p) => `${p.resource.resourceType}:${p.mode}`), [
      'Patient:ensure', 'Claim:upsert', 'ExplanationOfBenefit:upsert', 'Condition:ensure', 'Condition:ensure', 'Procedure:upsert', 'Procedure:upsert',
    ]);
    const [claim] = byType<Claim>(planned, 'Claim');
    assert.deepEqual(claim!.diagnosis?.map((d) => [d.sequence, d.diagnosisCodeableConcept?.coding?.[0]?.code]), [[1, 'E11.9'], [2, 'I10']]);
    assert.deepEqual(claim!.item?.map((i) => i.productOrService.coding?.[0]?.system), ['http://www.ama-assn.org/go/cpt', 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets']);
    assert.deepEqual(claim!.total, { value: 1700.5, currency: 'USD' });
    assert.equal(claim!.supportingInfo, undefined);
    const [eob] = byType<ExplanationOfBenefit>(planned, 'ExplanationOfBenefit');
    assert.equal(eob!.claim?.reference, planned[1]!.fullUrl);
    assert.deepEqual(eob!.total?.map((t) => [t.category.coding?.[0]?.code, t.amount.value]), [['submitted', 1700.5], ['eligible', 1020.3], ['benefit', 816.24]]);
    const conditions = byType<Condition>(planned, 'Condition');
    assert.deepEqual(conditions.map((c) => c.code?.coding?.[0]?.code), ['E11.9', 'I10']);
    assert.deepEqual(conditions.map((c) => c.subject.reference), [planned[0]!.fullUrl, planned[0]!.fullUrl]);
    assert.deepEqual(byType<Procedure>(planned, 'Procedure').map((p) => p.performedPeriod), [{ start: '2025-03-02', end: '2025-03-02' }, { start: '2025-03-02', end: '2025-03-02' }]);
  });

  test('a pharmacy claim: the dispensed drug (RxNorm) and days supply, no Procedure; a repeated code is one Condition', () => {
    const planned = map(claims, CLAIMS_HEADER, 'M1-009,M1,pharmacy,2025-01-20,2025-04-19,E78.5|E78.5,,Lipitor 20 mg,83367,90,1485399285,2908383054,01,120.00,72.00,57.60');
    assert.deepEqual(planned.map((p) => p.resource.resourceType), ['Patient', 'Claim', 'ExplanationOfBenefit', 'Condition']);
    const [claim] = byType<Claim>(planned, 'Claim');
    assert.deepEqual(claim!.item?.[0]?.productOrService, { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '83367' }], text: 'Lipitor 20 mg' });
    assert.equal(claim!.supportingInfo?.[0]?.valueQuantity?.value, 90);
  });

  test('a CRM contact: telecom ranked by the preferred channel, language, do-not-contact, and the last contact', () => {
    const planned = map(contacts, CONTACTS_HEADER, 'CRM-66177888,Freeda,Koelpin,(216) 555-0101,,fkoelpin@example.net,Spanish,email,Y,benefits question,2025-06-06,2025-06-07');
    const [patient] = byType<Patient>(planned, 'Patient');
    assert.deepEqual(patient!.telecom?.map((t) => [t.system, t.value, t.rank]), [
      ['phone', '(216) 555-0101', 2],
      ['email', 'fkoelpin@example.net', 1],
    ]);
    assert.deepEqual(patient!.communication, [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'es' }], text: 'Spanish' }, preferred: true }]);
    assert.deepEqual(patient!.extension?.map((e) => e.valueCoding?.code ?? e.valueBoolean), ['email', true]);
    const [communication] = byType<Communication>(planned, 'Communication');
    assert.deepEqual([communication!.sent, communication!.reasonCode?.[0]?.text, communication!.subject?.reference], ['2025-06-06', 'benefits question', planned[0]!.fullUrl]);
  });

  test('bad rows are refused with the column at fault', () => {
    assert.deepEqual(problems(enrollment, ENROLLMENT_HEADER, 'M1,M1,self,Ito,Ken,,1990-02-30,M,,,,,,,Commercial HMO,2023-01-01,'), [{ code: 'invalid-date', column: 'dob' }]);
    assert.deepEqual(problems(enrollment, ENROLLMENT_HEADER, 'M1,M1,cousin,,Ken,,1990-02-03,X,,,,,,,Commercial HMO,2023-01-01,'), [
      { code: 'not-allowed', column: 'relationship' },
      { code: 'missing-value', column: 'last_name' },
      { code: 'not-allowed', column: 'sex' },
    ]);
    assert.deepEqual(problems(claims, CLAIMS_HEADER, 'M1-1,M1,professional,2025-03-02,2025-03-02,E11.9|banana,99213,,,,1485399285,2908383054,11,1.00,1.00,1.00'), [{ code: 'invalid-value', column: 'diagnosis_codes[2]' }]);
    assert.deepEqual(problems(claims, CLAIMS_HEADER, 'M1-1,M1,professional,2025-03-02'), [{ code: 'column-count', column: '(row)' }]);
    assert.deepEqual(problems(contacts, 'contact_id,first_name', 'CRM-1,Ann').map((p) => p.column).slice(0, 2), ['last_name', 'mobile_phone']);
  });
});

describe('CSV message handler', () => {
  const handler = new CsvMessageHandler(shippedMappings());
  const header = new TextEncoder().encode(CLAIMS_HEADER);
  const stored = (row: string, id = 41): StoredMessage => {
    const [, record] = parseCsvBytes(`${CLAIMS_HEADER}\n${row}`);
    const inbound = csvRowMessage(claims, CLAIMS_HEADER.split(','), header, record!, 7, 'payer/claims.csv');
    return {
      id, channel: inbound.channel, sender: inbound.sender ?? null, receivedAt: new Date('2026-12-03T10:00:00Z'), content: inbound.content,
      contentHash: '', messageType: inbound.messageType ?? null, controlId: inbound.controlId ?? null, orderingKey: inbound.orderingKey ?? null,
      status: 'received', attempts: 0, error: null, processedAt: null, ackMs: null, receiptCount: 1,
    };
  };

  test('the stored row is the header and the row bytes; control id the natural key, ordering by member', () => {
    const message = stored('M1-004,M1,professional,2025-03-02,2025-03-02,I10,99213,,,,1485399285,2908383054,11,180.00,108.00,86.40');
    assert.equal(new TextDecoder().decode(message.content), `${CLAIMS_HEADER}\nM1-004,M1,professional,2025-03-02,2025-03-02,I10,99213,,,,1485399285,2908383054,11,180.00,108.00,86.40`);
    assert.deepEqual([message.channel, message.messageType, message.controlId, message.orderingKey], ['csv:payer', 'payer-claims', 'M1-004', 'payer:M1']);
    assert.equal(stored('"broken,M1').controlId, 'payer/claims.csv#7', 'no usable natural key: file and row number');
  });

  test('a row maps to a transaction Bundle with meta.source, the mapping version, and a Provenance naming the row', () => {
    const result = handler.handle(stored('M1-004,M1,professional,2025-03-02,2025-03-02,I10,99213,,,,1485399285,2908383054,11,180.00,108.00,86.40'));
    assert.equal(result.kind, 'bundle');
    const entries = result.kind === 'bundle' ? result.bundle.entry ?? [] : [];
    const provenance = entries.at(-1)!.resource as Provenance;
    assert.equal(entries.at(-1)!.request?.url, 'Provenance?entity:identifier=urn%3Alongitude%3Amessage-store%7C41');
    assert.deepEqual(provenance.target.map((t) => t.reference), entries.slice(0, -1).map((e) => e.fullUrl));
    assert.deepEqual(provenance.entity?.map((e) => e.what.identifier?.value), ['41', 'M1-004']);
    assert.deepEqual(provenance.policy, ['urn:longitude:csv-mapping/payer-claims/1.0.0']);
    for (const e of entries) {
      assertValidResource(e.resource);
      assert.equal(e.resource!.meta?.source, 'urn:longitude:channel/csv%3Apayer#41');
      assert.deepEqual(e.resource!.meta?.tag, [{ system: 'urn:longitude:csv:mapping-version', code: 'payer-claims/1.0.0' }]);
    }
  });

  test('a CRM row is dated by its date_updated: the Provenance says when the source updated it, not when it was loaded', () => {
    const contactsHeader = new TextEncoder().encode(CONTACTS_HEADER);
    const row = (updated: string): StoredMessage => {
      const [, record] = parseCsvBytes(`${CONTACTS_HEADER}\nCRM-66177888,Freeda,Koelpin,(216) 555-0101,(216) 555-0199,,English,phone,N,address change,2025-08-26,${updated}`);
      const inbound = csvRowMessage(contacts, CONTACTS_HEADER.split(','), contactsHeader, record!, 3, 'crm/contacts.csv');
      return { ...stored('M1-004,M1,professional,2025-03-02,2025-03-02,I10,99213,,,,1485399285,2908383054,11,1.00,1.00,1.00', 42), channel: inbound.channel, content: inbound.content, messageType: inbound.messageType ?? null, controlId: inbound.controlId ?? null };
    };
    const provenanceOf = (message: StoredMessage) => {
      const result = handler.handle(message);
      return (result.kind === 'bundle' ? result.bundle.entry?.at(-1)?.resource : undefined) as Provenance;
    };
    assert.equal(provenanceOf(row('2025-08-27')).occurredDateTime, '2025-08-27');
    assert.equal(provenanceOf(row('')).occurredDateTime, undefined, 'no date: none claimed');
  });

  test('a bad row is a HandlerError of stage validate naming the column; broken quoting is stage parse', () => {
    const failure = (row: string) => {
      try {
        handler.handle(stored(row));
      } catch (err) {
        assert.ok(err instanceof HandlerError);
        assert.equal(err.retryable, false);
        return { stage: err.detail.stage, code: err.detail.code, element: err.detail.element };
      }
      assert.fail('expected a HandlerError');
    };
    assert.deepEqual(failure('M1-5,M1,dental,2025-03-02,2025-03-02,I10,99213,,,,1485399285,2908383054,11,1.00,1.00,1.00'), { stage: 'validate', code: 'not-allowed', element: 'claim_type' });
    assert.deepEqual(failure('M1-5,M1,professional,2025-03-02,2025-03-02,I10,99213,,,,1485399285,2908383054,11,"1.00"x,1.00,1.00'), { stage: 'parse', code: 'csv-syntax', element: 'billed_amount' });
  });
});
