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
  });
}
