/**
 * Contract tests of /signals and the CDS Hooks 2.0 service, through inject(), on each backend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Observation, Patient, ServiceRequest } from '@medplum/fhirtypes';
import { SignalRunner } from '../../intelligence/signals/index.ts';
import { systemContext } from '../../trust/access-context.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { openTestHub, type TestHub } from '../../test-support/test-hub.ts';

const ctx = systemContext('test:signals-api');
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

function hba1c(patientId: string, day: string, channel: string): Observation {
  return {
    resourceType: 'Observation',
    status: 'final',
    meta: { source: `urn:longitude:channel/${channel}#${day}` },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '4548-4' }], text: 'HbA1c' },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: `${day}T09:00:00Z`,
    valueQuantity: { value: 7.2, unit: '%' },
  };
}

const draftHba1c: ServiceRequest = {
  resourceType: 'ServiceRequest',
  id: 'draft-1',
  status: 'draft',
  intent: 'order',
  code: { coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c' }] },
  subject: { reference: 'Patient/x' },
};

for (const backend of testDatabases()) {
  describe(`/signals and CDS Hooks on ${backend.kind}`, () => {
    let t: TestHub;
    let patientId: string;
    let bare: string;
    let token: string;
    before(async () => {
      t = await openTestHub(await backend.open());
      token = await t.token('care-manager');
      patientId = (await t.hub.store.create<Patient>(ctx, { resourceType: 'Patient', name: [{ family: 'Api' }] })).resource.id!;
      bare = (await t.hub.store.create<Patient>(ctx, { resourceType: 'Patient', name: [{ family: 'Bare' }] })).resource.id!;
      await t.hub.store.create(ctx, hba1c(patientId, daysAgo(50), 'lab'));
      await t.hub.store.create(ctx, hba1c(patientId, daysAgo(10), 'ehr'));
      await new SignalRunner({ ...t.hub, services: {} }).runPerson(ctx, { id: patientId, patientIds: [patientId] });
    });
    after(() => t.close());

    const call = (method: 'GET' | 'POST', url: string, payload?: unknown, bearer: string | null = token) =>
      t.app.fastify.inject({ method, url, ...(payload !== undefined ? { payload: payload as object } : {}), headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

    test('list by person and status, get one, and the lifecycle with reasons', async () => {
      const list = await call('GET', `/signals?person=${patientId}&status=open,acknowledged`);
      assert.equal(list.statusCode, 200);
      const [signal] = list.json().signals;
      assert.equal(signal.kind, 'duplicate-test');
      assert.equal(signal.person.id, patientId);
      assert.deepEqual(signal.evidence.map((e: { sourceSystem: string }) => e.sourceSystem), ['lab', 'ehr']);
      assert.equal((await call('GET', `/signals/${signal.id}`)).json().signal.findingKey, signal.findingKey);
      assert.equal((await call('GET', `/signals?kind=care-gap&person=${patientId}`)).json().signals.length, 0);

      assert.equal((await call('GET', '/signals?assignee=me')).json().signals.length, 0);
      const assigned = await call('POST', `/signals/${signal.id}/assign`, {});
      assert.equal(assigned.statusCode, 200, assigned.body);
      assert.equal(assigned.json().signal.lifecycle.assignee, 'user:care-manager-tester');
      assert.deepEqual((await call('GET', '/signals?assignee=me')).json().signals.map((s: { id: string }) => s.id), [signal.id]);

      const acked = await call('POST', `/signals/${signal.id}/acknowledge`, {});
      assert.equal(acked.statusCode, 200);
      assert.equal(acked.json().signal.lifecycle.assignee, 'user:care-manager-tester', 'acknowledging keeps whom it is with');
      assert.deepEqual([acked.json().signal.lifecycle.status, acked.json().signal.lifecycle.by], ['acknowledged', 'user:care-manager-tester']);
      assert.equal((await call('POST', `/signals/${signal.id}/acknowledge`, {})).statusCode, 409);
      assert.equal((await call('POST', `/signals/${signal.id}/dismiss`, {})).statusCode, 400);
      assert.equal((await call('GET', '/signals?status=bogus')).statusCode, 400);
    });

    test('the policy and authentication apply: no token 401, a service agent may not read clinical signals', async () => {
      assert.equal((await call('GET', '/signals', undefined, null)).statusCode, 401);
      assert.equal((await call('GET', '/signals', undefined, await t.token('service-agent'))).statusCode, 403);
      assert.equal((await call('GET', '/signals/sig-nope')).statusCode, 404);
    });

    test('CDS Hooks discovery is public and lists the three services with prefetch templates', async () => {
      const res = await call('GET', '/cds-services', undefined, null);
      assert.equal(res.statusCode, 200);
      const services = res.json().services as { hook: string; id: string; description: string; prefetch?: Record<string, string> }[];
      assert.deepEqual(services.map((s) => s.hook), ['patient-view', 'order-select', 'order-sign']);
      for (const s of services) assert.ok(s.id && s.description && s.prefetch?.patient === 'Patient/{{context.patientId}}');
    });

    test('patient-view: a card per open signal, with summary, detail, indicator, source, suggestions and links', async () => {
      const res = await call('POST', '/cds-services/longitude-signals', { hook: 'patient-view', hookInstance: 'h1', context: { patientId, userId: 'Practitioner/1' } });
      assert.equal(res.statusCode, 200);
      const [card] = res.json().cards;
      assert.ok(card.summary.length <= 140 && /HbA1c repeated/.test(card.summary));
      assert.match(card.detail, /Evidence: .*\(lab\).*\(ehr\)/);
      assert.equal(card.indicator, 'warning');
      assert.match(card.source.label, /duplicate-test\/HbA1c/);
      assert.equal(card.suggestions[0].isRecommended, true);
      assert.match(card.links[0].url, /\/signals\/sig-/);
      const wrongHook = await call('POST', '/cds-services/longitude-signals', { hook: 'order-select', hookInstance: 'h1', context: { patientId } });
      assert.equal(wrongHook.statusCode, 400);
    });

    test('order-select: a drafted HbA1c order duplicating a recent result (from the record) gets a warning card', async () => {
      const draftOrders = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draftHba1c }] };
      const res = await call('POST', '/cds-services/longitude-duplicate-lab-order', { hook: 'order-select', hookInstance: 'h2', context: { patientId, userId: 'Practitioner/1', selections: ['ServiceRequest/draft-1'], draftOrders } });
      assert.equal(res.statusCode, 200);
      const [card] = res.json().cards;
      assert.equal(card.indicator, 'warning');
      assert.match(card.summary, new RegExp(`HbA1c already resulted on ${daysAgo(10)} \\(ehr\\)`));
      assert.deepEqual(card.suggestions[0].actions[0], { type: 'delete', description: 'Remove the draft HbA1c order', resourceId: ['ServiceRequest/draft-1'] });
    });

    test('order-sign honours prefetch: prefetched labs decide, the record is not read', async () => {
      const draftOrders = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draftHba1c }] };
      const labs = { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { ...hba1c(bare, daysAgo(3), 'outside-lab'), id: 'pre-1' } }] };
      const withPrefetch = await call('POST', '/cds-services/longitude-duplicate-lab-order-sign', { hook: 'order-sign', hookInstance: 'h3', context: { patientId: bare, draftOrders }, prefetch: { patient: { resourceType: 'Patient', id: bare }, labs } });
      assert.match(withPrefetch.json().cards[0].summary, /\(outside-lab\)/);
      const emptyPrefetch = await call('POST', '/cds-services/longitude-duplicate-lab-order-sign', { hook: 'order-sign', hookInstance: 'h4', context: { patientId, draftOrders }, prefetch: { labs: { resourceType: 'Bundle', type: 'searchset', entry: [] } } });
      assert.deepEqual(emptyPrefetch.json().cards, []);
    });

    test('feedback is recorded; accepting a signal card acknowledges the signal', async () => {
      const created = await t.hub.store.create<Patient>(ctx, { resourceType: 'Patient', name: [{ family: 'Feedback' }] });
      const id = created.resource.id!;
      await t.hub.store.create(ctx, hba1c(id, daysAgo(30), 'lab'));
      await t.hub.store.create(ctx, hba1c(id, daysAgo(2), 'lab'));
      await new SignalRunner({ ...t.hub, services: {} }).runPerson(ctx, { id, patientIds: [id] });
      const [card] = (await call('POST', '/cds-services/longitude-signals', { hook: 'patient-view', hookInstance: 'h5', context: { patientId: id } })).json().cards;
      const res = await call('POST', '/cds-services/longitude-signals/feedback', { feedback: [{ card: card.uuid, outcome: 'accepted', acceptedSuggestions: [{ id: card.suggestions[0].uuid }], outcomeTimestamp: new Date().toISOString() }] });
      assert.equal(res.statusCode, 200);
      assert.equal((await call('GET', `/signals/${card.uuid}`)).json().signal.lifecycle.status, 'acknowledged');
      const overridden = await call('POST', '/cds-services/longitude-duplicate-lab-order/feedback', { feedback: [{ card: 'c-1', outcome: 'overridden', overrideReason: { reason: { code: 'clinically-indicated' } }, outcomeTimestamp: new Date().toISOString() }] });
      assert.equal(overridden.statusCode, 200);
      const { rows } = await t.hub.db.query<{ n: number }>(`select count(*)::int as n from audit_event where event::text like '%CDS Hooks feedback%'`);
      assert.equal(Number(rows[0]!.n), 2);
    });
  });
}
