/**
 * In-process outbox dispatcher. Each subscriber is a named consumer with its own position
 * (outbox_consumer.last_event_id). Delivery is at least once and in commit order; a handler
 * runs inside the transaction that advances the consumer's position, so the database effects
 * of handling an event and the record that it was handled commit together: a crash or
 * restart neither loses an event nor applies its database effects twice. Effects outside the
 * database (an e-mail) may repeat after a crash; such handlers must be idempotent.
 *
 * A consumer's row is claimed with FOR UPDATE SKIP LOCKED, so several hub processes can run
 * dispatchers on one database without delivering the same event twice at the same time.
 */
import type { Logger } from 'pino';
import type { Db, Queryable } from '../db/db.ts';
import { readEventsAfter, type OutboxEvent } from './events.ts';

export interface Subscriber {
  /** Stable consumer name; the position is kept under it. */
  name: string;
  /** Topics to receive; all when omitted. Events of other topics still advance the position. */
  topics?: readonly string[];
  handle(event: OutboxEvent, tx: Queryable): Promise<void>;
}

export interface DispatcherOptions {
  pollMs?: number;
  batchSize?: number;
  maxAttempts?: number;
  logger?: Logger;
  /** First retry delay after a failure; doubles per attempt up to a minute. */
  retryBaseMs?: number;
}

interface ConsumerRow {
  last_event_id: number;
  attempts: number;
  retry_at: Date | null;
}

export class OutboxDispatcher {
  private readonly subscribers: Subscriber[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private pass: Promise<void> | undefined;
  private again = false;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;

  constructor(
    private readonly db: Db,
    private readonly options: DispatcherOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.batchSize = options.batchSize ?? 200;
    this.maxAttempts = options.maxAttempts ?? 10;
    this.retryBaseMs = options.retryBaseMs ?? 100;
  }

  subscribe(subscriber: Subscriber): void {
    if (this.subscribers.some((s) => s.name === subscriber.name)) {
      throw new Error(`outbox consumer ${subscriber.name} is already subscribed`);
    }
    this.subscribers.push(subscriber);
  }

  /** Starts polling; new consumers begin at the start of the outbox. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Wakes the dispatcher now (called after a local commit so events go out without waiting for the poll). */
  notify(): void {
    if (!this.running) return;
    if (this.pass) this.again = true;
    else this.schedule(0);
  }

  /** Delivers everything pending for every consumer, then returns (also usable when not started). */
  async drain(): Promise<void> {
    while (this.pass) await this.pass;
    for (let round = 0; round < 1000; round++) {
      const delivered = await this.runPass();
      if (delivered === 0) return;
    }
  }

  /** Stops polling after delivering what is pending (graceful shutdown). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.drain();
  }

  /** How many events a consumer has yet to handle, and the age of the oldest (seconds). */
  async lag(): Promise<{ consumer: string; pending: number; oldestSeconds: number }[]> {
    const { rows } = await this.db.query<{ name: string; pending: number; oldest: number | null }>(
      `select c.name,
              (select count(*) from outbox_event e where e.id > c.last_event_id) as pending,
              (select extract(epoch from now() - min(e.created_at))::float8
                 from outbox_event e where e.id > c.last_event_id) as oldest
         from outbox_consumer c
        where c.name = any($1::text[])`,
      [this.subscribers.map((s) => s.name)],
    );
    return rows.map((r) => ({ consumer: r.name, pending: Number(r.pending), oldestSeconds: r.oldest ?? 0 }));
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.loop();
    }, delayMs);
  }

  private async loop(): Promise<void> {
    while (this.pass) await this.pass;
    let delivered = 0;
    try {
      delivered = await this.runPass();
    } catch (err) {
      this.options.logger?.error({ err }, 'outbox dispatch pass failed');
    }
    const more = delivered > 0 || this.again;
    this.again = false;
    this.schedule(more ? 0 : this.pollMs);
  }

  private async runPass(): Promise<number> {
    const pass = (async () => {
      let delivered = 0;
      for (const subscriber of this.subscribers) delivered += await this.deliverBatch(subscriber);
      return delivered;
    })();
    this.pass = pass.then(() => undefined, () => undefined);
    try {
      return await pass;
    } finally {
      this.pass = undefined;
    }
  }

  /**
   * Delivers up to one batch to a consumer, all in one transaction. If a handler throws, the
   * batch rolls back and is redelivered one event per transaction, so the events before the
   * failing one are kept and the failing one is retried with backoff.
   */
  private async deliverBatch(subscriber: Subscriber): Promise<number> {
    await this.db.query('insert into outbox_consumer (name) values ($1) on conflict (name) do nothing', [subscriber.name]);
    try {
      return await this.deliver(subscriber, this.batchSize);
    } catch {
      try {
        return await this.deliver(subscriber, 1);
      } catch (err) {
        await this.recordFailure(subscriber, err);
        return 0;
      }
    }
  }

  private async deliver(subscriber: Subscriber, limit: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<ConsumerRow>(
        `select last_event_id, attempts, retry_at from outbox_consumer
          where name = $1 and (retry_at is null or retry_at <= now())
          for update skip locked`,
        [subscriber.name],
      );
      const consumer = rows[0];
      if (!consumer) return 0;
      const events = await readEventsAfter(tx, consumer.last_event_id, limit);
      if (events.length === 0) return 0;
      for (const event of events) {
        if (!subscriber.topics || subscriber.topics.includes(event.topic)) await subscriber.handle(event, tx);
      }
      await tx.query(
        `update outbox_consumer
            set last_event_id = $2, attempts = 0, last_error = null, retry_at = null, updated_at = now()
          where name = $1`,
        [subscriber.name, events.at(-1)!.id],
      );
      return events.length;
    });
  }

  private async recordFailure(subscriber: Subscriber, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<ConsumerRow>(
        'select last_event_id, attempts from outbox_consumer where name = $1 for update',
        [subscriber.name],
      );
      const consumer = rows[0];
      if (!consumer) return;
      const attempts = consumer.attempts + 1;
      const [event] = await readEventsAfter(tx, consumer.last_event_id, 1);
      if (!event) return;
      if (attempts >= this.maxAttempts) {
        this.options.logger?.error({ consumer: subscriber.name, eventId: event.id, err }, 'outbox event dead-lettered');
        await tx.query(
          `insert into outbox_dead_letter (consumer, event_id, error, attempts) values ($1, $2, $3, $4)
           on conflict do nothing`,
          [subscriber.name, event.id, message, attempts],
        );
        await tx.query(
          `update outbox_consumer set last_event_id = $2, attempts = 0, last_error = $3, retry_at = null,
                  updated_at = now() where name = $1`,
          [subscriber.name, event.id, message],
        );
        return;
      }
      const delayMs = Math.min(60_000, this.retryBaseMs * 2 ** (attempts - 1));
      this.options.logger?.warn({ consumer: subscriber.name, eventId: event.id, attempts, err }, 'outbox handler failed');
      await tx.query(
        `update outbox_consumer
            set attempts = $2, last_error = $3, retry_at = now() + ($4::int * interval '1 millisecond'), updated_at = now()
          where name = $1`,
        [subscriber.name, attempts, message, delayMs],
      );
    });
  }
}
