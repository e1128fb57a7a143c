import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Observation, ServiceRequest, Specimen } from '@medplum/fhirtypes';
import { fields, hl7, mapped, msh, resourcesOf } from './test-fixtures.ts';

const PID = 'PID|1||MRN-1^^^HOSP^MR||Doe^Jane||19700101|F';

function orders(type: string, ...segments: string[]) {
  return mapped(hl7(msh(type), PID, 'PV1|1|O|||||||||||||||||V9^^^HOSP', ...segments));
}

describe('ORM^O01 / OML^O21: ORC + OBR → ServiceRequest', () => {
  test('identifiers, code, requester, priority and authored time; the order message owns (upserts) it', () => {
    const bundle = orders(
      'ORM^O01',
      fields('ORC', { 1: 'NW', 2: 'P100^EHR', 4: 'G1^EHR', 9: '20240301101500+0100', 12: '1234^Welby^Marcus' }),
      fields('TQ1', { 1: '1', 7: '20240302080000+0100', 9: 'S' }),
      'OBR|1|P100^EHR||80053^Metabolic panel^C4',
      'NTE|1||Fasting',
    );
    const entry = bundle.entry!.find((e) => e.resource?.resourceType === 'ServiceRequest')!;
    const request = entry.resource as ServiceRequest;
    assert.equal(entry.request?.method, 'PUT');
    assert.match(entry.request!.url, /^ServiceRequest\?identifier=/);
    assert.deepEqual(request.identifier?.map((i) => [i.type?.coding?.[0]?.code, i.value]), [['PLAC', 'P100'], ['PGN', 'G1']]);
    assert.equal(request.status, 'active');
    assert.equal(request.intent, 'order');
    assert.equal(request.priority, 'stat');
    assert.equal(request.code?.coding?.[0]?.system, 'http://www.ama-assn.org/go/cpt');
    assert.equal(request.authoredOn, '2024-03-01T10:15:00+01:00');
    assert.equal(request.occurrenceDateTime, '2024-03-02T08:00:00+01:00');
    assert.equal(request.requester?.display, 'Marcus Welby');
    assert.deepEqual(request.note, [{ text: 'Fasting' }]);
  });

  test('status from ORC-5, else ORC-1 (IG OrderControlCode map: a cancel *request* leaves the order active)', () => {
    const status = (orc: string) => resourcesOf<ServiceRequest>(orders('ORM^O01', orc, 'OBR|1|P1||X^x^L'), 'ServiceRequest')[0]!.status;
    assert.equal(status('ORC|NW|P1'), 'active');
    assert.equal(status('ORC|CA|P1'), 'active');
    assert.equal(status('ORC|CR|P1'), 'revoked');
    assert.equal(status('ORC|OH|P1'), 'on-hold');
    assert.equal(status(fields('ORC', { 1: 'SC', 2: 'P1', 5: 'CM' })), 'completed');
    assert.equal(status('ORC|XO|P1'), 'unknown');
  });

  test('several orders in one message, each with its specimen and its observations', () => {
    const bundle = orders(
      'OML^O21',
      'ORC|NW|P1',
      'OBR|1|P1||X^x^L',
      'OBX|1|ST|Q1^fasting?^L||yes||||||F',
      'SPM|1|S1||BLD^Blood^HL70487',
      'ORC|NW|P2',
      'OBR|2|P2||Y^y^L',
    );
    assert.deepEqual(resourcesOf<ServiceRequest>(bundle, 'ServiceRequest').map((r) => r.identifier?.[0]?.value), ['P1', 'P2']);
    assert.equal(resourcesOf<Specimen>(bundle, 'Specimen').length, 1);
    assert.equal(resourcesOf<Observation>(bundle, 'Observation')[0]?.valueString, 'yes');
  });
});
