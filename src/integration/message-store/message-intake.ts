/**
 * Group commit for receipts. Every message must be committed before it is acknowledged, and a
 * commit (a WAL flush) costs far more than the insert before it; so receipts that arrive
 * while one commit is under way wait and go together in the next transaction, each still
 * answered only once that transaction has committed. With one sender this changes nothing;
 * with eight it turns eight flushes into one. ACK latencies, wanted only by the interface
 * monitor, ride along in the same statement instead of costing a commit of their own; those
 * of rows the worker holds wait for a later one (receiveNotingLatencies). A group is one
 * statement run on its own (autocommit): a round trip, not four (begin, insert, update,
 * commit): on PostgreSQL at 8 connections, worker stopped, receipts went from 358 to 547
 * msg/s (p50 20 → 12 ms; load average 8 on this 2-core machine).
 *
 * Overlapping groups (up to four statements committing at once, a receipt whose patient or
 * control id was in one still committing held back for it) were measured in turns against
 * this and left out: ahead in 8 of 14 rounds with the worker stopped (median +8 %) and in 8
 * of 16 with it running (PostgreSQL, 8 connections, load 1.5-13). One group at a time already
 * reached 2,834 msg/s (p50 2.5 ms) at load 2.5-5, where the two cores are full with the hub,
 * the senders and the PostgreSQL backends: fewer, larger groups cost about what overlap saves.
 */
import type { Db } from '../../platform/db/db.ts';
import { receiveMessage, receiveNotingLatencies, type AckLatency, type InboundMessage, type Receipt } from './message-store.ts';

interface Pending {
  message: InboundMessage;
  resolve: (receipt: Receipt) => void;
  reject: (err: unknown) => void;
}

/** Latencies waiting alone are written after this long at most (they never hold a receipt). */
const ackFlushMs = 200;

export class MessageIntake {
  private pending: Pending[] = [];
  private acks: AckLatency[] = [];
  private running: Promise<void> | undefined;
  private ackTimer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Db) {}

  /** Stores a message as received (see receiveMessage); resolves once it is committed. */
  receive(message: InboundMessage): Promise<Receipt> {
    return this.receiveMany([message]).then(([receipt]) => receipt!);
  }

  /** Stores several messages in one commit (a pipelining sender's frames); receipts in order. */
  receiveMany(messages: readonly InboundMessage[]): Promise<Receipt[]> {
    const receipts = messages.map((message) => new Promise<Receipt>((resolve, reject) => this.pending.push({ message, resolve, reject })));
    this.run();
    return Promise.all(receipts);
  }

  /** Notes how long a message took from receipt to ACK; written with the next commit. */
  noteAck(id: number, ms: number): void {
    this.noteLatencies([{ id, ms }]);
  }

  /** Latencies to write with the next commit, or on their own after ackFlushMs at most. */
  private noteLatencies(latencies: readonly AckLatency[]): void {
    if (latencies.length === 0) return;
    this.acks.push(...latencies);
    this.ackTimer ??= setTimeout(() => {
      this.ackTimer = undefined;
      this.run();
    }, ackFlushMs).unref();
  }

  /** Writes everything noted; resolves once committed. */
  async flush(): Promise<void> {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    // A drain that ends may start the next one itself (its finally): wait for that one too.
    do {
      this.run();
      await this.running;
    } while (this.running || this.hasWork());
  }

  private hasWork(): boolean {
    return this.pending.length > 0 || (this.acks.length > 0 && !this.ackTimer);
  }

  private run(): void {
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
      if (this.hasWork()) this.run();
    });
  }

  private async drain(): Promise<void> {
    while (this.hasWork()) {
      const batch = this.pending.splice(0);
      const acks = this.acks.splice(0);
      try {
        const { receipts, held } = await receiveNotingLatencies(this.db, batch.map((p) => p.message), acks);
        batch.forEach((p, i) => p.resolve(receipts[i]!));
        this.noteLatencies(held);
      } catch {
        // Whatever failed the batch (a lost connection, a row the database refuses) must not
        // take the others down with it: each is tried once more on its own, and answered with
        // its own outcome. Latencies of a failed batch are dropped: they are monitor figures,
        // not messages. One after the other, in arrival order: side by side on the pool, two
        // messages of one patient could draw their ids in the other order.
        for (const p of batch) await receiveMessage(this.db, p.message).then(p.resolve, p.reject);
      }
    }
  }
}
