import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Observation } from '@medplum/fhirtypes';
import { fixturePatients, fixturePeople } from '../../identity/identity-fixtures.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { openTestHub, type TestHub } from '../../test-support/test-hub.ts';
import { systemContext } from '../../trust/access-context.ts';
import { receiveMessage } from '../../integration/message-store/message-store.ts';

const people = fixturePeople(20);
const p4 = people[4]!; // Katherine Montgomery: in the clinic, payer and CRM silos (Kate in the CRM)
const fullName = encodeURIComponent(`${p4.given} ${p4.family}`);
/** As a caller might spell it on the phone: a letter dropped, two swapped. */
const misspelled = encodeURIComponent('Kathrine Montgmoery');

/** An HbA1c from the lab feed and a blood pressure from the clinic, on p4's clinic record. */
const observations: Observation[] = [
  {
    resourceType: 'Observation', id: 'a1c-1', status: 'final', meta: { source: 'urn:longitude:channel/hl7%3Alabs#ORU-1' },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c' }] },
    subject: { reference: 'Patient/clinic-p4' }, effectiveDateTime: '2025-03-01', valueQuantity: { value: 8.1, unit: '%' },
  },
  {
    resourceType: 'Observation', id: 'bp-1', status: 'final', meta: { source: 'urn:longitude:channel/fhir%3Aehr-clinic#B-1' },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel' }] },
    subject: { reference: 'Patient/clinic-p4' }, effectiveDateTime: '2025-06-01',
    component: [
      { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 142, unit: 'mm[Hg]' } },
      { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 91, unit: 'mm[Hg]' } },
    ],
  },
];

for (const backend of testDatabases()) {
  describe(`finding a person and their timeline on ${backend.kind}`, () => {
    let t: TestHub;
    let careManager: string;
    let agent: string;
    before(async () => {
      t = await openTestHub(await backend.open());
      careManager = await t.token('care-manager', { subject: 'casey' });
      agent = await t.token('service-agent', { subject: 'sam' });
      // One MLLP channel carrying the reference lab's results: the silo is MSH-4, kept as the sender.
      const { id: messageId } = await receiveMessage(t.hub.db, { channel: 'hl7', sender: 'LAB^REFLAB', content: new TextEncoder().encode('MSH|^~\\&|LAB|REFLAB|||20250401||ORU^R01|G1|P|2.5.1'), messageType: 'ORU^R01', controlId: 'G1' });
      const glucose: Observation = { ...observations[0]!, id: 'glu-1', meta: { source: `urn:longitude:channel/hl7#${messageId}` }, effectiveDateTime: '2025-04-01', code: { coding: [{ system: 'http://loinc.org', code: '2345-7', display: 'Glucose' }] }, valueQuantity: { value: 104, unit: 'mg/dL' } };
      await t.hub.store.transaction(systemContext('test'), async (tx) => {
        for (const r of [...fixturePatients(20), ...observations, glucose]) await tx.update(r);
      });
      const admin = await t.token('admin');
      const relink = await t.app.fastify.inject({ method: 'POST', url: '/identity/relink', headers: { authorization: `Bearer ${admin}` } });
      assert.equal(relink.statusCode, 200, relink.body);
    });
    after(() => t.close());

    const get = (url: string, token = careManager) => t.app.fastify.inject({ url, headers: { authorization: `Bearer ${token}` } });
    const find = async (query: string) => {
      const res = await get(`/identity/persons?${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json().persons as { id: string; name: string; matchedOn: string[]; sourceCount: number; identifiers: { value: string }[] }[];
    };

    test('a misspelled name finds the person, once, with every silo behind them', async () => {
      const [first] = await find(`q=${misspelled}`);
      assert.match(first!.name, new RegExp(`${p4.given} (J )?${p4.family}`, 'i'));
      assert.deepEqual(first!.matchedOn, ['name (similar)']);
      assert.equal(first!.sourceCount, 3);
    });

    test('the nickname the CRM holds finds the same person', async () => {
      const [byNick] = await find(`q=Kate%20${encodeURIComponent(p4.family)}`);
      const [byName] = await find(`q=${fullName}`);
      assert.equal(byNick!.id, byName!.id);
    });

    test('birth date, phone, and any silo identifier find the person', async () => {
      const id = (await find(`q=${fullName}`))[0]!.id;
      assert.ok((await find(`birthdate=${p4.birthDate}`)).some((p) => p.id === id));
      assert.equal((await find(`phone=${encodeURIComponent(p4.phone.replace(/\D/g, ''))}`))[0]?.id, id);
      assert.equal((await find('identifier=MRN000004'))[0]?.id, id);
      assert.equal((await find('identifier=M00000004'))[0]?.id, id);
      assert.deepEqual(await find('q=Zebulon%20Quackenbush'), []);
    });

    test('a query that names nothing, or a bad date, is a 400 naming the parameter', async () => {
      const none = await get('/identity/persons');
      assert.equal(none.statusCode, 400);
      assert.equal(none.json().issue[0].expression[0], 'q');
      assert.equal((await get('/identity/persons?birthdate=soon')).statusCode, 400);
    });

    test('the timeline joins the silos, badged by source, with lab values for trends', async () => {
      const id = (await find(`q=${fullName}`))[0]!.id;
      const res = await get(`/identity/persons/${id}/timeline`);
      assert.equal(res.statusCode, 200, res.body);
      const timeline = res.json();
      assert.deepEqual(timeline.items.map((i: { ref: string }) => i.ref), ['Observation/bp-1', 'Observation/glu-1', 'Observation/a1c-1']);
      const [bp, glucose, a1c] = timeline.items;
      assert.deepEqual(glucose.source, { system: 'hl7', silo: 'reflab' });
      assert.equal(glucose.sourceUri, undefined);
      assert.deepEqual(a1c.source, { system: 'hl7:labs', silo: 'labs' });
      assert.deepEqual(a1c.value, { value: 8.1, unit: '%' });
      assert.equal(bp.kind, 'vital');
      assert.deepEqual(bp.components.map((c: { code: string; value: number }) => [c.code, c.value]), [['8480-6', 142], ['8462-4', 91]]);
      assert.deepEqual(timeline.withheld, []);
      const labsOnly = (await get(`/identity/persons/${id}/timeline?source=labs`)).json();
      assert.deepEqual(labsOnly.items.map((i: { ref: string }) => i.ref), ['Observation/a1c-1']);
    });

    test('a service agent sees the person but not the clinical part, and is told what was left out', async () => {
      const id = (await find(`q=${fullName}`))[0]!.id;
      const res = await get(`/identity/persons/${id}/timeline`, agent);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().items, []);
      assert.ok(res.json().withheld.includes('Observation'));
      assert.equal((await get('/fhir/R4/Observation/a1c-1', agent)).statusCode, 403);
    });
  });
}
