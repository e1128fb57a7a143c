import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDatabases } from '../../test-support/test-db.ts';
import type { Db } from '../db/db.ts';
import { OutboxDispatcher, type Subscriber } from './dispatcher.ts';
import { appendEvents, type OutboxEvent } from './events.ts';

/** A subscriber that records what it saw, in a table too, so effects can be checked after a rollback. */
function recordingSubscriber(name: string, options: { failOn?: (e: OutboxEvent) => boolean; topics?: string[] } = {}) {
  const seen: string[] = [];
  const subscriber: Subscriber = {
    name,
    ...(options.topics ? { topics: options.topics } : {}),
    async handle(event, tx) {
      if (options.failOn?.(event)) throw new Error(`cannot handle ${event.resourceId}`);
      await tx.query('insert into handled (consumer, resource_id) values ($1, $2)', [name, event.resourceId]);
      seen.push(event.resourceId!);
    },
  };
  return { subscriber, seen };
}

async function writeEvents(db: Db, ids: string[], topic = 'resource.created'): Promise<void> {
  await db.transaction((tx) => appendEvents(tx, ids.map((id) => ({ topic, resourceType: 'Patient', resourceId: id, versionId: 1 }))));
}

async function handled(db: Db, consumer: string): Promise<string[]> {
  const { rows } = await db.query<{ resource_id: string }>('select resource_id from handled where consumer = $1 order by n', [consumer]);
  return rows.map((r) => r.resource_id);
}

async function openWithEffectsTable(open: () => Promise<Db>): Promise<Db> {
  const db = await open();
  await db.exec('create table handled (n serial primary key, consumer text not null, resource_id text not null)');
  return db;
}

for (const backend of testDatabases()) {
  describe(`outbox dispatcher on ${backend.kind}`, () => {
    test('delivers every event to every consumer in commit order', async (t) => {
      const db = await openWithEffectsTable(() => backend.open());
      t.after(() => db.close());
      await writeEvents(db, ['a', 'b']);
      await writeEvents(db, ['c']);
      const dispatcher = new OutboxDispatcher(db);
      const one = recordingSubscriber('one');
      const two = recordingSubscriber('two');
      dispatcher.subscribe(one.subscriber);
      dispatcher.subscribe(two.subscriber);
      await dispatcher.drain();
      assert.deepEqual(one.seen, ['a', 'b', 'c']);
      assert.deepEqual(two.seen, ['a', 'b', 'c']);
    });

    test('events committed before a crash are delivered by the next dispatcher, and nothing twice', async (t) => {
      const db = await openWithEffectsTable(() => backend.open());
      t.after(() => db.close());
      const first = new OutboxDispatcher(db, { batchSize: 2 });
      first.subscribe(recordingSubscriber('worker').subscriber);
      await writeEvents(db, ['a', 'b', 'c']);
      await first.drain();
      // The writes commit; the process dies before its dispatcher runs again.
      await writeEvents(db, ['d', 'e']);
      const restarted = new OutboxDispatcher(db, { batchSize: 2 });
      const afterRestart = recordingSubscriber('worker');
      restarted.subscribe(afterRestart.subscriber);
      await restarted.drain();
      assert.deepEqual(afterRestart.seen, ['d', 'e']);
      assert.deepEqual(await handled(db, 'worker'), ['a', 'b', 'c', 'd', 'e']);
    });

    test('a failing handler rolls back its effects and is retried until it succeeds, in order', async (t) => {
      const db = await openWithEffectsTable(() => backend.open());
      t.after(() => db.close());
      // b fails on its first three deliveries: in the batch [a, b, c], in the batch [b, c], and alone.
      let failuresLeft = 3;
      const dispatcher = new OutboxDispatcher(db, { retryBaseMs: 60_000 });
      const flaky = recordingSubscriber('flaky', { failOn: (e) => e.resourceId === 'b' && failuresLeft-- > 0 });
      dispatcher.subscribe(flaky.subscriber);
      await writeEvents(db, ['a', 'b', 'c']);
      await dispatcher.drain();
      // a is kept; b's failed effects rolled back; c waits behind b (order is kept).
      assert.deepEqual(await handled(db, 'flaky'), ['a']);
      const { rows } = await db.query<{ attempts: number; last_error: string; waiting: boolean }>(
        'select attempts, last_error, retry_at > now() as waiting from outbox_consumer where name = $1',
        ['flaky'],
      );
      assert.deepEqual(rows[0], { attempts: 1, last_error: 'cannot handle b', waiting: true });
      // The backoff elapses (made to, here): b and c go through.
      await db.query(`update outbox_consumer set retry_at = now() where name = 'flaky'`);
      await dispatcher.drain();
      assert.deepEqual(await handled(db, 'flaky'), ['a', 'b', 'c']);
    });

    test('an event that keeps failing is dead-lettered after maxAttempts and the consumer moves on', async (t) => {
      const db = await openWithEffectsTable(() => backend.open());
      t.after(() => db.close());
      const dispatcher = new OutboxDispatcher(db, { retryBaseMs: 1, maxAttempts: 2 });
      dispatcher.subscribe(recordingSubscriber('strict', { failOn: (e) => e.resourceId === 'poison' }).subscriber);
      await writeEvents(db, ['ok-1', 'poison', 'ok-2']);
      for (let i = 0; i < 3; i++) {
        await db.query(`update outbox_consumer set retry_at = null where name = 'strict'`);
        await dispatcher.drain();
      }
      assert.deepEqual(await handled(db, 'strict'), ['ok-1', 'ok-2']);
      const { rows } = await db.query<{ error: string; attempts: number }>('select error, attempts from outbox_dead_letter');
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.attempts, 2);
    });

    test('topic filters skip other events but still advance the position', async (t) => {
      const db = await openWithEffectsTable(() => backend.open());
      t.after(() => db.close());
      await writeEvents(db, ['x'], 'resource.created');
      await writeEvents(db, ['y'], 'resource.deleted');
      const dispatcher = new OutboxDispatcher(db);
      const deletes = recordingSubscriber('deletes', { topics: ['resource.deleted'] });
      dispatcher.subscribe(deletes.subscriber);
      await dispatcher.drain();
      assert.deepEqual(deletes.seen, ['y']);
      assert.deepEqual(await dispatcher.lag(), [{ consumer: 'deletes', pending: 0, oldestSeconds: 0 }]);
    });

    test('a started dispatcher delivers after notify, and stop() flushes what is pending', async (t) => {
      const db = await openWithEffectsTable(() => backend.open());
      t.after(() => db.close());
      const dispatcher = new OutboxDispatcher(db, { pollMs: 60_000 });
      let resolveSeen: () => void = () => undefined;
      const seenTwo = new Promise<void>((resolve) => (resolveSeen = resolve));
      const live = recordingSubscriber('live');
      dispatcher.subscribe({
        ...live.subscriber,
        async handle(event, tx) {
          await live.subscriber.handle(event, tx);
          if (live.seen.length === 2) resolveSeen();
        },
      });
      dispatcher.start();
      await writeEvents(db, ['n1', 'n2']);
      dispatcher.notify();
      await seenTwo;
      await writeEvents(db, ['n3']);
      await dispatcher.stop();
      assert.deepEqual(live.seen, ['n1', 'n2', 'n3']);
    });

    test('a consumer reading while many writers commit sees every event exactly once', async (t) => {
      const db = await openWithEffectsTable(() => backend.open());
      t.after(() => db.close());
      const dispatcher = new OutboxDispatcher(db, { batchSize: 3 });
      const reader = recordingSubscriber('reader');
      dispatcher.subscribe(reader.subscriber);
      const ids = Array.from({ length: 60 }, (_, i) => `w${i}`);
      let writing = true;
      const readLoop = (async () => {
        while (writing) await dispatcher.drain();
      })();
      await Promise.all(ids.map((id) => writeEvents(db, [id])));
      writing = false;
      await readLoop;
      await dispatcher.drain();
      assert.deepEqual([...reader.seen].sort(), [...ids].sort());
    });
  });
}
