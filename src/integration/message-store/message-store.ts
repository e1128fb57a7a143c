/**
 * The message store (migration 0007): raw inbound messages and their processing status.
 * A listener calls `receive` and acknowledges only once it has returned (the row is
 * committed); processors claim due messages, and record what each produced or why it failed,
 * in the transaction that wrote the data, so a message is processed exactly once or not at all.
 *
 * Per-patient ordering: a message is due only when no earlier message with the same ordering
 * key is still waiting (received, or errored with a retry pending). Messages of different
 * patients are independent, so channels and workers run in parallel. A message that failed
 * for good (errored without retry, or dead) no longer holds its patient's later messages
 * back: interface engines keep flowing past a poison message and leave it for reprocessing.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../../platform/db/db.ts';
import { errorAt } from '../../platform/errors.ts';

export const messageStatuses = ['received', 'processed', 'filtered', 'errored', 'dead'] as const;
export type MessageStatus = (typeof messageStatuses)[number];

export interface InboundMessage {
  channel: string;
  content: Uint8Array;
  sender?: string;
  messageType?: string;
  controlId?: string;
  orderingKey?: string;
}

export interface MessageError {
  /** Where it failed: parse, map, validate, store ... */
  stage: string;
  code: string;
  message: string;
  /** The segment/field or element at fault (PID-7, Patient.birthDate). */
  element?: string;
}

export interface StoredMessage {
  id: number;
  channel: string;
  sender: string | null;
  receivedAt: Date;
  content: Uint8Array;
  contentHash: string;
  messageType: string | null;
  controlId: string | null;
  orderingKey: string | null;
  status: MessageStatus;
  attempts: number;
  error: MessageError | null;
  processedAt: Date | null;
  ackMs: number | null;
  receiptCount: number;
}

export interface Receipt {
  id: number;
  /** True when this exact message (channel, control id, content) was already stored. */
  duplicate: boolean;
  status: MessageStatus;
}

export interface ResourceOutput {
  resourceType: string;
  id: string;
  versionId: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  /** Delay before retry n (1-based) is baseDelayMs * 2^(n-1), capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 300_000 };

export function contentHash(content: Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

interface MessageRow {
  id: number;
  channel: string;
  sender: string | null;
  received_at: Date;
  content: Uint8Array;
  content_hash: string;
  message_type: string | null;
  control_id: string | null;
  ordering_key: string | null;
  status: MessageStatus;
  attempts: number;
  error: MessageError | null;
  processed_at: Date | null;
  ack_ms: number | null;
  receipt_count: number;
}

export const messageColumns = `id, channel, sender, received_at, content, content_hash, message_type, control_id,
  ordering_key, status, attempts, error, processed_at, ack_ms, receipt_count`;

export function toStoredMessage(row: MessageRow): StoredMessage {
  return {
    id: Number(row.id),
    channel: row.channel,
    sender: row.sender,
    receivedAt: new Date(row.received_at),
    content: row.content,
    contentHash: row.content_hash,
    messageType: row.message_type,
    controlId: row.control_id,
    orderingKey: row.ordering_key,
    status: row.status,
    attempts: row.attempts,
    error: row.error,
    processedAt: row.processed_at ? new Date(row.processed_at) : null,
    ackMs: row.ack_ms,
    receiptCount: row.receipt_count,
  };
}

/**
 * Stores a message as received. The same (channel, control id, content) again is not stored
 * twice: its receipt is counted on the first row and that row comes back, so a sender that
 * resends after a lost ACK gets the same answer and no data is duplicated. A message with the
 * same control id but other content is a different message (senders do reuse ids) and is kept.
 */
export async function receiveMessage(db: Queryable, message: InboundMessage): Promise<Receipt> {
  const hash = contentHash(message.content);
  const { rows } = await db.query<{ id: number; status: MessageStatus; inserted: boolean }>(
    `insert into inbound_message (channel, sender, content, content_hash, message_type, control_id, ordering_key)
     values ($1, $2, $3, $4, $5, $6, $7)
     on conflict (channel, control_id, content_hash) where control_id is not null
     do update set receipt_count = inbound_message.receipt_count + 1, last_received_at = now()
     returning id, status, (xmax = 0) as inserted`,
    [
      message.channel,
      message.sender ?? null,
      message.content,
      hash,
      message.messageType ?? null,
      message.controlId ?? null,
      message.orderingKey ?? null,
    ],
  );
  const row = rows[0]!;
  return { id: Number(row.id), duplicate: !row.inserted, status: row.status };
}

/**
 * Stores several messages in one statement (an import batch, a pipelining sender's frames);
 * receipts in the order given, each as `receiveMessage` would answer it. One insert instead
 * of one per message: on the embedded database a statement's fixed cost is most of a small
 * one's.
 */
export async function receiveMessages(db: Queryable, messages: readonly InboundMessage[]): Promise<Receipt[]> {
  return (await receiveNotingLatencies(db, messages, [])).receipts;
}

/** How long one message took from receipt to ACK (the interface monitor's figure). */
export interface AckLatency {
  id: number;
  ms: number;
}

/**
 * Stores messages and writes ACK latencies of earlier ones, in one statement: run on its own
 * (autocommit), a group commit of receipts is one round trip where begin, insert, update and
 * commit were four, each a wait for a busy server (on this 2-core machine under load: 5-20 ms).
 * Latencies of rows another transaction holds (the worker's claim) are skipped, not waited
 * for, and come back as `held`, to be written with a later commit: waiting for them held
 * every receipt in the statement until the worker's batch committed.
 *
 * A message repeated within the call (a sender that resent before its ACK came, into the same
 * group) would meet its own first copy in the same statement, which PostgreSQL refuses; so
 * the copies are counted here and the row goes in once with its count: the first copy is
 * answered as a new message, the others as duplicates of its row, and receipt_count ends as
 * it would one message at a time. (These calls used to fall back to one statement per
 * message, and so did every other message of the group.)
 */
export async function receiveNotingLatencies(
  db: Queryable,
  messages: readonly InboundMessage[],
  latencies: readonly AckLatency[],
): Promise<{ receipts: Receipt[]; held: AckLatency[] }> {
  if (messages.length === 0 && latencies.length === 0) return { receipts: [], held: [] };
  // rowOf[i]: the row (index into `rows`) message i is stored by; copies[r]: how many it stands for.
  const rows: { message: InboundMessage; hash: string }[] = [];
  const copies: number[] = [];
  const rowOf: number[] = [];
  const byKey = new Map<string, number>();
  for (const message of messages) {
    const hash = contentHash(message.content);
    // As the unique index sees it: a row without a control id is never a resend.
    const key = typeof message.controlId === 'string' ? `${message.channel}\n${message.controlId}\n${hash}` : undefined;
    const seen = key === undefined ? undefined : byKey.get(key);
    if (seen !== undefined) {
      copies[seen]!++;
      rowOf.push(seen);
      continue;
    }
    if (key !== undefined) byKey.set(key, rows.length);
    rowOf.push(rows.length);
    rows.push({ message, hash });
    copies.push(1);
  }
  // Ids are drawn up front so that each row comes back to the message it stores; a resend
  // (the conflict branch) comes back with the id of the row it found instead, by its key. A
  // resend's row is left out of the latencies: one statement must not update a row twice.
  const { rows: stored } = await db.query<{ n: number | null; id: number; status: MessageStatus | null; inserted: boolean | null }>(
    `with t as (
       select nextval('inbound_message_id_seq') as new_id, t.*
         from unnest($1::text[], $2::text[], $3::bytea[], $4::text[], $5::text[], $6::text[], $7::text[], $10::int[]) with ordinality
              as t(channel, sender, content, content_hash, message_type, control_id, ordering_key, copies, n)),
     ins as (
       insert into inbound_message (id, channel, sender, content, content_hash, message_type, control_id, ordering_key, receipt_count)
       select new_id, channel, sender, content, content_hash, message_type, control_id, ordering_key, copies from t order by n
       on conflict (channel, control_id, content_hash) where control_id is not null
       do update set receipt_count = inbound_message.receipt_count + excluded.receipt_count, last_received_at = now()
       returning id, status, (xmax = 0) as inserted, channel, control_id, content_hash),
     free as (
       select m.id from inbound_message m
        where m.id = any($8::bigint[])
          and not exists (select 1 from t where t.channel = m.channel and t.control_id = m.control_id and t.content_hash = m.content_hash)
          for update of m skip locked),
     acked as (
       update inbound_message m set ack_ms = coalesce(m.ack_ms, a.ms)
         from unnest($8::bigint[], $9::float8[]) as a(id, ms) join free f on f.id = a.id
        where m.id = a.id
        returning m.id)
     select t.n, ins.id, ins.status, ins.inserted
       from t join ins on ins.id = t.new_id
         or (t.control_id is not null and ins.channel = t.channel and ins.control_id = t.control_id and ins.content_hash = t.content_hash)
     union all
     select null, acked.id, null, null from acked
     order by n`,
    [
      rows.map((r) => r.message.channel),
      rows.map((r) => r.message.sender ?? null),
      rows.map((r) => r.message.content),
      rows.map((r) => r.hash),
      rows.map((r) => r.message.messageType ?? null),
      rows.map((r) => r.message.controlId ?? null),
      rows.map((r) => r.message.orderingKey ?? null),
      latencies.map((a) => a.id),
      latencies.map((a) => a.ms),
      copies,
    ],
  );
  const byRow: { id: number; inserted: boolean; status: MessageStatus }[] = [];
  for (const row of stored) if (row.n !== null) byRow[Number(row.n) - 1] = { id: Number(row.id), inserted: row.inserted === true, status: row.status! };
  const answered = new Set<number>();
  const receipts = rowOf.map((r) => {
    const row = byRow[r]!;
    // Only the first copy of a row that was inserted is new; every later copy is its resend.
    const duplicate = !row.inserted || answered.has(r);
    answered.add(r);
    return { id: row.id, duplicate, status: row.status };
  });
  const written = new Set(stored.flatMap((row) => (row.n === null ? [Number(row.id)] : [])));
  return { receipts, held: latencies.filter((a) => !written.has(a.id)) };
}

/**
 * Claims up to `limit` due messages for processing, oldest first, skipping those locked by
 * another worker and those whose patient has an earlier message still waiting. Call it inside
 * the transaction that processes them: the row locks hold until it commits.
 */
export async function claimDueMessages(tx: Queryable, limit: number, channel?: string): Promise<StoredMessage[]> {
  const { rows } = await tx.query<MessageRow>(
    `select ${messageColumns}
       from inbound_message m
      where m.status in ('received', 'errored')
        and m.next_attempt_at <= now()
        and ($2::text is null or m.channel = $2)
        and (m.ordering_key is null or not exists (
              select 1 from inbound_message e
               where e.ordering_key = m.ordering_key and e.id < m.id
                 and e.status in ('received', 'errored') and e.next_attempt_at < 'infinity'))
      order by m.next_attempt_at, m.id
      limit $1
      for update skip locked`,
    [limit, channel ?? null],
  );
  return rows.map(toStoredMessage);
}

/** Marks a message processed and records the resource versions it wrote. */
export function markProcessed(tx: Queryable, id: number, outputs: readonly ResourceOutput[]): Promise<void> {
  return markProcessedMany(tx, [{ id, outputs }]);
}

/** Marks several messages processed, each with the versions it wrote, in one statement. */
export async function markProcessedMany(tx: Queryable, items: readonly { id: number; outputs: readonly ResourceOutput[] }[]): Promise<void> {
  if (items.length === 0) return;
  const outputs = items.flatMap((item) => item.outputs.map((o) => ({ ...o, messageId: item.id })));
  await tx.query(
    `with done as (
       update inbound_message m set status = 'processed', processed_at = now(), error = null, attempts = m.attempts + 1
         from unnest($1::bigint[]) as u(id)
        where m.id = u.id
     )
     insert into inbound_message_output (message_id, resource_type, resource_id, version_id)
     select * from unnest($2::bigint[], $3::text[], $4::text[], $5::int[])
     on conflict do nothing`,
    [items.map((item) => item.id), outputs.map((o) => o.messageId), outputs.map((o) => o.resourceType), outputs.map((o) => o.id), outputs.map((o) => o.versionId)],
  );
}

/** A message the channel's filter chose not to process (e.g. a trigger event it ignores). */
export async function markFiltered(tx: Queryable, id: number, reason: string): Promise<void> {
  await tx.query(
    `update inbound_message set status = 'filtered', processed_at = now(), attempts = attempts + 1,
            error = jsonb_build_object('stage', 'filter', 'code', 'filtered', 'message', $2::text)
      where id = $1`,
    [id, reason],
  );
}

/**
 * Records a failure. A retryable one (a database timeout, a lock) is tried again after an
 * exponential backoff until the policy's attempts are spent, then the message is dead; one
 * that will fail the same way every time (a mapping or validation error) is errored at once
 * and waits for someone to fix the cause and reprocess it.
 */
export async function markFailed(
  db: Queryable,
  id: number,
  error: MessageError,
  options: { retryable: boolean; policy?: RetryPolicy },
): Promise<MessageStatus> {
  const policy = options.policy ?? defaultRetryPolicy;
  const { rows } = await db.query<{ status: MessageStatus }>(
    `update inbound_message
        set attempts = attempts + 1,
            error = $2::jsonb,
            status = case when not $3::boolean then 'errored'
                          when attempts + 1 >= $4 then 'dead'
                          else 'errored' end,
            next_attempt_at = case when not $3::boolean or attempts + 1 >= $4 then 'infinity'::timestamptz
                                   else now() + least($5::float8 * power(2, attempts), $6::float8) * interval '1 millisecond' end
      where id = $1
      returning status`,
    [id, JSON.stringify(error), options.retryable, policy.maxAttempts, policy.baseDelayMs, policy.maxDelayMs],
  );
  if (!rows[0]) throw errorAt('LNG_NOT_FOUND', `message ${id} does not exist`, 'id');
  return rows[0].status;
}

/**
 * Puts messages back in the queue, whatever their status; processing is idempotent, so a
 * processed message reprocessed updates the same resources instead of duplicating them.
 */
export async function requeueMessages(db: Queryable, ids: readonly number[]): Promise<number> {
  const { rowCount } = await db.query(
    `update inbound_message set status = 'received', next_attempt_at = now(), attempts = 0
      where id = any($1::bigint[])`,
    [ids],
  );
  return rowCount;
}

export async function getMessage(db: Queryable, id: number): Promise<StoredMessage | undefined> {
  const { rows } = await db.query<MessageRow>(`select ${messageColumns} from inbound_message where id = $1`, [id]);
  return rows[0] ? toStoredMessage(rows[0]) : undefined;
}

export async function messageOutputs(db: Queryable, id: number): Promise<ResourceOutput[]> {
  const { rows } = await db.query<{ resource_type: string; resource_id: string; version_id: number }>(
    `select resource_type, resource_id, version_id from inbound_message_output where message_id = $1
      order by resource_type, resource_id, version_id`,
    [id],
  );
  return rows.map((r) => ({ resourceType: r.resource_type, id: r.resource_id, versionId: r.version_id }));
}
