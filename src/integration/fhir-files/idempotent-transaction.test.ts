import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Bundle } from '@medplum/fhirtypes';
import { HandlerError } from '../message-store/message-processor.ts';
import { toIdempotentEntries } from './idempotent-transaction.ts';

const org = (value: string, fullUrl: string) => ({
  fullUrl,
  resource: { resourceType: 'Organization', name: 'Clinic', identifier: [{ system: 'https://github.com/synthetichealth/synthea', value }] },
  request: { method: 'POST', url: 'Organization' },
});

describe('FHIR content → idempotent transaction entries', () => {
  test('Synthea-style POSTs: with an identifier a conditional create, without one a PUT on the urn:uuid id', () => {
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        org('org-1', 'urn:uuid:11111111-1111-4111-8111-111111111111'),
        org('org-1', 'urn:uuid:22222222-2222-4222-8222-222222222222'),
        {
          fullUrl: 'urn:uuid:33333333-3333-4333-8333-333333333333',
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' } },
          request: { method: 'POST', url: 'Observation' },
        },
        { fullUrl: 'https://ehr.example.org/fhir/Patient/C1', resource: { resourceType: 'Patient', id: 'C1' }, request: { method: 'PUT', url: 'Patient/C1' } },
        { request: { method: 'DELETE', url: 'Observation/9' } },
      ],
    } as Bundle;
    const entries = toIdempotentEntries(bundle, 'synthea/a.json');
    assert.deepEqual(entries.map((e) => [e.request?.method, e.request?.url, e.request?.ifNoneExist]), [
      ['POST', 'Organization', 'identifier=https%3A%2F%2Fgithub.com%2Fsynthetichealth%2Fsynthea%7Corg-1'],
      // The same condition twice in one transaction would create twice: the second gets its own id.
      ['PUT', 'Organization/22222222-2222-4222-8222-222222222222', undefined],
      ['PUT', 'Observation/33333333-3333-4333-8333-333333333333', undefined],
      ['PUT', 'Patient/C1', undefined],
      ['DELETE', 'Observation/9', undefined],
    ]);
    assert.equal(entries[2]!.resource?.id, '33333333-3333-4333-8333-333333333333');
    assert.equal(entries[2]!.fullUrl, 'urn:uuid:33333333-3333-4333-8333-333333333333', 'references to the fullUrl still resolve');
  });

  test('a lone resource (an NDJSON line) is a PUT on its id, or created once by identifier, or a stable id from its origin', () => {
    assert.deepEqual(toIdempotentEntries({ resourceType: 'Patient', id: 'p1' }, 'f.ndjson#1')[0]!.request, { method: 'PUT', url: 'Patient/p1' });
    assert.equal(toIdempotentEntries({ resourceType: 'Patient', identifier: [{ system: 'urn:a', value: '1' }] }, 'f.ndjson#2')[0]!.request?.ifNoneExist, 'identifier=urn%3Aa%7C1');
    const a = toIdempotentEntries({ resourceType: 'Basic', code: { text: 'x' } }, 'f.ndjson#3')[0]!;
    const b = toIdempotentEntries({ resourceType: 'Basic', code: { text: 'x' } }, 'f.ndjson#3')[0]!;
    assert.equal(a.request?.method, 'PUT');
    assert.equal(a.request?.url, b.request?.url, 'the same origin gives the same id');
  });

  test('a collection Bundle writes its resources; content that is not FHIR is refused at stage validate', () => {
    const entries = toIdempotentEntries({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', id: 'p2' } }] }, 'c.json');
    assert.deepEqual(entries[0]!.request, { method: 'PUT', url: 'Patient/p2' });
    for (const bad of [{ hello: 'world' }, { resourceType: 'Bundle', type: 'nonsense' }, [1, 2]]) {
      assert.throws(() => toIdempotentEntries(bad, 'x.json'), (err: unknown) => err instanceof HandlerError && err.detail.stage === 'validate');
    }
  });
});
