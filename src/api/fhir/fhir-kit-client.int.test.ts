/**
 * The FHIR API as a third-party client sees it: fhir-kit-client (an independent, widely used
 * FHIR R4 client) over real HTTP on a loopback port, with a bearer token. Every interaction
 * goes through the client's own URL building, headers and paging, so a conformance gap (a
 * link it cannot follow, a header it does not send) fails here rather than in a customer's app.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Bundle, BundleEntry, CapabilityStatement, Observation, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { Client, type FhirResource } from 'fhir-kit-client';
import { buildApp, type App } from '../app.ts';
import type { Hub } from '../../hub.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { openTestHub, type TestHub } from '../../test-support/test-hub.ts';

const storedTypes = ['Patient', 'Observation', 'Condition'];

/**
 * Links in Bundles (next pages, fullUrl, Location) are absolute and built from the configured
 * public base URL, so the app is built for the port it will listen on: a free loopback port
 * is found first, and found again should another process take it in between.
 */
async function listenOnLoopback(hub: Hub): Promise<{ app: App; fhirBase: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const app = await buildApp({ ...hub, config: { ...hub.config, baseUrl } }, { storedTypes });
    try {
      await app.fastify.listen({ port, host: '127.0.0.1' });
      return { app, fhirBase: `${baseUrl}/fhir/R4` };
    } catch (err) {
      await app.fastify.close();
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 3) throw err;
    }
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The error fhir-kit-client throws for a non-2xx answer: the status and the parsed body. */
function httpError(err: unknown): { status: number; data: OperationOutcome } {
  const response = (err as { response?: { status: number; data: OperationOutcome } }).response;
  assert.ok(response, `expected an HTTP error from the client, got ${String(err)}`);
  return response;
}

/**
 * fhir-kit-client types every resource as a record with a resourceType; these two bridge to
 * the @medplum/fhirtypes the project uses. The objects are the client's own (its response
 * metadata stays attached), only their static type changes.
 */
async function answer<T>(pending: Promise<FhirResource>): Promise<T> {
  return (await pending) as unknown as T;
}

function kit(resource: object): FhirResource {
  return resource as FhirResource;
}

function statusOf(result: object): number | undefined {
  return Client.httpFor(kit(result)).response?.status;
}

for (const backend of testDatabases()) {
  describe(`fhir-kit-client over HTTP on ${backend.kind}`, () => {
    let t: TestHub;
    let app: App;
    let fhirBase: string;
    let client: Client;
    before(async () => {
      t = await openTestHub(await backend.open());
      ({ app, fhirBase } = await listenOnLoopback(t.hub));
      client = new Client({ baseUrl: fhirBase, customHeaders: { authorization: `Bearer ${await t.token('care-manager')}` } });
    });
    after(async () => {
      await app.fastify.close();
      await t.close();
    });

    test('the CapabilityStatement is public and names the base it was reached at', async () => {
      const anonymous = new Client({ baseUrl: fhirBase });
      const statement = await answer<CapabilityStatement>(anonymous.capabilityStatement());
      assert.equal(statement.resourceType, 'CapabilityStatement');
      assert.equal(statement.fhirVersion, '4.0.1');
      assert.equal(statement.implementation?.url, fhirBase);
      await assert.rejects(anonymous.read({ resourceType: 'Patient', id: 'x' }), (err) => httpError(err).status === 401);
    });

    test('create, read, vread and update keep versions and answer ETag-versioned resources', async () => {
      const created = await answer<Patient>(
        client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', name: [{ family: 'Kitcreate', given: ['Ada'] }], gender: 'female' } }),
      );
      assert.equal(statusOf(created), 201);
      const { response } = Client.httpFor(kit(created));
      assert.equal(response?.headers.get('location'), `${fhirBase}/Patient/${created.id}/_history/1`);
      assert.equal(response?.headers.get('etag'), 'W/"1"');
      assert.equal(created.meta?.versionId, '1');

      const read = await answer<Patient>(client.read({ resourceType: 'Patient', id: created.id! }));
      assert.deepEqual(read.name, [{ family: 'Kitcreate', given: ['Ada'] }]);

      const updated = await answer<Patient>(
        client.update({ resourceType: 'Patient', id: created.id!, body: kit({ ...read, birthDate: '1990-04-01' }), options: { headers: { 'If-Match': 'W/"1"' } } }),
      );
      assert.equal(statusOf(updated), 200);
      assert.equal(updated.meta?.versionId, '2');
      assert.equal(updated.birthDate, '1990-04-01');

      const first = await answer<Patient>(client.vread({ resourceType: 'Patient', id: created.id!, version: '1' }));
      assert.equal(first.meta?.versionId, '1');
      assert.equal(first.birthDate, undefined);

      // A stale If-Match is refused (http://hl7.org/fhir/R4/http.html#concurrency).
      await assert.rejects(
        client.update({ resourceType: 'Patient', id: created.id!, body: kit(read), options: { headers: { 'If-Match': 'W/"1"' } } }),
        (err) => httpError(err).status === 412 && httpError(err).data.resourceType === 'OperationOutcome',
      );
    });

    test('search pages by following next links until every match was seen exactly once', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 23; i++) {
        const p = await answer<Patient>(client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', name: [{ family: 'Kitpager', given: [`G${i}`] }] } }));
        ids.add(p.id!);
      }
      const seen: string[] = [];
      let pages = 0;
      let page = await answer<Bundle>(client.search({ resourceType: 'Patient', searchParams: { family: 'Kitpager', _count: 5, _total: 'accurate' } }));
      assert.equal(page.total, 23);
      for (;;) {
        pages += 1;
        assert.equal(page.type, 'searchset');
        assert.ok((page.entry?.length ?? 0) <= 5);
        for (const entry of page.entry ?? []) {
          assert.equal(entry.fullUrl, `${fhirBase}/Patient/${entry.resource?.id}`);
          seen.push(entry.resource!.id!);
        }
        const next = client.nextPage({ bundle: kit(page) as Parameters<Client['nextPage']>[0]['bundle'] });
        if (!next) break;
        page = await answer<Bundle>(next);
      }
      assert.equal(pages, 5);
      assert.equal(seen.length, 23, 'no id twice');
      assert.deepEqual(new Set(seen), ids);
    });

    test('a transaction Bundle resolves urn:uuid references to the ids the server assigns', async () => {
      const patientUrn = 'urn:uuid:6a1c2f6e-7d0b-4a44-9a51-0f6f6d3b7e10';
      const entry: BundleEntry[] = [
        {
          fullUrl: patientUrn,
          resource: { resourceType: 'Patient', name: [{ family: 'Kittransaction' }] },
          request: { method: 'POST', url: 'Patient' },
        },
        {
          fullUrl: 'urn:uuid:0b7f8a63-93a5-4bb8-b2f5-5d9a4c1e2a77',
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
            subject: { reference: patientUrn },
            valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
          },
          request: { method: 'POST', url: 'Observation' },
        },
      ];
      const response = await answer<Bundle>(client.transaction({ body: { resourceType: 'Bundle', type: 'transaction', entry } }));
      assert.equal(response.type, 'transaction-response');
      assert.deepEqual(response.entry?.map((e) => e.response?.status.split(' ')[0]), ['201', '201']);
      const [patientLocation, observationLocation] = response.entry!.map((e) => e.response!.location!);
      const patientId = patientLocation!.split('/')[1]!;
      const observation = await answer<Observation>(client.read({ resourceType: 'Observation', id: observationLocation!.split('/')[1]! }));
      assert.equal(observation.subject?.reference, `Patient/${patientId}`);

      // The reference is searchable as written by the server.
      const found = await answer<Bundle>(client.search({ resourceType: 'Observation', searchParams: { patient: patientId } }));
      assert.deepEqual(found.entry?.map((e) => e.resource?.id), [observation.id]);
    });

    test('instance and type history list every version, newest first', async () => {
      const created = await answer<{ id: string }>(client.create({ resourceType: 'Condition', body: conditionFor('Kithistory', 'active') }));
      const current = await answer<{ resourceType: 'Condition' }>(client.read({ resourceType: 'Condition', id: created.id }));
      await client.update({ resourceType: 'Condition', id: created.id, body: kit({ ...current, ...conditionFor('Kithistory', 'resolved'), id: created.id }) });

      const instance = await answer<Bundle>(client.history({ resourceType: 'Condition', id: created.id }));
      assert.equal(instance.type, 'history');
      assert.deepEqual(instance.entry?.map((e) => e.response?.etag), ['W/"2"', 'W/"1"']);
      assert.deepEqual(instance.entry?.map((e) => e.request?.method), ['PUT', 'POST']);

      const ofType = await answer<Bundle>(client.history({ resourceType: 'Condition' }));
      assert.equal(ofType.type, 'history');
      assert.deepEqual(
        ofType.entry?.filter((e) => e.resource?.id === created.id).map((e) => e.resource?.meta?.versionId),
        ['2', '1'],
      );
    });

    test('conditional create (If-None-Exist) creates once, then answers the match', async () => {
      const body: Patient = { resourceType: 'Patient', identifier: [{ system: 'urn:kit:mrn', value: 'K-1' }], name: [{ family: 'Kitconditional' }] };
      const ifNoneExist = { headers: { 'If-None-Exist': 'identifier=urn:kit:mrn|K-1' } };
      const first = await answer<Patient>(client.create({ resourceType: 'Patient', body: kit(body), options: ifNoneExist }));
      assert.equal(statusOf(first), 201);
      const second = await answer<Patient>(client.create({ resourceType: 'Patient', body: kit(body), options: ifNoneExist }));
      assert.equal(statusOf(second), 200);
      assert.equal(second.id, first.id);
      const matches = await answer<Bundle>(client.search({ resourceType: 'Patient', searchParams: { identifier: 'urn:kit:mrn|K-1' } }));
      assert.equal(matches.entry?.length, 1);
    });

    test('delete is refused to a care manager, allowed to an admin, and a read then answers 410 Gone', async () => {
      const created = await answer<Patient>(client.create({ resourceType: 'Patient', body: { resourceType: 'Patient', name: [{ family: 'Kitdelete' }] } }));
      await assert.rejects(client.delete({ resourceType: 'Patient', id: created.id! }), (err) => httpError(err).status === 403);

      const admin = new Client({ baseUrl: fhirBase, customHeaders: { authorization: `Bearer ${await t.token('admin')}` } });
      const deleted = await admin.delete({ resourceType: 'Patient', id: created.id! });
      assert.equal(statusOf(deleted), 204);

      await assert.rejects(client.read({ resourceType: 'Patient', id: created.id! }), (err) => {
        const { status, data } = httpError(err);
        return status === 410 && data.resourceType === 'OperationOutcome' && data.issue[0]?.code === 'deleted';
      });
      // The earlier version stays readable by vread, and history ends with the deletion.
      assert.equal((await answer<Patient>(client.vread({ resourceType: 'Patient', id: created.id!, version: '1' }))).id, created.id);
      const history = await answer<Bundle>(client.history({ resourceType: 'Patient', id: created.id! }));
      assert.deepEqual(history.entry?.map((e) => e.request?.method), ['DELETE', 'POST']);
      await assert.rejects(client.read({ resourceType: 'Patient', id: 'no-such-patient' }), (err) => httpError(err).status === 404);
    });
  });
}

function conditionFor(family: string, clinicalStatus: string): { resourceType: 'Condition' } & Record<string, unknown> {
  return {
    resourceType: 'Condition',
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: clinicalStatus }] },
    code: { text: `${family} condition` },
    subject: { display: family },
  };
}
