import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Patient } from '@medplum/fhirtypes';
import { openTestHub, type TestHub } from '../../test-support/test-hub.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { createAccessContext } from '../../trust/access-context.ts';
import { parseMessageOrThrow } from '../hl7v2/parse.ts';
import { MLLP_END, MLLP_START } from '../hl7v2/mllp.ts';
import { searchMessages } from '../message-store/message-query.ts';
import { qualityReport } from '../quality/index.ts';
import { MllpClient } from './mllp-client.ts';

/** An ADT^A01 for a patient of our own (random MRN, so runs never see each other's rows). */
function admit(controlId: string, mrn: string, birthDate = '19700101'): string {
  return [
    `MSH|^~\\&|ADT|GENERAL|HUB|HUB|20260301100000||ADT^A01^ADT_A01|${controlId}|P|2.5.1`,
    'EVN|A01|20260301100000',
    `PID|1||${mrn}^^^GENERAL^MR||Okafor^Ada||${birthDate}|F`,
    'PV1|1|I|W1^1^A||||1^Welby^Marcus||||||||||||V1|||||||||||||||||||||||||20260301080000',
  ].join('\r');
}

/** MSA-1 and MSA-2 of an ACK, plus ERR-7 when there is one. */
function readAck(ack: Buffer): { code: string; controlId: string; error: string } {
  const message = parseMessageOrThrow(ack);
  return { code: message.get('MSA-1') ?? '', controlId: message.get('MSA-2') ?? '', error: message.get('ERR-7') ?? message.get('MSA-3') ?? '' };
}

const uid = () => Math.random().toString(36).slice(2, 10).toUpperCase();

for (const backend of testDatabases()) {
  describe(`MLLP channel over real TCP on ${backend.kind}`, () => {
    let hub: TestHub;
    let port: number;
    let client: MllpClient;
    before(async () => {
      hub = await openTestHub(await backend.open(), { hl7Port: 0 });
      const [channel] = await hub.hub.integration.listen();
      port = channel!.port;
      client = await MllpClient.open(port);
    });
    after(async () => {
      await client.close();
      await hub.close();
    });

    async function patientsWithMrn(mrn: string): Promise<Patient[]> {
      const { rows } = await hub.hub.db.query<{ content: Patient }>(
        `select r.content from resource r join search_token t on t.resource_type = r.resource_type and t.id = r.id
          where r.resource_type = 'Patient' and not r.deleted and t.code = 'identifier' and t.value = $1`,
        [mrn],
      );
      return rows.map((r) => r.content);
    }

    test('AA once the message is stored and in the record; the ACK names the message it answers', async () => {
      const mrn = `M${uid()}`;
      const ack = readAck(await client.send(admit('CTRL-1', mrn)));
      assert.deepEqual([ack.code, ack.controlId], ['AA', 'CTRL-1']);
      const [stored] = await searchMessages(hub.hub.db, { channel: 'hl7', controlId: 'CTRL-1' });
      assert.equal(stored?.status, 'processed');
      assert.equal(stored?.messageType, 'ADT^A01');
      assert.equal(stored?.orderingKey, `${mrn}^GENERAL`);
      const patients = await patientsWithMrn(mrn);
      assert.equal(patients.length, 1);
      assert.equal(patients[0]?.name?.[0]?.family, 'Okafor');
      // Every mapped message passes the data-quality checks at entry, recorded by sender.
      const [report] = await qualityReport(hub.hub.db, { source: 'adt.general' });
      assert.ok((report?.checked ?? 0) >= 2, 'the Patient and Encounter were checked');
    });

    test('a resend of the same message is answered again and adds nothing', async () => {
      const mrn = `M${uid()}`;
      const message = admit('CTRL-2', mrn);
      assert.equal(readAck(await client.send(message)).code, 'AA');
      const again = readAck(await client.send(message));
      assert.deepEqual([again.code, again.controlId], ['AA', 'CTRL-2']);
      assert.equal((await searchMessages(hub.hub.db, { channel: 'hl7', controlId: 'CTRL-2' })).length, 1);
      assert.equal((await patientsWithMrn(mrn)).length, 1);
    });

    test('AE with ERR naming the element when mapping fails; the message is kept, errored', async () => {
      const ack = readAck(await client.send(admit('CTRL-3', `M${uid()}`, '19991399')));
      assert.deepEqual([ack.code, ack.controlId], ['AE', 'CTRL-3']);
      assert.match(ack.error, /PID-7/);
      const [stored] = await searchMessages(hub.hub.db, { channel: 'hl7', controlId: 'CTRL-3' });
      assert.equal(stored?.status, 'errored');
      assert.equal(stored?.error?.element, 'PID-7');
    });

    test('AR for what cannot be parsed, and the bytes are kept all the same', async () => {
      const before = (await searchMessages(hub.hub.db, { channel: 'hl7', status: 'errored' })).length;
      const ack = readAck(await client.send('MSH|^~\\&|ADT|GENERAL|HUB|HUB|20260301||ADT^A01|CTRL-4|P|9.9\rPID|1'));
      assert.equal(ack.code, 'AR');
      assert.equal(ack.controlId, 'CTRL-4');
      const errored = await searchMessages(hub.hub.db, { channel: 'hl7', status: 'errored' });
      assert.equal(errored.length, before + 1);
      assert.equal(errored[0]?.error?.stage, 'parse');
    });

    test('pipelined messages on one connection are answered in order, and connections run side by side', async () => {
      const second = await MllpClient.open(port);
      try {
        const ids = Array.from({ length: 20 }, (_, i) => `PIPE-${i}`);
        const acks = await Promise.all([
          ...ids.slice(0, 10).map((id) => client.send(admit(id, `M${uid()}`))),
          ...ids.slice(10).map((id) => second.send(admit(id, `M${uid()}`))),
        ]);
        assert.deepEqual(acks.map((a) => readAck(a).controlId), ids);
        assert.ok(acks.every((a) => readAck(a).code === 'AA'));
      } finally {
        await second.close();
      }
    });

    test('frames that arrive together are handled together, each answered for itself and in order', async () => {
      // One TCP write, so the listener hands all five to the receiver at once (one commit).
      const mrn = `M${uid()}`;
      const frames = [
        admit('BURST-1', mrn),
        admit('BURST-2', `M${uid()}`, '19991399'),
        'MSH|^~\\&|ADT|GENERAL|HUB|HUB|20260301||ADT^A01|BURST-3|P|9.9\rPID|1',
        admit('BURST-4', `M${uid()}`),
        admit('BURST-1', mrn),
      ];
      const burst = await MllpClient.open(port);
      try {
        const acks = frames.map(() => burst.expectAck());
        burst.writeRaw(Buffer.concat(frames.map((f) => Buffer.from([MLLP_START, ...Buffer.from(f), MLLP_END, 0x0d]))));
        const answered = (await Promise.all(acks)).map(readAck);
        assert.deepEqual(answered.map((a) => `${a.controlId} ${a.code}`), ['BURST-1 AA', 'BURST-2 AE', 'BURST-3 AR', 'BURST-4 AA', 'BURST-1 AA']);
        assert.match(answered[1]!.error, /PID-7/);
      } finally {
        await burst.close();
      }
      // The unparseable frame is kept too, without a control id (its header could not be read).
      const stored = await Promise.all(['BURST-1', 'BURST-2', 'BURST-4'].map((controlId) => searchMessages(hub.hub.db, { channel: 'hl7', controlId })));
      assert.deepEqual(stored.map((s) => s.map((m) => m.status)), [['processed'], ['errored'], ['processed']]);
      assert.equal((await patientsWithMrn(mrn)).length, 1, 'the resend inside the burst added nothing');
    });

    test('a frame split across TCP writes, and noise between frames, still gets its one ACK', async () => {
      const framed = Buffer.concat([Buffer.from('\n\n'), Buffer.from([MLLP_START]), Buffer.from(admit('CTRL-6', `M${uid()}`)), Buffer.from([MLLP_END, 0x0d])]);
      const split = await MllpClient.open(port);
      try {
        const ack = split.expectAck();
        for (const piece of [framed.subarray(0, 5), framed.subarray(5, framed.length - 1), framed.subarray(framed.length - 1)]) split.writeRaw(piece);
        assert.deepEqual(readAck(await ack).controlId, 'CTRL-6');
      } finally {
        await split.close();
      }
    });

    test('channel counts and ACK latency show in the interface monitor and on /metrics', async () => {
      const operator = createAccessContext({ actor: { type: 'user', id: 'ops' }, role: 'admin' });
      const [stats] = await hub.hub.integration.admin.channels(operator);
      assert.equal(stats?.channel, 'hl7');
      assert.ok((stats?.processed ?? 0) >= 20);
      assert.ok(stats?.ackP50Ms !== null && stats?.ackP95Ms !== null);
      const metrics = await hub.hub.metrics.registry.metrics();
      assert.match(metrics, /longitude_channel_messages\{channel="hl7",status="processed"\} \d+/);
      assert.match(metrics, /longitude_mllp_ack_seconds_count\{channel="hl7",code="AA"\} \d+/);
      assert.match(metrics, /longitude_mllp_ack_seconds_count\{channel="hl7",code="AR"\} 2/, 'the unparseable frame alone and the one in the burst');
    });
  });
}

for (const backend of testDatabases()) {
  describe(`MLLP channel that ACKs once stored, many senders at once, on ${backend.kind}`, () => {
    let hub: TestHub;
    let port: number;
    before(async () => {
      hub = await openTestHub(await backend.open(), { hl7Channels: [{ name: 'hl7s', port: 0, host: '127.0.0.1', ackAfter: 'stored' }] });
      // No worker: what is stored stays received, so only the receipt path is under test.
      const [channel] = await hub.hub.integration.listen({ worker: false });
      port = channel!.port;
    });
    after(() => hub.close());

    /** How many rows hold this control id, read on a connection of its own: committed rows only. */
    async function storedRows(controlId: string): Promise<number> {
      const { rows } = await hub.hub.db.query<{ n: number }>(`select count(*)::int as n from inbound_message where channel = 'hl7s' and control_id = $1`, [controlId]);
      return rows[0]!.n;
    }

    test('eight senders, patients shared between them: each ACK is its own message, already committed', async () => {
      const patients = Array.from({ length: 3 }, () => `M${uid()}`);
      const senders = await Promise.all(Array.from({ length: 8 }, () => MllpClient.open(port)));
      try {
        await Promise.all(
          senders.map(async (sender, s) => {
            for (let i = 0; i < 12; i++) {
              const controlId = `MANY-${s}-${i}`;
              const ack = readAck(await sender.send(admit(controlId, patients[(s + i) % patients.length]!)));
              assert.deepEqual([ack.code, ack.controlId], ['AA', controlId]);
              assert.equal(await storedRows(controlId), 1, `${controlId} is committed when its ACK arrives`);
            }
          }),
        );
      } finally {
        await Promise.all(senders.map((c) => c.close()));
      }
      // One sender's messages of a patient are stored in the order it sent them.
      const { rows } = await hub.hub.db.query<{ id: number; control_id: string }>(`select id, control_id from inbound_message where channel = 'hl7s' and control_id like 'MANY-%'`);
      assert.equal(rows.length, 96);
      const idOf = new Map(rows.map((r) => [r.control_id, Number(r.id)]));
      for (let s = 0; s < 8; s++) {
        const ids = Array.from({ length: 12 }, (_, i) => idOf.get(`MANY-${s}-${i}`)!);
        assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      }
    });

    test('the same message from two senders at once is stored once and both are answered', async () => {
      const message = admit('TWICE-1', `M${uid()}`);
      const [a, b] = await Promise.all([MllpClient.open(port), MllpClient.open(port)]);
      try {
        const acks = (await Promise.all([a.send(message), b.send(message)])).map(readAck);
        assert.deepEqual(acks.map((x) => `${x.code} ${x.controlId}`), ['AA TWICE-1', 'AA TWICE-1']);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
      const [stored, ...more] = await searchMessages(hub.hub.db, { channel: 'hl7s', controlId: 'TWICE-1' });
      assert.equal(more.length, 0);
      assert.deepEqual([stored?.receiptCount, stored?.status], [2, 'received']);
    });
  });
}
