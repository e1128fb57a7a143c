/**
 * The audit log: appends AuditEvents to the hash chain. Writes append their audit row inside
 * their own transaction (the write and its audit commit together). Reads go through
 * `record`, which groups concurrent entries into one transaction (group commit) and resolves
 * each caller only once its entry is committed, so a read is never answered unaudited.
 *
 * Deliberate trade-off (docs/architecture.md, "Trust"): on PostgreSQL a group made only of
 * successful reads commits asynchronously (https://www.postgresql.org/docs/current/wal-async-commit.html):
 * committed, in the chain and in order before the read answers, but not yet flushed to disk.
 * A crash of the PostgreSQL server (not of the hub) can lose the last ~3 × wal_writer_delay
 * (600 ms by default) of such entries, whole: each group goes with its chain head update, so
 * the chain left behind still verifies, and any later synchronous commit (every write, every
 * other entry) flushes the groups before it. Why: a read waited for the flush in progress and
 * then its own, each with an fdatasync (~2.5 ms on the bench machine); at 16 connections the
 * audited read went from p50 17.3 / p95 37.6 ms to 9.9 / 23.3 ms with this and the two
 * round trips saved below (docs/benchmarks.md, 2026-12-05, loaded machine). Refusals,
 * failures, logins, exports and operations keep synchronous commit.
 */
import { lockCommitOrder, type Db, type Queryable } from '../../platform/db/db.ts';
import { buildAuditEvent, type AuditEntry, type Interaction } from './audit-event.ts';
import { chainHash } from './chain.ts';

interface Pending {
  entry: AuditEntry;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const maxBatch = 500;

/** Interactions that disclose the record without changing it: their entries may commit asynchronously. */
const readInteractions: ReadonlySet<Interaction> = new Set(['read', 'vread', 'search', 'history']);

/** A successful read; anything else (a refusal, a failure, a login...) is committed to disk before its caller goes on. */
export function mayCommitAsynchronously(entry: AuditEntry): boolean {
  return entry.outcome === 'success' && readInteractions.has(entry.interaction);
}

export class AuditLog {
  private pending: Pending[] = [];
  private flushing: Promise<void> | undefined;

  constructor(private readonly db: Db) {}

  /** Appends entries in the caller's transaction (they commit, or vanish, with it). */
  async appendInTransaction(tx: Queryable, entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await lockCommitOrder(tx);
    await this.appendToChain(tx, entries);
  }

  /**
   * The head row, locked until commit, is what orders the chain: the next appender reads the
   * head only once this transaction has committed, so sequence order is commit order. A
   * transaction that also draws outbox ids must hold the commit-order lock first
   * (appendInTransaction); it never waits for the head while holding it in the other order.
   */
  private async appendToChain(tx: Queryable, entries: readonly AuditEntry[]): Promise<void> {
    const { rows } = await tx.query<{ seq: number; hash: string }>(
      'select seq, hash from audit_chain_head where singleton for update',
    );
    const head = rows[0];
    if (!head) throw new Error('audit_chain_head is missing; run the migrations');
    const recorded = new Date();
    let { seq, hash } = head;
    const seqs: number[] = [];
    const events: string[] = [];
    const prevHashes: string[] = [];
    const hashes: string[] = [];
    for (const entry of entries) {
      seq += 1;
      const event = { ...buildAuditEvent(entry, recorded), id: String(seq) };
      const next = chainHash(hash, seq, event);
      seqs.push(seq);
      events.push(JSON.stringify(event));
      prevHashes.push(hash);
      hashes.push(next);
      hash = next;
    }
    // Rows and head in one statement: one round trip fewer while the head row (and, for a
    // write, the commit-order lock) is held, the tail every audited transaction waits behind
    // (16 concurrent record() calls on PostgreSQL: ~2,970 → ~3,390 entries/s, medians of 5).
    await tx.query(
      `with appended as (
         insert into audit_event (seq, recorded, event, prev_hash, hash)
         select s, $2::timestamptz, e, p, h from unnest($1::bigint[], $3::jsonb[], $4::text[], $5::text[]) as t(s, e, p, h)
       )
       update audit_chain_head set seq = $6, hash = $7 where singleton`,
      [seqs, recorded.toISOString(), events, prevHashes, hashes, seq, hash],
    );
  }

  /**
   * Records one entry in its own (grouped) transaction; resolves when it is committed (flushed
   * to disk too, unless every entry of its group may commit asynchronously, above).
   */
  record(entry: AuditEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      this.startFlush();
    });
  }

  /**
   * A caller resolved by one flush may record again before that flush's `finally` has run (its
   * continuation comes first in the microtask queue): its entry then finds `flushing` still set,
   * and without the check below it would wait for some later caller's flush. Measured: 300
   * sequential `record` calls stalled at the second one.
   */
  private startFlush(): void {
    this.flushing ??= this.flushPending().finally(() => {
      this.flushing = undefined;
      if (this.pending.length > 0) this.startFlush();
    });
  }

  /** Waits until every entry handed to `record` so far is committed. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flushPending(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, maxBatch);
      try {
        const asynchronousCommit = batch.every((p) => mayCommitAsynchronously(p.entry));
        // The group draws no outbox ids, so the head row alone orders it (appendToChain): no
        // commit-order lock, one round trip fewer in the tail every audited transaction queues
        // behind (16 concurrent record() calls: ~2,700 → ~3,300 entries/s on PostgreSQL,
        // ~2,350 → ~2,700 on PGlite; medians of 5 alternating runs, loaded machine).
        await this.db.transaction((tx) => this.appendToChain(tx, batch.map((p) => p.entry)), { asynchronousCommit });
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
  }
}
