/**
 * Wires incremental signals into a hub: the outbox consumer that marks changed persons and
 * the worker that recomputes them. Call before `dispatcher.start()`. A new consumer starts at
 * the beginning of the outbox, so the first start on an existing database marks every
 * person that ever changed (a full recompute, spread over the worker's batches).
 */
import type { Logger } from 'pino';
import type { Db } from '../../platform/db/db.ts';
import type { OutboxDispatcher } from '../../platform/outbox/dispatcher.ts';
import type { ResourceStore } from '../../record/resource-store.ts';
import type { SearchParameterRegistry } from '../../record/search/index.ts';
import { systemContext } from '../../trust/access-context.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import { identityPersons, type PersonDirectory } from './person-directory.ts';
import { signalsSubscriber, SignalWorker } from './signal-consumer.ts';
import { SignalRunner } from './signal-runner.ts';
import type { SignalServices } from './signal.ts';

export interface IncrementalSignals {
  worker: SignalWorker;
  /** Delivers pending outbox events, then recomputes every marked person (tests, shutdown). */
  drain(): Promise<void>;
}

export function attachIncrementalSignals(
  hub: { db: Db; store: ResourceStore; audit: AuditLog; searchParameters: SearchParameterRegistry; dispatcher: OutboxDispatcher; logger?: Logger },
  services: SignalServices,
  options: { directory?: PersonDirectory; onRecomputed?: (patientId: string, ms: number) => void } = {},
): IncrementalSignals {
  const runner = new SignalRunner({ ...hub, services, ...(hub.logger ? { logger: hub.logger } : {}) });
  const worker = new SignalWorker({
    db: hub.db,
    runner,
    directory: options.directory ?? identityPersons(hub.db),
    ctx: systemContext('outbox:signals'),
    ...(hub.logger ? { logger: hub.logger.child({ component: 'signals' }) } : {}),
    ...(options.onRecomputed ? { onRecomputed: options.onRecomputed } : {}),
  });
  hub.dispatcher.subscribe(signalsSubscriber(() => worker.notify()));
  return {
    worker,
    async drain() {
      await hub.dispatcher.drain();
      await worker.drain();
    },
  };
}
