/**
 * Outbox events: the announcement of a committed write. Appended inside the writing
 * transaction, so an event exists if and only if its write committed.
 */
import { lockCommitOrder, type Queryable } from '../db/db.ts';

export interface NewEvent {
  /** What happened, e.g. `resource.created`, `resource.updated`, `resource.deleted`. */
  topic: string;
  resourceType?: string;
  resourceId?: string;
  versionId?: number;
  payload?: Record<string, unknown>;
}

export interface OutboxEvent extends Required<Omit<NewEvent, 'resourceType' | 'resourceId' | 'versionId'>> {
  id: number;
  resourceType: string | null;
  resourceId: string | null;
  versionId: number | null;
  createdAt: Date;
}

/** Appends events in the caller's transaction; ids follow commit order (see lockCommitOrder). */
export async function appendEvents(tx: Queryable, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await lockCommitOrder(tx);
  await tx.query(
    `insert into outbox_event (topic, resource_type, resource_id, version_id, payload)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::jsonb[])`,
    [
      events.map((e) => e.topic),
      events.map((e) => e.resourceType ?? null),
      events.map((e) => e.resourceId ?? null),
      events.map((e) => e.versionId ?? null),
      events.map((e) => JSON.stringify(e.payload ?? {})),
    ],
  );
}

interface EventRow {
  id: number;
  topic: string;
  resource_type: string | null;
  resource_id: string | null;
  version_id: number | null;
  payload: Record<string, unknown>;
  created_at: Date;
}

/** Events after a position, oldest first. */
export async function readEventsAfter(db: Queryable, afterId: number, limit: number): Promise<OutboxEvent[]> {
  const { rows } = await db.query<EventRow>(
    `select id, topic, resource_type, resource_id, version_id, payload, created_at
       from outbox_event where id > $1 order by id limit $2`,
    [afterId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    topic: r.topic,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    versionId: r.version_id,
    payload: r.payload,
    createdAt: new Date(r.created_at),
  }));
}
