/**
 * Prometheus metrics on a registry of the hub's own (no global default registry, so tests
 * and several hubs in one process stay apart): HTTP requests and latency per route, the
 * database pool, and outbox lag per consumer.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/db.ts';
import type { OutboxDispatcher } from '../outbox/dispatcher.ts';

const messageStatuses = ['received', 'processed', 'filtered', 'errored', 'dead', 'queued'] as const;

/** Message counts of one channel, as the interface monitor reports them. */
export type ChannelCounts = { channel: string } & Record<(typeof messageStatuses)[number], number>;

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  /** MLLP acknowledgments by channel and code (AA/AE/AR), with the time from frame to ACK. */
  mllpAcks: Histogram<'channel' | 'code'>;
}

export function createMetrics(deps: { db: Db; dispatcher: OutboxDispatcher; channelCounts?: () => Promise<ChannelCounts[]> }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'longitude_' });
  const httpRequests = new Counter({
    name: 'longitude_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'longitude_http_request_duration_seconds',
    help: 'HTTP request latency by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'longitude_db_pool_connections',
    help: 'Database connections by state (total, idle, waiting callers)',
    labelNames: ['state', 'backend'] as const,
    registers: [registry],
    collect() {
      const stats = deps.db.stats();
      for (const [state, value] of Object.entries(stats)) this.set({ state, backend: deps.db.kind }, value);
    },
  });
  // prom-client collects gauges concurrently, so each asks for the lag itself.
  new Gauge({
    name: 'longitude_outbox_pending_events',
    help: 'Outbox events a consumer has not yet handled',
    labelNames: ['consumer'] as const,
    registers: [registry],
    async collect() {
      for (const lag of await deps.dispatcher.lag()) this.set({ consumer: lag.consumer }, lag.pending);
    },
  });
  new Gauge({
    name: 'longitude_outbox_lag_seconds',
    help: 'Age of the oldest outbox event a consumer has not yet handled',
    labelNames: ['consumer'] as const,
    registers: [registry],
    async collect() {
      for (const lag of await deps.dispatcher.lag()) this.set({ consumer: lag.consumer }, lag.oldestSeconds);
    },
  });
  const mllpAcks = new Histogram({
    name: 'longitude_mllp_ack_seconds',
    help: 'Time from an MLLP frame received to its ACK sent (stored, and processed unless ackAfter is stored), by channel and ACK code',
    labelNames: ['channel', 'code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'longitude_channel_messages',
    help: 'Messages in the message store by channel and status (queued: waiting for processing or a retry)',
    labelNames: ['channel', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const stats of (await deps.channelCounts?.()) ?? []) {
        for (const status of messageStatuses) {
          this.set({ channel: stats.channel, status }, stats[status]);
        }
      }
    },
  });
  return { registry, httpRequests, httpDuration, mllpAcks };
}
