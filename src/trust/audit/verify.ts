/**
 * Walks the audit chain from the first row to the head and reports the first row that does
 * not hold: content changed (its hash no longer matches), a row removed (a gap in the
 * sequence, or a head that points past the last row), rows reordered or inserted (a row whose
 * prev_hash is not the hash of the row before it).
 */
import type { Queryable } from '../../platform/db/db.ts';
import { chainHash, genesisHash } from './chain.ts';

export interface ChainProblem {
  seq: number;
  problem: string;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBad?: ChainProblem;
}

interface Row {
  seq: number;
  recorded: Date;
  event: { recorded?: string };
  prev_hash: string;
  hash: string;
}

export async function verifyAuditChain(
  db: Queryable,
  options: { pageSize?: number; onProgress?: (checked: number, total: number) => void } = {},
): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 5000;
  const { rows: heads } = await db.query<{ seq: number; hash: string }>('select seq, hash from audit_chain_head');
  const head = heads[0];
  if (!head) return { ok: false, checked: 0, firstBad: { seq: 0, problem: 'the chain head row is missing' } };
  let prevSeq = 0;
  let prevHash = genesisHash;
  let checked = 0;
  options.onProgress?.(0, head.seq);
  for (;;) {
    const { rows } = await db.query<Row>(
      'select seq, recorded, event, prev_hash, hash from audit_event where seq > $1 order by seq limit $2',
      [prevSeq, pageSize],
    );
    for (const row of rows) {
      const problem = checkRow(row, prevSeq, prevHash);
      if (problem) return { ok: false, checked, firstBad: problem };
      prevSeq = row.seq;
      prevHash = row.hash;
      checked += 1;
    }
    options.onProgress?.(checked, head.seq);
    if (rows.length < pageSize) break;
  }
  if (prevSeq !== head.seq || prevHash !== head.hash) {
    return {
      ok: false,
      checked,
      firstBad: { seq: prevSeq + 1, problem: `row ${prevSeq + 1} is missing: the chain head says ${head.seq} rows were written, the log ends at ${prevSeq}` },
    };
  }
  return { ok: true, checked };
}

function checkRow(row: Row, prevSeq: number, prevHash: string): ChainProblem | undefined {
  if (row.seq !== prevSeq + 1) {
    return { seq: prevSeq + 1, problem: `row ${prevSeq + 1} is missing (deleted): row ${row.seq} follows row ${prevSeq}` };
  }
  if (row.prev_hash !== prevHash) {
    return { seq: row.seq, problem: `row ${row.seq} does not follow row ${prevSeq} (rows reordered, replaced or inserted)` };
  }
  if (chainHash(prevHash, row.seq, row.event) !== row.hash) {
    return { seq: row.seq, problem: `row ${row.seq} was changed: its content no longer matches its hash` };
  }
  if (new Date(row.recorded).toISOString() !== row.event.recorded) {
    return { seq: row.seq, problem: `row ${row.seq} was changed: its recorded time differs from the hashed event` };
  }
  return undefined;
}
