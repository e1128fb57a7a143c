import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Db } from '../../platform/db/db.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { MessageIntake } from './message-intake.ts';
import { getMessage } from './message-store.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

for (const backend of testDatabases()) {
  describe(`message intake (group commit) on ${backend.kind}`, () => {
    let db: Db;
    before(async () => {
      db = await backend.open();
    });
    after(() => db.close());

    test('receipts arriving together are each stored and answered with their own row', async () => {
      const intake = new MessageIntake(db);
      const receipts = await Promise.all(
        Array.from({ length: 50 }, (_, i) => intake.receive({ channel: 'adt', content: bytes(`MSH|${i}`), controlId: `g${i}`, orderingKey: `p${i % 5}` })),
      );
      assert.equal(new Set(receipts.map((r) => r.id)).size, 50);
      assert.ok(receipts.every((r) => !r.duplicate && r.status === 'received'));
      const third = await getMessage(db, receipts[3]!.id);
      assert.equal(third?.controlId, 'g3');
      assert.equal(Buffer.from(third!.content).toString(), 'MSH|3');
    });

    test('the same message twice in one batch is stored once; the second is a duplicate', async () => {
      const intake = new MessageIntake(db);
      const message = { channel: 'adt', content: bytes('MSH|same'), controlId: 'dup-1' };
      const [first, second] = await Promise.all([intake.receive(message), intake.receive(message)]);
      assert.equal(first.id, second.id);
      assert.deepEqual([first.duplicate, second.duplicate], [false, true]);
    });

    test('ACK latencies are written with the next commit, or by flush', async () => {
      const intake = new MessageIntake(db);
      const { id } = await intake.receive({ channel: 'adt', content: bytes('MSH|ack'), controlId: 'ack-1' });
      intake.noteAck(id, 4.5);
      await intake.flush();
      assert.equal((await getMessage(db, id))?.ackMs, 4.5);
    });

    // The embedded database runs one transaction at a time: no other can hold a row meanwhile.
    test('a receipt never waits for a latency whose row a processing transaction holds', { skip: backend.kind === 'pglite' }, async () => {
      const intake = new MessageIntake(db);
      const { id } = await intake.receive({ channel: 'adt', content: bytes('MSH|held'), controlId: 'held-1' });
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      let claimed: () => void = () => undefined;
      const locked = new Promise<void>((resolve) => (claimed = resolve));
      const worker = db.transaction(async (tx) => {
        await tx.query('select id from inbound_message where id = $1 for update', [id]);
        claimed();
        await released;
      });
      await locked;
      intake.noteAck(id, 7);
      // Stored and answered while the row is still held; its latency waits for a later commit.
      const next = await intake.receive({ channel: 'adt', content: bytes('MSH|next'), controlId: 'held-2' });
      assert.equal((await getMessage(db, next.id))?.status, 'received');
      assert.equal((await getMessage(db, id))?.ackMs, null);
      release();
      await worker;
      await intake.flush();
      assert.equal((await getMessage(db, id))?.ackMs, 7);
    });

    test('a resend and the latency of its own row in one statement: both kept', async () => {
      const intake = new MessageIntake(db);
      const message = { channel: 'adt', content: bytes('MSH|again'), controlId: 'again-1' };
      const { id } = await intake.receive(message);
      intake.noteAck(id, 3);
      const resend = await intake.receive(message);
      assert.deepEqual([resend.id, resend.duplicate], [id, true]);
      await intake.flush();
      const stored = await getMessage(db, id);
      assert.deepEqual([stored?.receiptCount, stored?.ackMs], [2, 3]);
    });
  });
}
