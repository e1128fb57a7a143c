import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Bundle, Encounter, Observation, Patient } from '@medplum/fhirtypes';
import { expectCodedError } from '../test-support/coded-error.ts';
import { wireRecordParts, type RecordParts } from '../test-support/hub-parts.ts';
import { testDatabases } from '../test-support/test-db.ts';
import { createAccessContext } from '../trust/access-context.ts';
import { processBundle } from './bundle-processor.ts';

const system = createAccessContext({ actor: { type: 'system', id: 'loader' }, role: 'system' });
const serviceAgent = createAccessContext({ actor: { type: 'user', id: 'agent' }, role: 'service-agent' });
const baseUrl = 'http://localhost:8080/fhir/R4';

function transaction(entry: Bundle['entry']): Bundle {
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

const patientEntry = {
  fullUrl: 'urn:uuid:0d5c0f5e-7e0e-4d42-9a3d-5b1f0f6b1a01',
  resource: { resourceType: 'Patient', name: [{ family: 'Haddad' }] } as Patient,
  request: { method: 'POST' as const, url: 'Patient' },
};
const encounterEntry = {
  fullUrl: 'urn:uuid:0d5c0f5e-7e0e-4d42-9a3d-5b1f0f6b1a02',
  resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: patientEntry.fullUrl } } as Encounter,
  request: { method: 'POST' as const, url: 'Encounter' },
};
const observationEntry = {
  resource: {
    resourceType: 'Observation',
    status: 'final',
    code: { text: 'HbA1c' },
    subject: { reference: patientEntry.fullUrl },
    encounter: { reference: encounterEntry.fullUrl },
  } as Observation,
  request: { method: 'POST' as const, url: 'Observation' },
};

for (const backend of testDatabases()) {
  describe(`batch and transaction Bundles on ${backend.kind}`, () => {
    let parts: RecordParts;
    before(async () => {
      parts = wireRecordParts(await backend.open());
    });
    after(() => parts.close());

    async function count(type: string): Promise<number> {
      const { rows } = await parts.db.query<{ n: number }>('select count(*)::int as n from resource where resource_type = $1', [type]);
      return rows[0]!.n;
    }

    test('a transaction creates every entry and rewrites urn:uuid references to the assigned ids', async () => {
      const response = await processBundle(parts.store, system, transaction([observationEntry, encounterEntry, patientEntry]), { baseUrl });
      assert.equal(response.type, 'transaction-response');
      assert.deepEqual(response.entry?.map((e) => e.response?.status), ['201 Created', '201 Created', '201 Created']);
      const [obs, enc, pat] = response.entry!.map((e) => e.resource!) as [Observation, Encounter, Patient];
      assert.equal(obs.subject?.reference, `Patient/${pat.id}`);
      assert.equal(obs.encounter?.reference, `Encounter/${enc.id}`);
      assert.equal(enc.subject?.reference, `Patient/${pat.id}`);
      assert.equal(response.entry![2]!.response?.location, `Patient/${pat.id}/_history/1`);
      const stored = await parts.store.read<Observation>(system, 'Observation', obs.id!);
      assert.equal(stored.subject?.reference, `Patient/${pat.id}`);
    });

    test('a transaction is all or nothing: one invalid entry writes nothing, and names the entry', async () => {
      const before = await count('Encounter');
      const { status: _missing, ...withoutStatus } = observationEntry.resource;
      const bad = { ...observationEntry, resource: withoutStatus as Observation };
      const err = await expectCodedError(processBundle(parts.store, system, transaction([patientEntry, encounterEntry, bad]), { baseUrl }));
      assert.equal(err.code, 'LNG_INVALID_RESOURCE');
      assert.match(err.message, /^entry 2: /);
      assert.ok(err.issues.some((i) => i.expression?.includes('Bundle.entry[2].resource.status')), JSON.stringify(err.issues));
      assert.equal(await count('Encounter'), before);
    });

    test('a reference to a urn:uuid that no entry carries is refused', async () => {
      const orphan = { ...observationEntry, resource: { ...observationEntry.resource, subject: { reference: 'urn:uuid:no-such-entry' } } };
      const err = await expectCodedError(processBundle(parts.store, system, transaction([orphan]), { baseUrl }));
      assert.match(err.message, /urn:uuid:no-such-entry names no entry/);
    });

    test('entries run in the prescribed order: DELETE, POST, PUT, GET', async () => {
      const { resource: existing } = await parts.store.create(system, { resourceType: 'Patient', name: [{ family: 'Old' }] } as Patient);
      const response = await processBundle(
        parts.store,
        system,
        transaction([
          { request: { method: 'GET', url: `Patient/${existing.id}/_history/1` } },
          { resource: { ...existing, name: [{ family: 'Newer' }] }, request: { method: 'PUT', url: `Patient/${existing.id}` } },
          { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
          { request: { method: 'DELETE', url: `Patient/${existing.id}` } },
        ]),
        { baseUrl },
      );
      // The DELETE ran first, so the PUT re-created the resource (version 3), and the GET of
      // version 1 ran last and still finds it.
      assert.deepEqual(response.entry?.map((e) => e.response?.status), ['200 OK', '201 Created', '201 Created', '204 No Content']);
      assert.equal(response.entry![1]!.response?.etag, 'W/"3"');
    });

    test('a batch runs entries independently and reports each failure in its own entry', async () => {
      const batch: Bundle = {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } },
          { resource: { resourceType: 'Patient', birthDate: 'soon' } as Patient, request: { method: 'POST', url: 'Patient' } },
          { request: { method: 'GET', url: 'Patient/does-not-exist' } },
        ],
      };
      const response = await processBundle(parts.store, system, batch, { baseUrl });
      assert.equal(response.type, 'batch-response');
      assert.deepEqual(response.entry?.map((e) => e.response?.status), ['201 Created', '400', '404']);
      assert.deepEqual(response.entry![1]!.response?.outcome?.issue?.[0]?.expression, ['Bundle.entry[1].resource.birthDate']);
    });

    test('the policy applies to every entry', async () => {
      const err = await expectCodedError(processBundle(parts.store, serviceAgent, transaction([patientEntry, encounterEntry]), { baseUrl }));
      assert.equal(err.code, 'LNG_FORBIDDEN');
      assert.match(err.message, /^entry 1: role service-agent may not create Encounter/);
    });

    test('ifNoneExist: the second load finds the first resource, and references point at it', async () => {
      const npi = `npi-${Math.random().toString(36).slice(2)}`;
      const bundle = () =>
        transaction([
          {
            fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111',
            resource: { resourceType: 'Practitioner', identifier: [{ system: 'http://hl7.org/fhir/sid/us-npi', value: npi }] },
            request: { method: 'POST', url: 'Practitioner', ifNoneExist: `identifier=http://hl7.org/fhir/sid/us-npi|${npi}` },
          },
          {
            resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, participant: [{ individual: { reference: 'urn:uuid:11111111-1111-4111-8111-111111111111' } }] } as Encounter,
            request: { method: 'POST', url: 'Encounter' },
          },
        ]);
      const first = await processBundle(parts.store, system, bundle(), { baseUrl });
      const second = await processBundle(parts.store, system, bundle(), { baseUrl });
      assert.deepEqual(first.entry?.map((e) => e.response?.status), ['201 Created', '201 Created']);
      assert.deepEqual(second.entry?.map((e) => e.response?.status), ['200 OK', '201 Created']);
      const practitionerId = first.entry![0]!.resource!.id;
      assert.equal(second.entry![0]!.resource!.id, practitionerId);
      assert.equal((second.entry![1]!.resource as Encounter).participant?.[0]?.individual?.reference, `Practitioner/${practitionerId}`);
    });

    test('conditional update creates, then updates; conditional delete removes; several matches are refused', async () => {
      const mrn = `mrn-${Math.random().toString(36).slice(2)}`;
      const put = (family: string) =>
        transaction([
          {
            resource: { resourceType: 'Patient', identifier: [{ system: 'urn:test:mrn', value: mrn }], name: [{ family }] } as Patient,
            request: { method: 'PUT', url: `Patient?identifier=urn:test:mrn|${mrn}` },
          },
        ]);
      const created = await processBundle(parts.store, system, put('One'), { baseUrl });
      assert.equal(created.entry![0]!.response?.status, '201 Created');
      const updated = await processBundle(parts.store, system, put('Two'), { baseUrl });
      assert.equal(updated.entry![0]!.response?.status, '200 OK');
      assert.equal(updated.entry![0]!.resource!.id, created.entry![0]!.resource!.id);
      assert.equal(updated.entry![0]!.resource!.meta?.versionId, '2');

      await parts.store.create(system, { resourceType: 'Patient', identifier: [{ system: 'urn:test:mrn', value: mrn }] } as Patient);
      const err = await expectCodedError(processBundle(parts.store, system, put('Three'), { baseUrl }));
      assert.equal(err.code, 'LNG_MULTIPLE_MATCHES');
      assert.equal(err.status, 412);

      const del = transaction([{ request: { method: 'DELETE', url: `Patient?identifier=urn:test:mrn|${mrn}&name=Two` } }]);
      assert.equal((await processBundle(parts.store, system, del, { baseUrl })).entry![0]!.response?.status, '204 No Content');
      await assert.rejects(parts.store.read(system, 'Patient', created.entry![0]!.resource!.id!), /deleted/);
    });

    test('malformed bundles and requests are refused with the element named', async () => {
      for (const [bundle, expression] of [
        [{ resourceType: 'Bundle', type: 'collection' }, 'Bundle.type'],
        [transaction([{ resource: { resourceType: 'Patient' } }]), 'Bundle.entry[0].request'],
        [transaction([{ request: { method: 'PATCH', url: 'Patient/1' } } as never]), 'Bundle.entry[0].request.method'],
        [transaction([{ request: { method: 'PUT', url: 'Patient' }, resource: { resourceType: 'Patient' } }]), 'Bundle.entry[0].request.url'],
        [transaction([{ request: { method: 'POST', url: 'Patient?identifier=x' }, resource: { resourceType: 'Patient' } }]), 'Bundle.entry[0].request.url'],
        [transaction([{ request: { method: 'POST', url: 'Patient', ifNoneExist: 'nonsense=1' }, resource: { resourceType: 'Patient' } }]), 'Bundle.entry[0].request.ifNoneExist'],
      ] as const) {
        const err = await expectCodedError(processBundle(parts.store, system, bundle, { baseUrl }));
        assert.deepEqual(err.issues[0]?.expression, [expression], err.message);
      }
      await expectCodedError(processBundle(parts.store, system, { resourceType: 'Patient' }, { baseUrl }));
    });
  });
}
