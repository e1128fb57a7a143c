/**
 * Work an outbox consumer marks in its handling transaction and does after that transaction
 * commits (a store write from inside the handler would deadlock on the embedded database).
 * `notify()` is called from the handler, before the marks are visible; a wake during a pass
 * schedules one more pass, so no mark is left behind and passes never overlap.
 */
import type { Logger } from 'pino';
import type { Db } from '../db/db.ts';

export interface AfterCommitWorkerOptions {
  db: Db;
  /** The outbox consumer whose handling transaction made the marks. */
  consumer: string;
  /** Does the marked work; resolves with how much it did (0: nothing left). */
  pass: () => Promise<number>;
  logger?: Logger;
}

export class AfterCommitWorker {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly options: AfterCommitWorkerOptions) {}

  notify(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
  }

  /** Runs until nothing is marked (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.running) await this.running;
    while ((await this.options.pass()) > 0);
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.afterMarkingCommits();
        while ((await this.options.pass()) > 0);
      } catch (err) {
        // The marks stay; the next wake retries them.
        this.options.logger?.error({ err, consumer: this.options.consumer }, 'after-commit pass failed');
        return;
      }
    } while (this.again);
  }

  /**
   * The dispatcher's transaction holds the consumer's row FOR UPDATE until it commits, so a
   * lock on the row waits exactly for the commit (PostgreSQL); the embedded database runs one
   * transaction at a time, so the same statement simply queues behind it. (Yielding a tick
   * instead, as a first version did, let PostgreSQL workers look before the commit.)
   */
  private async afterMarkingCommits(): Promise<void> {
    await this.options.db.transaction((tx) => tx.query('select 1 from outbox_consumer where name = $1 for key share', [this.options.consumer]));
  }
}
