/**
 * The integration layer's composition: one message handler per channel, the processor that
 * applies what they map, the background worker, and an MLLP listener per configured HL7
 * channel. Built by the hub (hub.ts) so every command shares it; only `start` listens.
 */
import type { Logger } from 'pino';
import { hl7Channels, publicBaseUrl, type Config, type Hl7ChannelConfig } from '../platform/config.ts';
import type { Db } from '../platform/db/db.ts';
import type { ResourceStore } from '../record/resource-store.ts';
import { systemContext } from '../trust/access-context.ts';
import type { AuditLog } from '../trust/audit/audit-log.ts';
import { shippedMappings } from './csv/shipped-mappings.ts';
import type { EntryChecks } from './entry-checks.ts';
import type { SameAsFinder } from '../record/bundle-processor.ts';
import { importHandlerFor } from './import/channel-handlers.ts';
import { FileDropWatcher } from './file-drop/file-drop.ts';
import { Hl7MessageHandler } from './hl7v2-fhir/message-handler.ts';
import { MessageAdmin } from './message-store/message-admin.ts';
import { MessageIntake } from './message-store/message-intake.ts';
import { MessageProcessor, type MessageHandler } from './message-store/message-processor.ts';
import { MessageWorker } from './message-store/message-worker.ts';
import { ProcessingGroup } from './message-store/processing-group.ts';
import { Hl7Receiver, type AckObserver } from './mllp/hl7-receiver.ts';
import { MllpListener } from './mllp/mllp-listener.ts';

export interface ListeningChannel {
  channel: string;
  port: number;
}

export interface Integration {
  processor: MessageProcessor;
  worker: MessageWorker;
  admin: MessageAdmin;
  /** One watcher per configured file-drop directory (swept once `listen` starts them). */
  drops: readonly FileDropWatcher[];
  /**
   * Starts the worker, one MLLP listener per HL7 channel and the file-drop sweeps; resolves with
   * the bound ports. `worker: false` leaves the background worker to be started later
   * (`worker.start()`): a bulk load that processes what it stores itself (the demo) would
   * otherwise have the worker claim its messages one per transaction beside it.
   */
  listen(options?: { worker?: boolean }): Promise<ListeningChannel[]>;
  /** Stops accepting, answers every message in hand, then stops the worker. */
  close(): Promise<void>;
}

export interface IntegrationDeps {
  config: Config;
  db: Db;
  store: ResourceStore;
  audit: AuditLog;
  logger: Logger;
  /** Extra handlers for channels that are not MLLP (file drops, CSV, C-CDA), by channel name. */
  handlers?: ReadonlyMap<string, MessageHandler>;
  /** Told of every ACK sent (metrics). */
  onAck?: AckObserver;
  /** Normalization and quality checks for every mapped Bundle (entry-checks.ts). */
  entryChecks?: EntryChecks;
  /** Finds facts the record already holds from another source of the same person (same-fact.ts). */
  sameAs?: SameAsFinder;
}

export function createIntegration(deps: IntegrationDeps): Integration {
  const channels = hl7Channels(deps.config);
  const handlers = new Map<string, MessageHandler>(deps.handlers ?? []);
  for (const channel of channels) handlers.set(channel.name, handlerFor(channel));
  // Channels of imports and file drops (`hl7:<silo>`, `csv:<source>`, `fhir:<silo>`) are known
  // by their names, so the worker can process or reprocess what they stored.
  const lookup = {
    get(channel: string): MessageHandler | undefined {
      if (!handlers.has(channel)) {
        const handler = importHandlerFor(channel, shippedMappings());
        if (handler) handlers.set(channel, handler);
      }
      return handlers.get(channel);
    },
  };
  const processor = new MessageProcessor({
    db: deps.db,
    store: deps.store,
    ctx: systemContext('integration'),
    handlers: lookup,
    ...(deps.entryChecks ? { entryChecks: deps.entryChecks } : {}),
    ...(deps.sameAs ? { sameAs: deps.sameAs } : {}),
    fhirBaseUrl: `${publicBaseUrl(deps.config)}/fhir/R4`,
    logger: deps.logger.child({ component: 'messages' }),
  });
  const worker = new MessageWorker(processor, {
    pollMs: deps.config.outboxPollMs,
    // The embedded database runs one transaction at a time: more lanes would only queue.
    concurrency: deps.db.kind === 'pglite' ? 1 : deps.config.messageConcurrency,
    // On the embedded database a receipt waits for the transaction in hand (one at a time, in
    // this thread): smaller batches keep that wait short.
    perTransaction: deps.db.kind === 'pglite' ? 10 : 50,
    logger: deps.logger.child({ component: 'message-worker' }),
  });
  const admin = new MessageAdmin({ db: deps.db, audit: deps.audit, onRequeued: () => worker.notify() });
  const intake = new MessageIntake(deps.db);
  const processing = new ProcessingGroup(processor);
  const listeners: MllpListener[] = [];
  const drops = deps.config.fileDrops.map(
    (drop) => new FileDropWatcher(drop, { intake, onStored: () => worker.notify(), pollMs: deps.config.outboxPollMs, logger: deps.logger.child({ component: 'file-drop', drop: drop.name }) }),
  );

  return {
    processor,
    worker,
    admin,
    drops,
    async listen(options = {}) {
      if (options.worker !== false) worker.start();
      const bound: ListeningChannel[] = [];
      for (const channel of channels) {
        const receiver = new Hl7Receiver({
          db: deps.db,
          intake,
          processor: processing,
          channel,
          onQueued: () => worker.notify(),
          ...(deps.onAck ? { onAck: deps.onAck } : {}),
        });
        const listener = new MllpListener({
          channel: channel.name,
          port: channel.port,
          ...(channel.host ? { host: channel.host } : {}),
          receiver,
          logger: deps.logger.child({ component: 'mllp' }),
        });
        bound.push({ channel: channel.name, port: await listener.listen() });
        listeners.push(listener);
      }
      for (const drop of drops) await drop.start();
      return bound;
    },
    async close() {
      await Promise.all(listeners.splice(0).map((l) => l.close()));
      await Promise.all(drops.map((d) => d.stop()));
      await intake.flush();
      await worker.stop();
    },
  };
}

function handlerFor(channel: Hl7ChannelConfig): MessageHandler {
  return new Hl7MessageHandler({
    ...(channel.sourceSystem ? { sourceSystem: channel.sourceSystem } : {}),
    ...(channel.mapping ? { overrides: channel.mapping } : {}),
  });
}
