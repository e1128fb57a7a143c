import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Patient } from '@medplum/fhirtypes';
import { fixturePatients, fixturePeople, possibleMatchRecord } from '../../identity/identity-fixtures.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { openTestHub, type TestHub } from '../../test-support/test-hub.ts';
import { systemContext } from '../../trust/access-context.ts';

const [p0] = fixturePeople(1);
const labRecord = possibleMatchRecord();

for (const backend of testDatabases()) {
  describe(`identity API on ${backend.kind}`, () => {
    let t: TestHub;
    let admin: string;
    before(async () => {
      t = await openTestHub(await backend.open());
      admin = await t.token('admin', { subject: 'ada.admin' });
      await t.hub.store.transaction(systemContext('test'), async (tx) => {
        for (const p of [...fixturePatients(20), labRecord]) await tx.update(p);
      });
    });
    after(() => t.close());

    const call = (method: 'GET' | 'POST', url: string, body?: unknown, token = admin) =>
      t.app.fastify.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { payload: body as object }) });
    const personOf = async (ref: string) =>
      (await t.hub.db.query<{ person_id: string }>('select person_id from identity_link where record_ref = $1', [ref])).rows[0]?.person_id;

    test('relink, then a person: golden record, per-element source and rule, sources and links with reasons', async () => {
      const relink = await call('POST', '/identity/relink');
      assert.equal(relink.statusCode, 200, relink.body);
      assert.equal(relink.json().persons, 21);
      const id = (await personOf('Patient/clinic-p0'))!;
      const res = await call('GET', `/identity/persons/${id}`);
      assert.equal(res.statusCode, 200);
      const view = res.json();
      assert.equal(view.golden.id, id);
      assert.deepEqual(view.provenance.phone, { source: 'crm', rule: 'authority', sourceRecord: 'Patient/crm-p0' });
      assert.deepEqual(view.sources.map((s: { reference: string }) => s.reference), ['Patient/clinic-p0', 'Patient/crm-p0', 'Patient/payer-p0']);
      assert.ok(view.links.every((l: { reasons: unknown[]; decidedBy: string }) => l.decidedBy === 'auto' && l.reasons.length > 0));
      assert.equal((await call('GET', '/identity/persons/nobody')).statusCode, 404);
    });

    test('$everything on a golden id: the longitudinal record, every resource of every linked source record', async () => {
      const id = (await personOf('Patient/clinic-p0'))!;
      await t.hub.store.transaction(systemContext('test'), async (tx) => {
        await tx.update({ resourceType: 'Observation', id: 'obs-clinic-p0', status: 'final', code: { text: 'HbA1c' }, subject: { reference: 'Patient/clinic-p0' } });
        await tx.update({ resourceType: 'Coverage', id: 'cov-payer-p0', status: 'active', beneficiary: { reference: 'Patient/payer-p0' }, payor: [{ display: 'Plan' }] });
        await tx.update({ resourceType: 'Observation', id: 'obs-clinic-p1', status: 'final', code: { text: 'HbA1c' }, subject: { reference: 'Patient/clinic-p1' } });
      });
      const res = await call('GET', `/fhir/R4/Patient/${id}/$everything`);
      assert.equal(res.statusCode, 200, res.body);
      const refs = res.json().entry.map((e: { resource: { resourceType: string; id: string } }) => `${e.resource.resourceType}/${e.resource.id}`).sort();
      assert.deepEqual(refs, ['Coverage/cov-payer-p0', 'Observation/obs-clinic-p0', `Patient/${id}`, 'Patient/clinic-p0', 'Patient/crm-p0', 'Patient/payer-p0'].sort());
      const source = await call('GET', '/fhir/R4/Patient/clinic-p0/$everything');
      // A source Patient's own compartment: its resources, and the golden Patient that links it (R4 Patient compartment, `link`).
      assert.deepEqual(source.json().entry.map((e: { resource: { id: string } }) => e.resource.id).sort(), [id, 'clinic-p0', 'obs-clinic-p0'].sort());
    });

    test('Patient/$match: the person a new record most likely is, with score and match grade', async () => {
      const probe: Patient = { resourceType: 'Patient', name: [{ family: p0!.family, given: [p0!.given] }], birthDate: p0!.birthDate, gender: p0!.gender, telecom: [{ system: 'phone', value: '(217) 555-1000' }] };
      const res = await call('POST', '/identity/$match', { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: probe }, { name: 'count', valueInteger: 3 }] });
      assert.equal(res.statusCode, 200, res.body);
      const bundle = res.json();
      assert.equal(bundle.type, 'searchset');
      assert.equal(bundle.entry[0].resource.id, await personOf('Patient/clinic-p0'));
      assert.ok(bundle.entry[0].search.score >= 0.95);
      assert.equal(bundle.entry[0].search.extension[0].valueCode, 'certain');
      assert.equal((await call('POST', '/identity/$match', { resourceType: 'Parameters' })).statusCode, 400);
    });

    test('review queue side by side; "not a match" is remembered and never proposed again', async () => {
      const res = await call('GET', '/identity/review');
      assert.equal(res.statusCode, 200);
      const items = res.json().items as { id: number; a: { resource: Patient }; b: { resource: Patient }; weights: unknown[] }[];
      assert.ok(items.length >= 1);
      assert.ok(items.every((i) => i.a.resource.resourceType === 'Patient' && i.b.resource.resourceType === 'Patient' && i.weights.length > 0));
      for (const item of items) {
        const decided = await call('POST', `/identity/review/${item.id}`, { decision: 'not-a-match' });
        assert.equal(decided.statusCode, 200, decided.body);
      }
      assert.equal((await call('POST', `/identity/review/${items[0]!.id}`, { decision: 'link' })).statusCode, 409);
      await call('POST', '/identity/relink');
      assert.equal((await call('GET', '/identity/review')).json().items.length, 0);
      assert.equal((await call('POST', '/identity/review/1', { decision: 'maybe' })).statusCode, 400);
    });

    test('merge and unmerge by API; members are refused', async () => {
      const a = (await personOf('Patient/clinic-p1'))!;
      const b = (await personOf('Patient/clinic-p2'))!;
      const member = await t.token('member', { personId: 'clinic-p1' });
      assert.equal((await call('POST', `/identity/persons/${a}/merge`, { other: b }, member)).statusCode, 403);
      assert.equal((await call('POST', `/identity/persons/${a}/merge`, { other: b })).statusCode, 200);
      const redirected = await t.hub.store.read<Patient>(systemContext('test'), 'Patient', b);
      assert.deepEqual(redirected.link, [{ other: { reference: `Patient/${a}` }, type: 'replaced-by' }]);
      const unmerge = await call('POST', `/identity/persons/${b}/unmerge`);
      assert.equal(unmerge.statusCode, 200);
      assert.equal(unmerge.json().restored.length, 3);
      const link = await call('POST', `/identity/persons/${a}/link`, { record: 'Patient/lab-x' });
      assert.equal(link.statusCode, 200);
      assert.equal(await personOf('Patient/lab-x'), a);
      const unlink = await call('POST', '/identity/unlink', { record: 'Patient/lab-x' });
      assert.notEqual(unlink.json().personId, a);
      assert.equal((await t.app.fastify.inject({ method: 'GET', url: '/identity/review' })).statusCode, 401);
    });
  });
}
