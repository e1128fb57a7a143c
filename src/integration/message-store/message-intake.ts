/**
 * Group commit for receipts. Every message must be committed before it is acknowledged, and a
 * commit (a WAL flush) costs far more than the insert before it; so receipts that arrive
 * while one commit is under way wait and go together in the next transaction, each still
 * answered only once that transaction has committed. With one sender this changes nothing;
 * with eight it turns eight flushes into one. ACK latencies, wanted only by the interface
 * monitor, ride along in the same transactions instead of costing a commit of their own.
 */
import type { Db, Queryable } from '../../platform/db/db.ts';
import { receiveMessage, receiveMessages, type InboundMessage, type Receipt } from './message-store.ts';

interface Pending {
  message: InboundMessage;
  resolve: (receipt: Receipt) => void;
  reject: (err: unknown) => void;
}

/** Latencies waiting alone are written after this long at most (they never hold a receipt). */
const ackFlushMs = 200;

export class MessageIntake {
  private pending: Pending[] = [];
  private acks: { id: number; ms: number }[] = [];
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
    this.acks.push({ id, ms });
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
        const receipts = await this.db.transaction(async (tx) => {
          const stored = await receiveMessages(tx, batch.map((p) => p.message));
          await writeAckLatencies(tx, acks);
          return stored;
        });
        batch.forEach((p, i) => p.resolve(receipts[i]!));
      } catch {
        // Whatever failed the batch (a lost connection, a row the database refuses) must not
        // take the others down with it: each is tried once more on its own, and answered with
        // its own outcome. Latencies of a failed batch are dropped: they are monitor figures,
        // not messages.
        await Promise.all(batch.map((p) => receiveMessage(this.db, p.message).then(p.resolve, p.reject)));
      }
    }
  }
}

async function writeAckLatencies(tx: Queryable, acks: readonly { id: number; ms: number }[]): Promise<void> {
  if (acks.length === 0) return;
  await tx.query(
    `update inbound_message m set ack_ms = coalesce(m.ack_ms, a.ms)
       from unnest($1::bigint[], $2::float8[]) as a(id, ms)
      where m.id = a.id`,
    [acks.map((a) => a.id), acks.map((a) => a.ms)],
  );
}
