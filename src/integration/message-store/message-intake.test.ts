import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setImmediate } from 'node:timers/promises';
import type { Db } from '../../platform/db/db.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { MessageIntake } from './message-intake.ts';
import { getMessage } from './message-store.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

/**
 * The database with each statement's answer held until the test releases it: the statement
 * has run, and its caller is still waiting, as during a commit. `issued(n)` resolves once n
 * statements have run.
 */
function gated(db: Db) {
  const held: (() => void)[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const gatedDb: Db = {
    kind: db.kind,
    async query(text, params) {
      const result = await db.query(text, params);
      await new Promise<void>((resolve) => {
        held.push(resolve);
        for (const w of waiters.filter((w) => held.length >= w.n)) w.resolve();
      });
      return result;
    },
    exec: (script) => db.exec(script),
    transaction: (fn) => db.transaction(fn),
    stats: () => db.stats(),
    close: () => db.close(),
  } as Db;
  return {
    db: gatedDb,
    issued: (n: number) => new Promise<void>((resolve) => (held.length >= n ? resolve() : waiters.push({ n, resolve }))),
    release: (n: number) => held[n - 1]!(),
    get count() {
      return held.length;
    },
  };
}

/** Tells whether a promise has settled, by the time the microtasks queued so far have run. */
function watch<T>(promise: Promise<T>): { settled: boolean } {
  const state = { settled: false };
  void promise.then(() => (state.settled = true));
  return state;
}

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

    test('nothing is answered before its statement returns; what arrives meanwhile goes in the next, together', async () => {
      const gate = gated(db);
      const intake = new MessageIntake(gate.db);
      const a = intake.receive({ channel: 'adt', content: bytes('MSH|gc-a'), controlId: 'gc-a', orderingKey: 'gc-A' });
      await gate.issued(1);
      // The first statement has run and not returned: it is committing.
      const b = intake.receive({ channel: 'adt', content: bytes('MSH|gc-b'), controlId: 'gc-b', orderingKey: 'gc-A' });
      const c = intake.receive({ channel: 'adt', content: bytes('MSH|gc-c'), controlId: 'gc-c', orderingKey: 'gc-C' });
      const answered = [watch(a), watch(b), watch(c)];
      await setImmediate();
      assert.equal(gate.count, 1, 'b and c wait for the statement in flight');
      assert.deepEqual(answered.map((x) => x.settled), [false, false, false], 'nothing is answered before its statement has returned');
      gate.release(1);
      const first = await a;
      await gate.issued(2);
      assert.deepEqual(answered.map((x) => x.settled), [true, false, false]);
      gate.release(2);
      const [second, third] = await Promise.all([b, c]);
      assert.equal(gate.count, 2, 'b and c went in one statement');
      assert.ok(second.id > first.id, 'one patient: stored in arrival order');
      assert.notEqual(third.id, second.id);
    });

    test('a copy of a message arriving while the first is committing is its duplicate', async () => {
      const gate = gated(db);
      const intake = new MessageIntake(gate.db);
      const message = { channel: 'adt', content: bytes('MSH|copy'), controlId: 'gc-copy' };
      const first = intake.receive(message);
      await gate.issued(1);
      const copy = intake.receive(message);
      gate.release(1);
      await gate.issued(2);
      gate.release(2);
      const [a, b] = await Promise.all([first, copy]);
      assert.deepEqual([b.id, a.duplicate, b.duplicate], [a.id, false, true]);
      assert.equal((await getMessage(db, a.id))?.receiptCount, 2);
    });

    test('frames with repeats, and others arriving with them: each answered with its own row', async () => {
      const intake = new MessageIntake(db);
      const m = (i: number) => ({ channel: 'adt', content: bytes(`MSH|many${i}`), controlId: `many-${i}`, orderingKey: `mp${i % 3}` });
      const [mine, others] = await Promise.all([intake.receiveMany([m(0), m(1), m(0), m(2)]), Promise.all([m(3), m(1), m(4)].map((x) => intake.receive(x)))]);
      assert.deepEqual(mine.map((r) => r.duplicate), [false, false, true, false]);
      assert.equal(mine[2]!.id, mine[0]!.id);
      assert.deepEqual([others[1]!.id, others[1]!.duplicate], [mine[1]!.id, true]);
      for (const [i, r] of [...mine, ...others].entries()) {
        const controlId = `many-${[0, 1, 0, 2, 3, 1, 4][i]}`;
        assert.equal((await getMessage(db, r.id))?.controlId, controlId);
      }
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
