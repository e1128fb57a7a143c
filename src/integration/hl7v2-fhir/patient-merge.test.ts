import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Patient } from '@medplum/fhirtypes';
import { HandlerError } from '../message-store/message-processor.ts';
import { hl7, mapped, msh, resourcesOf } from './test-fixtures.ts';

describe('ADT^A40: a merge request, recorded and not carried out', () => {
  test('the surviving Patient is upserted with a seealso link to the prior record, which keeps its identifier', () => {
    const bundle = mapped(hl7(msh('ADT^A40'), 'EVN|A40', 'PID|1||MRN-1^^^HOSP^MR||Doe^Jane||19700101|F', 'MRG|MRN-0^^^HOSP^MR'));
    const [survivor] = resourcesOf<Patient>(bundle, 'Patient');
    assert.deepEqual(
      survivor!.identifier?.map((i) => i.value),
      ['MRN-1'],
      'the prior identifier is not added: two Patients with it would make later messages ambiguous',
    );
    assert.equal(survivor!.link?.[0]?.type, 'seealso');
    assert.deepEqual(survivor!.link?.[0]?.other.identifier, { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: 'urn:longitude:hl7:authority:hosp', value: 'MRN-0', assigner: { display: 'HOSP' } });
    assert.match(survivor!.link?.[0]?.other.display ?? '', /ADT\^A40 MSG1/);
    const entry = bundle.entry!.find((e) => e.resource?.resourceType === 'Patient')!;
    assert.equal(entry.request?.method, 'PUT');
  });

  test('every PID/MRG pair of the message; a PID without MRG is an error', () => {
    const bundle = mapped(hl7(msh('ADT^A40'), 'PID|1||A^^^H', 'MRG|A0^^^H', 'PID|1||B^^^H', 'MRG|B0^^^H'));
    assert.deepEqual(resourcesOf<Patient>(bundle, 'Patient').map((p) => p.link?.[0]?.other.identifier?.value), ['A0', 'B0']);
    assert.throws(
      () => mapped(hl7(msh('ADT^A40'), 'PID|1||A^^^H')),
      (err: unknown) => err instanceof HandlerError && err.detail.element === 'MRG',
    );
  });
});
