/**
 * Operational endpoints: /healthz (the process answers), /readyz (the database answers and
 * is migrated), /metrics (Prometheus text). Unauthenticated, and they return no PHI.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../platform/db/db.ts';
import { isMigrated } from '../../platform/db/migrate.ts';
import type { Metrics } from '../../platform/telemetry/metrics.ts';

export interface OperationsOptions {
  db: Db;
  metrics: Metrics;
  isShuttingDown: () => boolean;
}

export async function operationsPlugin(app: FastifyInstance, options: OperationsOptions): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const checks: Record<string, 'ok' | string> = {};
    if (options.isShuttingDown()) checks.shutdown = 'shutting down';
    try {
      await options.db.query('select 1');
      checks.database = 'ok';
      checks.migrations = (await isMigrated(options.db)) ? 'ok' : 'pending';
    } catch (err) {
      checks.database = `unreachable: ${(err as Error).message}`;
    }
    const ready = Object.values(checks).every((v) => v === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', async (_request, reply) =>
    reply.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics()),
  );
}
