/**
 * Messages per minute and channel for the interface monitor's chart: received by the minute
 * they arrived, processed and errored by the minute processing finished (so a backlog shows as
 * received now, processed later). Minutes with nothing are left out; the chart fills them.
 */
import type { Queryable } from '../../platform/db/db.ts';

export interface ThroughputBucket {
  /** The minute, ISO 8601 UTC (`2026-12-03T12:07:00Z`). */
  at: string;
  channel: string;
  received: number;
  processed: number;
  errored: number;
}

const minuteOf = (column: string) => `to_char(date_trunc('minute', ${column} at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:00"Z"')`;

export async function channelThroughput(db: Queryable, minutes: number, now = new Date()): Promise<ThroughputBucket[]> {
  const since = new Date(now.getTime() - minutes * 60_000).toISOString();
  const { rows } = await db.query<{ at: string; channel: string; received: number; processed: number; errored: number }>(
    `select at, channel, sum(received)::int as received, sum(processed)::int as processed, sum(errored)::int as errored
       from (
         select ${minuteOf('received_at')} as at, channel, count(*) as received, 0 as processed, 0 as errored
           from inbound_message where received_at >= $1 group by 1, 2
         union all
         select ${minuteOf('processed_at')}, channel, 0,
                count(*) filter (where status in ('processed', 'filtered')),
                count(*) filter (where status in ('errored', 'dead'))
           from inbound_message where processed_at >= $1 group by 1, 2
       ) m
      group by at, channel
      order by at, channel`,
    [since],
  );
  return rows;
}
