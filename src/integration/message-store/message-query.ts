/**
 * Finding messages and summarizing channels for the interface monitor: search by channel,
 * status, type, date range, patient key and control id, newest first, paged by id (keyset,
 * so a page stays right while messages keep arriving).
 */
import type { Queryable } from '../../platform/db/db.ts';
import { messageColumns, toStoredMessage, type MessageStatus, type StoredMessage } from './message-store.ts';

export interface MessageQuery {
  channel?: string;
  status?: MessageStatus;
  /** MSH-9 as stored (ADT^A01); a trailing `*` matches a prefix (ADT*). */
  messageType?: string;
  controlId?: string;
  /** The ordering key: the patient identifier the message is about. */
  patient?: string;
  receivedFrom?: Date;
  receivedTo?: Date;
  /** Messages with an id below this one (the last id of the previous page). */
  before?: number;
  limit?: number;
}

export const maxMessagePage = 500;

/** The WHERE clause of a query, shared by search and bulk reprocessing. */
export function messageConditions(query: MessageQuery): { where: string; values: unknown[] } {
  const values: unknown[] = [];
  const conditions: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    values.push(value);
    conditions.push(sql(`$${values.length}`));
  };
  if (query.channel !== undefined) add((p) => `channel = ${p}`, query.channel);
  if (query.status !== undefined) add((p) => `status = ${p}`, query.status);
  if (query.messageType !== undefined) {
    if (query.messageType.endsWith('*')) add((p) => `message_type like ${p}`, `${escapeLike(query.messageType.slice(0, -1))}%`);
    else add((p) => `message_type = ${p}`, query.messageType);
  }
  if (query.controlId !== undefined) add((p) => `control_id = ${p}`, query.controlId);
  if (query.patient !== undefined) add((p) => `ordering_key = ${p}`, query.patient);
  if (query.receivedFrom !== undefined) add((p) => `received_at >= ${p}`, query.receivedFrom);
  if (query.receivedTo !== undefined) add((p) => `received_at < ${p}`, query.receivedTo);
  if (query.before !== undefined) add((p) => `id < ${p}`, query.before);
  return { where: conditions.length > 0 ? conditions.join(' and ') : 'true', values };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function searchMessages(db: Queryable, query: MessageQuery): Promise<StoredMessage[]> {
  const { where, values } = messageConditions(query);
  const limit = Math.min(query.limit ?? 50, maxMessagePage);
  const { rows } = await db.query<Parameters<typeof toStoredMessage>[0]>(
    `select ${messageColumns} from inbound_message where ${where} order by id desc limit ${limit}`,
    values,
  );
  return rows.map(toStoredMessage);
}

/** The ids a query matches (for reprocessing a whole query), oldest first. */
export async function matchingMessageIds(db: Queryable, query: Omit<MessageQuery, 'limit' | 'before'>): Promise<number[]> {
  const { where, values } = messageConditions(query);
  const { rows } = await db.query<{ id: number }>(`select id from inbound_message where ${where} order by id`, values);
  return rows.map((r) => Number(r.id));
}

export interface ChannelStats {
  channel: string;
  received: number;
  processed: number;
  filtered: number;
  errored: number;
  dead: number;
  /** Waiting to be processed (received, or errored with a retry pending). */
  queued: number;
  /** Messages received in the last minute, per second. */
  perSecond: number;
  ackP50Ms: number | null;
  ackP95Ms: number | null;
  lastError: { at: Date; messageId: number; message: string } | null;
}

/**
 * Per-channel counts, throughput over the last minute and ACK latency percentiles over the
 * last 10,000 messages of each channel (percentile_cont over a bounded window: the monitor
 * should cost the same on day 1 and day 1,000).
 */
export async function channelStats(db: Queryable): Promise<ChannelStats[]> {
  const { rows } = await db.query<{
    channel: string;
    received: number;
    processed: number;
    filtered: number;
    errored: number;
    dead: number;
    queued: number;
    last_minute: number;
    p50: number | null;
    p95: number | null;
    error_at: Date | null;
    error_id: number | null;
    error_message: string | null;
  }>(
    `select c.channel, c.received, c.processed, c.filtered, c.errored, c.dead, c.queued, c.last_minute,
            l.p50, l.p95, e.received_at as error_at, e.id as error_id, e.error->>'message' as error_message
       from (select channel,
                    count(*)::int as received,
                    (count(*) filter (where status = 'processed'))::int as processed,
                    (count(*) filter (where status = 'filtered'))::int as filtered,
                    (count(*) filter (where status = 'errored'))::int as errored,
                    (count(*) filter (where status = 'dead'))::int as dead,
                    (count(*) filter (where status in ('received', 'errored') and next_attempt_at < 'infinity'))::int as queued,
                    (count(*) filter (where received_at > now() - interval '1 minute'))::int as last_minute
               from inbound_message group by channel) c
       left join lateral (
            select percentile_cont(0.5) within group (order by ack_ms) as p50,
                   percentile_cont(0.95) within group (order by ack_ms) as p95
              from (select ack_ms from inbound_message
                     where channel = c.channel and ack_ms is not null order by id desc limit 10000) w) l on true
       left join lateral (
            select id, received_at, error from inbound_message
             where channel = c.channel and status in ('errored', 'dead')
             order by id desc limit 1) e on true
      order by c.channel`,
  );
  return rows.map((r) => ({
    channel: r.channel,
    received: r.received,
    processed: r.processed,
    filtered: r.filtered,
    errored: r.errored,
    dead: r.dead,
    queued: r.queued,
    perSecond: r.last_minute / 60,
    ackP50Ms: r.p50,
    ackP95Ms: r.p95,
    lastError: r.error_at && r.error_id !== null ? { at: new Date(r.error_at), messageId: Number(r.error_id), message: r.error_message ?? '' } : null,
  }));
}
