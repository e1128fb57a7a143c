/**
 * The one database port. Two adapters implement it (pg-db.ts for a PostgreSQL server,
 * pglite-db.ts for the embedded database); everything above speaks only this interface and
 * plain parameterized SQL, so the same statements run on both.
 */

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export type DbKind = 'pglite' | 'postgres';

export interface TransactionOptions {
  /**
   * Commit without waiting for the WAL to reach disk (PostgreSQL's asynchronous commit,
   * https://www.postgresql.org/docs/current/wal-async-commit.html): the commit is visible and
   * ordered as any other, but a crash of the database server (not of the hub) can lose the
   * last ~3 × wal_writer_delay of such commits, whole, as if they had rolled back. For
   * entries whose caller has chosen that trade-off (trust/audit/audit-log.ts); never for writes.
   */
  asynchronousCommit?: boolean;
}

export interface Db extends Queryable {
  readonly kind: DbKind;
  /** Runs fn in one transaction: committed when fn resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  stats(): PoolStats;
  close(): Promise<void>;
}

/** Advisory-lock keys; each names one critical section across every process on a database. */
export const AdvisoryLocks = {
  migrate: 7_300_001,
  /**
   * Held from the moment a transaction appends outbox events or audit rows until it commits,
   * so sequence numbers are handed out in commit order (see lockCommitOrder).
   */
  commitOrder: 7_300_002,
} as const;

/**
 * Serializes the tail of writing transactions. Sequences alone do not follow commit order (a
 * transaction can take id 7, then commit after the one holding id 8), and a consumer reading
 * "id > last seen" would then skip id 7 for ever. Taking this lock before drawing outbox or
 * audit sequence numbers makes id order equal commit order; it is released at commit, so take
 * it as late in the transaction as possible.
 */
export async function lockCommitOrder(tx: Queryable): Promise<void> {
  await tx.query('select pg_advisory_xact_lock($1)', [AdvisoryLocks.commitOrder]);
}
