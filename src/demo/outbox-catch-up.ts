/**
 * After a batch load, the outbox consumers whose work the batch already did (identity relink,
 * signals run) are moved past every event the load wrote. A new consumer starts at the
 * beginning of the outbox (dispatcher.ts), so without this the first start after the load
 * would relink and recompute every person a second time, one event at a time.
 */
import { lockCommitOrder, type Db } from '../platform/db/db.ts';

/** Moves the named consumers to the last committed outbox event; returns that event id. */
export async function catchUpConsumers(db: Db, consumers: readonly string[]): Promise<number> {
  return db.transaction(async (tx) => {
    // Event ids follow commit order under this lock (db.ts): once held, no transaction still
    // in flight can commit an event below the maximum read here.
    await lockCommitOrder(tx);
    const { rows } = await tx.query<{ last: string | number | null }>('select max(id) as last from outbox_event');
    const last = Number(rows[0]?.last ?? 0);
    await tx.query(
      `insert into outbox_consumer (name, last_event_id) select unnest($1::text[]), $2
       on conflict (name) do update set last_event_id = greatest(outbox_consumer.last_event_id, excluded.last_event_id),
         attempts = 0, last_error = null, retry_at = null, updated_at = now()`,
      [consumers, last],
    );
    return last;
  });
}
