import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Db } from '../../platform/db/db.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { MessageIntake } from './message-intake.ts';
import { channelStats, matchingMessageIds, searchMessages } from './message-query.ts';
import {
  claimDueMessages,
  getMessage,
  markFailed,
  markFiltered,
  markProcessed,
  messageOutputs,
  receiveMessage,
  receiveMessages,
  receiveNotingLatencies,
  requeueMessages,
  type InboundMessage,
} from './message-store.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

function adt(controlId: string, patient: string, extra = ''): InboundMessage {
  return {
    channel: 'adt',
    sender: 'EHR^GENERAL',
    content: bytes(`MSH|^~\\&|EHR|GENERAL|LNG|HUB|20260101||ADT^A08|${controlId}|P|2.5\rPID|1||${patient}${extra}`),
    messageType: 'ADT^A08',
    controlId,
    orderingKey: patient,
  };
}

/** Claims what is due in one transaction and returns the ids, leaving them received. */
async function dueIds(db: Db, limit = 100): Promise<number[]> {
  return db.transaction(async (tx) => (await claimDueMessages(tx, limit)).map((m) => m.id));
}

for (const backend of testDatabases()) {
  describe(`message store on ${backend.kind}`, () => {
    let db: Db;
    before(async () => {
      db = await backend.open();
    });
    after(() => db.close());
    beforeEach(() => db.exec('delete from inbound_message_output; delete from inbound_message;'));

    test('a message is kept byte for byte with its hash, and comes back by id', async () => {
      const message = adt('c1', 'MRN1', '\u00e9');
      const receipt = await receiveMessage(db, message);
      assert.equal(receipt.duplicate, false);
      assert.equal(receipt.status, 'received');
      const stored = await getMessage(db, receipt.id);
      assert.deepEqual(Buffer.from(stored!.content), Buffer.from(message.content));
      assert.match(stored!.contentHash, /^[0-9a-f]{64}$/);
      assert.equal(stored!.messageType, 'ADT^A08');
    });

    test('the same message received twice is stored once and counted twice', async () => {
      const first = await receiveMessage(db, adt('c1', 'MRN1'));
      const again = await receiveMessage(db, adt('c1', 'MRN1'));
      assert.equal(again.id, first.id);
      assert.equal(again.duplicate, true);
      assert.equal((await getMessage(db, first.id))!.receiptCount, 2);
      // Same control id, other content: another message (senders reuse ids).
      const other = await receiveMessage(db, adt('c1', 'MRN1', 'changed'));
      assert.notEqual(other.id, first.id);
      assert.equal(other.duplicate, false);
    });

    test('many messages in one statement: receipts in order, a resend found by its key, repeats within the call', async () => {
      const first = await receiveMessage(db, adt('c1', 'MRN1'));
      const noControlId = { ...adt('x', 'MRN3'), controlId: undefined } as InboundMessage;
      const receipts = await receiveMessages(db, [adt('c2', 'MRN2'), adt('c1', 'MRN1'), noControlId, noControlId]);
      assert.deepEqual(receipts.map((r) => r.duplicate), [false, true, false, false]);
      assert.equal(receipts[1]!.id, first.id);
      assert.equal((await getMessage(db, first.id))!.receiptCount, 2);
      assert.notEqual(receipts[2]!.id, receipts[3]!.id, 'without a control id, every receipt is a message');
      assert.equal((await getMessage(db, receipts[0]!.id))!.controlId, 'c2');
      // The same message twice in one call is stored once and counted twice, as one by one.
      const twice = await receiveMessages(db, [adt('c4', 'MRN4'), adt('c4', 'MRN4')]);
      assert.deepEqual([twice[1]!.id, twice[1]!.duplicate], [twice[0]!.id, true]);
    });

    test('copies of one message in one call: one statement, the row stored once and counted per copy', async () => {
      const existing = await receiveMessage(db, adt('c5', 'MRN5'));
      let statements = 0;
      const counting = { query: ((text: string, params?: readonly unknown[]) => (statements++, db.query(text, params))) as Db['query'], exec: db.exec.bind(db) };
      const { receipts } = await receiveNotingLatencies(counting, [adt('c6', 'MRN6'), adt('c7', 'MRN7'), adt('c6', 'MRN6'), adt('c5', 'MRN5'), adt('c5', 'MRN5')], []);
      assert.equal(statements, 1, 'the copies do not split the group into one statement per message');
      assert.deepEqual(receipts.map((r) => r.duplicate), [false, false, true, true, true]);
      assert.deepEqual([receipts[2]!.id, receipts[3]!.id, receipts[4]!.id], [receipts[0]!.id, existing.id, existing.id]);
      assert.ok(receipts.every((r) => r.status === 'received'));
      assert.equal((await getMessage(db, receipts[0]!.id))!.receiptCount, 2);
      assert.equal((await getMessage(db, existing.id))!.receiptCount, 3);
      assert.equal((await getMessage(db, receipts[1]!.id))!.receiptCount, 1);
    });

    test('messages of one patient are due one at a time, in arrival order; other patients go on', async () => {
      const a1 = await receiveMessage(db, adt('a1', 'A'));
      const a2 = await receiveMessage(db, adt('a2', 'A'));
      const b1 = await receiveMessage(db, adt('b1', 'B'));
      assert.deepEqual(await dueIds(db), [a1.id, b1.id]);
      await markProcessed(db, a1.id, []);
      assert.deepEqual(await dueIds(db), [a2.id, b1.id]);
    });

    test('a worker skips messages another worker holds', async () => {
      const a = await receiveMessage(db, adt('a1', 'A'));
      const b = await receiveMessage(db, adt('b1', 'B'));
      await db.transaction(async (tx) => {
        const claimed = await claimDueMessages(tx, 1);
        assert.deepEqual(claimed.map((m) => m.id), [a.id]);
        if (db.kind === 'postgres') {
          // A second connection sees only what the first does not hold.
          assert.deepEqual(await dueIds(db), [b.id]);
        }
      });
    });

    test('processing records what was produced', async () => {
      const { id } = await receiveMessage(db, adt('c1', 'MRN1'));
      await db.transaction((tx) => markProcessed(tx, id, [{ resourceType: 'Patient', id: 'p1', versionId: 2 }]));
      const stored = await getMessage(db, id);
      assert.equal(stored!.status, 'processed');
      assert.ok(stored!.processedAt);
      assert.deepEqual(await messageOutputs(db, id), [{ resourceType: 'Patient', id: 'p1', versionId: 2 }]);
      assert.deepEqual(await dueIds(db), []);
    });

    test('a retryable failure backs off, then the message is dead after the last attempt', async () => {
      const { id } = await receiveMessage(db, adt('c1', 'MRN1'));
      const later = await receiveMessage(db, adt('c2', 'MRN1'));
      const policy = { maxAttempts: 2, baseDelayMs: 60_000, maxDelayMs: 60_000 };
      const error = { stage: 'store', code: 'timeout', message: 'database timeout' };
      assert.equal(await markFailed(db, id, error, { retryable: true, policy }), 'errored');
      // Waiting for its retry, it still holds its patient's later message back.
      assert.deepEqual(await dueIds(db), []);
      assert.equal(await markFailed(db, id, error, { retryable: true, policy }), 'dead');
      const dead = await getMessage(db, id);
      assert.equal(dead!.attempts, 2);
      assert.deepEqual(dead!.error, error);
      assert.deepEqual(await dueIds(db), [later.id]);
    });

    test('a mapping error is errored at once, keeps its detail, and can be reprocessed', async () => {
      const { id } = await receiveMessage(db, adt('c1', 'MRN1'));
      const error = { stage: 'map', code: 'LNG_HL7_BAD_DATE', message: 'PID-7 is not a date', element: 'PID-7' };
      assert.equal(await markFailed(db, id, error, { retryable: false }), 'errored');
      assert.deepEqual(await dueIds(db), []);
      assert.equal(await requeueMessages(db, [id]), 1);
      assert.deepEqual(await dueIds(db), [id]);
    });

    test('search by channel, status, type prefix, control id, patient and time; page by id', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push((await receiveMessage(db, adt(`c${i}`, i % 2 ? 'odd' : 'even'))).id);
      await receiveMessage(db, { channel: 'lab', content: bytes('MSH|^~\\&|LAB|||||ORU^R01|l1|P|2.5'), messageType: 'ORU^R01', controlId: 'l1' });
      await markFiltered(db, ids[0]!, 'A08 for an unknown patient');
      const found = (q: Parameters<typeof searchMessages>[1]) => searchMessages(db, q).then((ms) => ms.map((m) => m.id));
      assert.deepEqual(await found({ channel: 'adt', limit: 2 }), [ids[4], ids[3]]);
      assert.deepEqual(await found({ channel: 'adt', before: ids[3], limit: 2 }), [ids[2], ids[1]]);
      assert.deepEqual(await found({ status: 'filtered' }), [ids[0]]);
      assert.equal((await found({ messageType: 'ORU*' })).length, 1);
      assert.deepEqual(await found({ controlId: 'c2' }), [ids[2]]);
      assert.deepEqual(await found({ patient: 'odd' }), [ids[3], ids[1]]);
      assert.equal((await found({ receivedFrom: new Date(Date.now() + 60_000) })).length, 0);
      assert.deepEqual(await matchingMessageIds(db, { channel: 'adt', status: 'received' }), ids.slice(1));
    });

    test('channel stats count statuses and report ACK latency percentiles and the last error', async () => {
      const a = await receiveMessage(db, adt('c1', 'A'));
      const b = await receiveMessage(db, adt('c2', 'B'));
      await receiveMessage(db, adt('c3', 'C'));
      await markProcessed(db, a.id, []);
      await markFailed(db, b.id, { stage: 'map', code: 'x', message: 'bad PID-7' }, { retryable: false });
      const intake = new MessageIntake(db);
      for (const [id, ms] of [[a.id, 2], [b.id, 4]] as const) intake.noteAck(id, ms);
      await intake.flush();
      const [adtStats] = await channelStats(db);
      assert.equal(adtStats!.channel, 'adt');
      assert.deepEqual(
        [adtStats!.received, adtStats!.processed, adtStats!.errored, adtStats!.queued],
        [3, 1, 1, 1],
      );
      assert.equal(adtStats!.ackP50Ms, 3);
      assert.equal(adtStats!.lastError?.messageId, b.id);
      assert.equal(adtStats!.lastError?.message, 'bad PID-7');
    });
  });
}
