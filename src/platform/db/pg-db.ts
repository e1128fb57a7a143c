import pg from 'pg';
import type { Db, PoolStats, Queryable, QueryResult, TransactionOptions } from './db.ts';

const INT8_OID = 20;

/**
 * int8 (bigint, count(*)) comes back as a JS number, as PGlite returns it, so code above the
 * port sees the same types on both adapters. Our int8 values (versions, sequence ids) stay far
 * below 2^53.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PgDbOptions {
  connectionString: string;
  max?: number;
  /** Confines every connection to one schema (used for per-suite test isolation). */
  searchPath?: string;
}

export function createPgDb(options: PgDbOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    types,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);

  return {
    kind: 'postgres',
    async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const result = await pool.query(text, params as unknown[] | undefined);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    },
    async exec(script: string): Promise<void> {
      await pool.query(script);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>, txOptions: TransactionOptions = {}): Promise<T> {
      const client = await pool.connect();
      try {
        // One round trip either way: without parameters, both statements go as one simple query.
        await client.query(txOptions.asynchronousCommit ? 'begin; set local synchronous_commit = off' : 'begin');
        const tx: Queryable = {
          async query<R>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
            const result = await client.query(text, params as unknown[] | undefined);
            return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
          },
          async exec(script: string): Promise<void> {
            await client.query(script);
          },
        };
        const value = await fn(tx);
        await client.query('commit');
        return value;
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    stats(): PoolStats {
      return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
