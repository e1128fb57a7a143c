/** The interface monitor's throughput series: per-minute buckets from the hub, summed over channels. */
export interface Bucket {
  at: string;
  channel: string;
  received: number;
  processed: number;
  errored: number;
}

/** Every minute of the window, quiet minutes as zeros, so the chart's time axis is even. */
export function minuteRows(buckets: Bucket[], channel: string, minutes: number, now: Date) {
  const end = Math.floor(now.getTime() / 60_000) * 60_000;
  const rows = new Map<number, { minute: string; received: number; processed: number; errored: number }>();
  for (let t = end - (minutes - 1) * 60_000; t <= end; t += 60_000) rows.set(t, { minute: new Date(t).toISOString().slice(11, 16), received: 0, processed: 0, errored: 0 });
  for (const b of buckets) {
    if (channel !== '' && b.channel !== channel) continue;
    const row = rows.get(Math.floor(Date.parse(b.at) / 60_000) * 60_000);
    if (!row) continue;
    row.received += b.received;
    row.processed += b.processed;
    row.errored += b.errored;
  }
  return [...rows.values()];
}
