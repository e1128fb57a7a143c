/**
 * Online mode, first half: the outbox consumer `identity` notes every source Patient created,
 * changed or deleted in identity_pending_record, in the transaction that advances its position
 * (so no change is lost, and a replay only rewrites the same row). `processPendingRecords` then
 * rebuilds the golden records of their persons through the store, with the change events. Golden
 * Patients (their id is a person id) are not sources and are skipped.
 */
import type { Logger } from 'pino';
import type { Db, Queryable } from '../platform/db/db.ts';
import { AfterCommitWorker } from '../platform/outbox/after-commit-worker.ts';
import type { OutboxDispatcher, Subscriber } from '../platform/outbox/dispatcher.ts';
import { resourceTopics } from '../record/resource-store.ts';
import { systemContext, type AccessContext } from '../trust/access-context.ts';
import { IdentityService, type IdentityServiceDeps } from './identity-service.ts';

export const IDENTITY_CONSUMER = 'identity';

export function identitySubscriber(onMarked: () => void = () => undefined): Subscriber {
  return {
    name: IDENTITY_CONSUMER,
    topics: [resourceTopics.created, resourceTopics.updated, resourceTopics.deleted],
    async handle(event, tx) {
      if (event.resourceType !== 'Patient' || !event.resourceId) return;
      await tx.query(
        `insert into identity_pending_record (record_ref, event_id)
         select $1, $2 where not exists (select 1 from identity_person where id = $3)
         on conflict (record_ref) do update set event_id = excluded.event_id, enqueued_at = now()`,
        [`Patient/${event.resourceId}`, event.id, event.resourceId],
      );
      onMarked();
    },
  };
}

async function claimPending(db: Queryable, limit: number): Promise<{ ref: string; eventId: number }[]> {
  const { rows } = await db.query<{ record_ref: string; event_id: number }>(
    'select record_ref, event_id from identity_pending_record order by enqueued_at, record_ref limit $1',
    [limit],
  );
  return rows.map((r) => ({ ref: r.record_ref, eventId: r.event_id }));
}

/** Rebuilds the persons of pending records, a batch at a time; returns how many records were handled. */
export async function processPendingRecords(db: Queryable, service: IdentityService, ctx: AccessContext, batch = 100): Promise<number> {
  let handled = 0;
  for (;;) {
    const pending = await claimPending(db, batch);
    if (pending.length === 0) return handled;
    await service.refreshRecords(ctx, pending.map((p) => p.ref));
    // A newer event for the record (event_id moved on) keeps its row for the next pass.
    await db.query(
      `delete from identity_pending_record p using unnest($1::text[], $2::bigint[]) as v(ref, event_id)
        where p.record_ref = v.ref and p.event_id = v.event_id`,
      [pending.map((p) => p.ref), pending.map((p) => p.eventId)],
    );
    handled += pending.length;
  }
}

/** Rebuilds pending persons in the background, one pass at a time; a wake during a pass schedules another. */
/** Rebuilds the persons of marked records once the marking transaction has committed. */
export class IdentityWorker {
  private readonly runner: AfterCommitWorker;

  constructor(private readonly options: { db: Db; service: IdentityService; ctx: AccessContext; logger?: Logger }) {
    this.runner = new AfterCommitWorker({
      db: options.db,
      consumer: IDENTITY_CONSUMER,
      pass: () => processPendingRecords(options.db, options.service, options.ctx),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  notify(): void {
    this.runner.notify();
  }

  drain(): Promise<void> {
    return this.runner.drain();
  }
}

/**
 * Wires online golden-record maintenance into a hub: the `identity` outbox consumer and its
 * worker (system context `outbox:identity`). Call before `dispatcher.start()`.
 */
export function attachIdentity(hub: IdentityServiceDeps & { dispatcher: OutboxDispatcher; logger?: Logger }): { service: IdentityService; worker: IdentityWorker; drain(): Promise<void> } {
  const service = new IdentityService(hub);
  const worker = new IdentityWorker({
    db: hub.db, service, ctx: systemContext('outbox:identity'),
    ...(hub.logger ? { logger: hub.logger.child({ component: 'identity' }) } : {}),
  });
  hub.dispatcher.subscribe(identitySubscriber(() => worker.notify()));
  return {
    service,
    worker,
    async drain() {
      await hub.dispatcher.drain();
      await worker.drain();
    },
  };
}
