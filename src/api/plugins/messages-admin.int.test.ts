import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { markFailed, receiveMessage } from '../../integration/message-store/message-store.ts';
import { recordQualityChecks } from '../../integration/quality/quality-store.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { openTestHub, type TestHub } from '../../test-support/test-hub.ts';

const hl7 = (controlId: string) =>
  new TextEncoder().encode(`MSH|^~\\&|LAB|GENERAL|LNG|HUB|20260101||ORU^R01|${controlId}|P|2.5.1\rPID|1||MRN7`);

for (const backend of testDatabases()) {
  describe(`message admin API on ${backend.kind}`, () => {
    let t: TestHub;
    let admin: string;
    let ids: number[];
    before(async () => {
      t = await openTestHub(await backend.open());
      admin = await t.token('admin');
      ids = [];
      for (const c of ['m1', 'm2', 'm3']) {
        const receipt = await receiveMessage(t.hub.db, { channel: 'lab', content: hl7(c), messageType: 'ORU^R01', controlId: c, orderingKey: 'MRN7' });
        ids.push(receipt.id);
      }
      await markFailed(t.hub.db, ids[1]!, { stage: 'map', code: 'LNG_HL7_BAD_VALUE', message: 'OBX-5 is not a number', element: 'OBX-5' }, { retryable: false });
    });
    after(() => t.close());

    const get = (url: string, token = admin) => t.app.fastify.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const post = (url: string, token = admin) => t.app.fastify.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` } });

    test('search messages by channel and status, newest first, without their content', async () => {
      const res = await get('/admin/messages?channel=lab&status=errored');
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.deepEqual(body.messages.map((m: { id: number }) => m.id), [ids[1]]);
      assert.equal(body.messages[0].error.element, 'OBX-5');
      assert.equal(body.messages[0].content, undefined);
    });

    test('open one message: its text and what it produced', async () => {
      const res = await get(`/admin/messages/${ids[0]}`);
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.match(body.message.text, /^MSH\|\^~\\&\|LAB/);
      assert.match(body.message.text, /\nPID\|1\|\|MRN7$/);
      assert.deepEqual(body.outputs, []);
      assert.equal((await get('/admin/messages/999999')).statusCode, 404);
    });

    test('reprocess one message, and every errored one of a channel', async () => {
      assert.equal((await post(`/admin/messages/${ids[1]}/reprocess`)).statusCode, 202);
      await markFailed(t.hub.db, ids[1]!, { stage: 'map', code: 'x', message: 'again' }, { retryable: false });
      const res = await post('/admin/messages/reprocess?channel=lab&status=errored');
      assert.equal(res.statusCode, 202);
      assert.deepEqual(res.json(), { requeued: 1 });
      assert.equal((await post('/admin/messages/reprocess')).statusCode, 400);
    });

    test('the interface monitor counts per channel', async () => {
      const res = await get('/admin/channels');
      assert.equal(res.statusCode, 200);
      const [lab] = res.json().channels;
      assert.equal(lab.channel, 'lab');
      assert.equal(lab.received, 3);
    });

    test('throughput per minute and channel, for the monitor chart', async () => {
      const res = await get('/admin/channels/throughput?minutes=30');
      assert.equal(res.statusCode, 200, res.body);
      const lab = res.json().buckets.filter((b: { channel: string }) => b.channel === 'lab');
      assert.equal(lab.reduce((n: number, b: { received: number }) => n + b.received, 0), 3);
      assert.match(lab[0].at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
      assert.equal((await get('/admin/channels/throughput?minutes=0')).statusCode, 400);
    });

    test('the data-quality report per source, with per-rule rates', async () => {
      await recordQualityChecks(t.hub.db, { source: 'hospital', channel: 'lab' }, [
        { resourceType: 'Observation', resourceRef: 'o1', findings: [{ ruleId: 'code-loinc', severity: 'error', location: 'Observation.code', message: 'bad check digit' }] },
        { resourceType: 'Observation', resourceRef: 'o2', findings: [] },
      ]);
      const res = await get('/admin/quality');
      assert.equal(res.statusCode, 200, res.body);
      const [hospital] = res.json().sources;
      assert.deepEqual([hospital.source, hospital.records, hospital.score], ['hospital', 2, 0.5]);
      assert.deepEqual(hospital.checks, [{ check: 'code-loinc', severity: 'error', failed: 1, findings: 1, rate: 0.5 }]);
      assert.equal((await get('/admin/quality', await t.token('care-manager'))).statusCode, 403);
    });

    test('bad queries name the parameter; other roles are refused and audited', async () => {
      const bad = await get('/admin/messages?status=lost');
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(bad.json().issue[0].expression, ['status']);
      const unknown = await get('/admin/messages?colour=red');
      assert.equal(unknown.statusCode, 400);
      assert.deepEqual(unknown.json().issue[0].expression, ['colour']);
      const careManager = await t.token('care-manager');
      assert.equal((await get('/admin/messages', careManager)).statusCode, 403);
      assert.equal((await get('/admin/messages')).statusCode, 200);
      assert.equal((await get('/admin/messages', 'not-a-token')).statusCode, 401);
      await t.hub.audit.flush();
      const { rows } = await t.hub.db.query<{ n: number }>(
        `select count(*)::int as n from audit_event where event->>'outcome' = '4' and event::text like '%InboundMessage%'`,
      );
      assert.ok(rows[0]!.n >= 1);
    });
  });
}
