/**
 * Works through the message queue in the background: messages acknowledged on receipt
 * (`ackAfter: stored`), retries whose backoff has passed, and reprocessing requests. Woken
 * by `notify()` when something was queued, and polls so retries and other processes' messages
 * are picked up too. Several workers (processes) share the queue safely: claiming skips rows
 * another worker holds.
 */
import type { Logger } from 'pino';
import type { MessageProcessor } from './message-processor.ts';

export class MessageWorker {
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private pending = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly processor: MessageProcessor,
    private readonly options: {
      pollMs: number;
      batch?: number;
      /**
       * Messages processed at once, each in its own transaction. Safe for ordering: a
       * message waits while an earlier one of its patient is still queued or in hand
       * (claimDueMessages). Only useful where the database runs transactions side by side.
       */
      concurrency?: number;
      /** Messages claimed and processed in one transaction (MessageProcessor.drain). */
      perTransaction?: number;
      logger?: Logger;
    },
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Something was queued: work now rather than at the next poll. */
  notify(): void {
    this.pending = true;
    this.wake?.();
  }

  /** Resolves once the worker has emptied the queue of what is due (after a notify, say). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.notify();
    });
  }

  /** Finishes the message in hand and stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.pending = false;
      const batch = this.options.batch ?? 500;
      try {
        // A full batch means there may be more: go on without waiting.
        const lanes = Array.from({ length: this.options.concurrency ?? 1 }, () => this.processor.drain(batch, undefined, this.options.perTransaction));
        if ((await Promise.all(lanes)).some((done) => done === batch)) continue;
      } catch (err) {
        // A lost connection, say: the messages stay queued; try again at the next poll.
        this.options.logger?.error({ err }, 'message worker failed; retrying');
      }
      if (!this.running || this.pending) continue;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
