/**
 * One timed autocannon run over a set of operations, with exact per-operation latencies.
 *
 * An operation is the paths of one answer: a single request, or every page of a paged answer
 * (requested one after another on the same connection). Operations are handed out in turn
 * across all connections. Latency runs from the moment an operation's first request is
 * written to the moment its last response is complete, so percentiles come from every
 * measured operation rather than from a histogram's buckets.
 */
import autocannon from 'autocannon';
import { percentile } from './latency.ts';

export interface RunOptions {
  /** http://host:port */
  url: string;
  headers: Record<string, string>;
  operations: readonly (readonly string[])[];
  connections: number;
  seconds: number;
}

export interface RunFigures {
  /** Operations whose last response arrived within the run. */
  ops: number;
  opsPerSecond: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** Connection errors, timeouts, non-2xx responses and operations with any non-2xx page. */
  failures: number;
}

interface OperationContext {
  operation: readonly string[];
  started: number;
  failed: boolean;
}

export async function runOperations(options: RunOptions): Promise<RunFigures> {
  const { operations } = options;
  const pages = operations[0]?.length ?? 0;
  if (pages === 0 || operations.some((o) => o.length !== pages)) throw new Error('operations must be non-empty and of equal length');
  const latencies: number[] = [];
  let failedOperations = 0;
  let next = 0;
  // autocannon keeps a context per connection and resets it when it wraps to the first request.
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    headers: options.headers,
    requests: Array.from({ length: pages }, (_, page) => ({
      setupRequest: (request: autocannon.Request, context: object) => {
        const c = context as OperationContext;
        if (page === 0) {
          c.operation = operations[next++ % operations.length]!;
          c.failed = false;
          c.started = performance.now();
        }
        return { ...request, path: c.operation[page]! };
      },
      onResponse: (status: number, _body: string, context: object) => {
        const c = context as OperationContext;
        if (status < 200 || status > 299) c.failed = true;
        if (page === pages - 1) {
          latencies.push(performance.now() - c.started);
          if (c.failed) failedOperations += 1;
        }
      },
    })),
  });
  latencies.sort((a, b) => a - b);
  return {
    ops: latencies.length,
    opsPerSecond: latencies.length / result.duration,
    requestsPerSecond: (result['2xx'] + result.non2xx) / result.duration,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    failures: result.errors + result.timeouts + result.non2xx + result.mismatches + failedOperations,
  };
}
