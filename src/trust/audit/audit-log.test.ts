import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Db, Queryable, TransactionOptions } from '../../platform/db/db.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { createAccessContext } from '../access-context.ts';
import type { AuditEntry } from './audit-event.ts';
import { AuditLog, mayCommitAsynchronously } from './audit-log.ts';
import { verifyAuditChain } from './verify.ts';

const auditor = createAccessContext({ actor: { type: 'user', id: 'auditor-1' }, role: 'auditor' });

/** Ten audit rows written the way the hub writes them: grouped reads and in-transaction writes. */
async function auditedDb(open: () => Promise<Db>): Promise<Db> {
  const db = await open();
  const log = new AuditLog(db);
  await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      log.record({ ctx: auditor, interaction: 'read', outcome: 'success', entity: { reference: `Patient/p${i}` } }),
    ),
  );
  await db.transaction((tx) =>
    log.appendInTransaction(
      tx,
      Array.from({ length: 4 }, (_, i) => ({ ctx: auditor, interaction: 'create' as const, outcome: 'success' as const, entity: { reference: `Patient/n${i}` } })),
    ),
  );
  return db;
}

/**
 * The database with each transaction's effective synchronous_commit noted (read inside the
 * transaction, so it is what the server applied, not what was asked).
 */
function noteCommitModes(db: Db): { db: Db; modes: string[] } {
  const modes: string[] = [];
  const transaction = <T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T> =>
    db.transaction(async (tx) => {
      const { rows } = await tx.query<{ mode: string }>(`select current_setting('synchronous_commit') as mode`);
      modes.push(rows[0]!.mode);
      return fn(tx);
    }, options);
  return { db: { ...db, kind: db.kind, query: db.query.bind(db), exec: db.exec.bind(db), stats: db.stats.bind(db), close: db.close.bind(db), transaction }, modes };
}

const read = (i: number): AuditEntry => ({ ctx: auditor, interaction: 'read', outcome: 'success', entity: { reference: `Patient/r${i}`, resourceType: 'Patient' } });

test('only successful reads may commit asynchronously', () => {
  assert.equal(mayCommitAsynchronously(read(1)), true);
  assert.equal(mayCommitAsynchronously({ ctx: auditor, interaction: 'search', outcome: 'success', entity: { resourceType: 'Observation', query: 'patient=p' } }), true);
  assert.equal(mayCommitAsynchronously({ ...read(1), outcome: 'failure', description: 'refused: not allowed' }), false);
  assert.equal(mayCommitAsynchronously({ ctx: auditor, interaction: 'login', outcome: 'success' }), false);
  assert.equal(mayCommitAsynchronously({ ctx: auditor, interaction: 'export', outcome: 'success' }), false);
  assert.equal(mayCommitAsynchronously({ ctx: auditor, interaction: 'create', outcome: 'success' }), false);
});

/** Tampering as someone with full database rights would: the append-only trigger switched off. */
async function tamper(db: Db, sql: string): Promise<void> {
  await db.exec(`alter table audit_event disable trigger user; ${sql}; alter table audit_event enable trigger user;`);
}

for (const backend of testDatabases()) {
  describe(`audit chain on ${backend.kind}`, () => {
    test('an untouched chain verifies, and holds FHIR AuditEvents', async (t) => {
      const db = await auditedDb(() => backend.open());
      t.after(() => db.close());
      assert.deepEqual(await verifyAuditChain(db, { pageSize: 3 }), { ok: true, checked: 10 });
      const { rows } = await db.query<{ event: { resourceType: string; agent: { role: { text: string }[] }[]; outcome: string } }>(
        'select event from audit_event where seq = 1',
      );
      assert.equal(rows[0]!.event.resourceType, 'AuditEvent');
      assert.equal(rows[0]!.event.agent[0]!.role[0]!.text, 'auditor');
      assert.equal(rows[0]!.event.outcome, '0');
    });

    test('entries recorded one after another each commit (none waits for a later caller)', async (t) => {
      const db = await backend.open();
      t.after(() => db.close());
      const log = new AuditLog(db);
      // Each record starts as the previous one resolves, before its flush has quite ended.
      for (let i = 0; i < 5; i++) await log.record({ ctx: auditor, interaction: 'read', outcome: 'success', entity: { reference: `Patient/s${i}` } });
      assert.deepEqual(await verifyAuditChain(db), { ok: true, checked: 5 });
    });

    test('grouped reads are committed and chained before they resolve, asynchronously only on PostgreSQL', async (t) => {
      const { db, modes } = noteCommitModes(await backend.open());
      t.after(() => db.close());
      const log = new AuditLog(db);
      await Promise.all(Array.from({ length: 8 }, (_, i) => log.record(read(i))));
      // The first entry starts a flush on its own; the next two wait and go together, one group
      // holding a read and a refusal, which must wait for the disk.
      await Promise.all([log.record(read(8)), log.record(read(9)), log.record({ ...read(10), outcome: 'failure', description: 'refused: not allowed' })]);
      await db.transaction(async () => undefined);

      assert.deepEqual(await verifyAuditChain(db), { ok: true, checked: 11 });
      const { rows } = await db.query<{ reference: string }>(`select event->'entity'->0->'what'->>'reference' as reference from audit_event order by seq`);
      assert.deepEqual(rows.map((r) => r.reference), Array.from({ length: 11 }, (_, i) => `Patient/r${i}`));
      // Groups: [r0], [r1..r7], [r8], [r9, refusal], then a plain transaction on the same pool,
      // which SET LOCAL must not have reached.
      const off = backend.kind === 'postgres' ? 'off' : 'on';
      assert.deepEqual(modes, [off, off, off, 'on', 'on']);
    });

    test('grouped reads and writing transactions append side by side: one chain, no gap, no deadlock', async (t) => {
      const db = await backend.open();
      t.after(() => db.close());
      const log = new AuditLog(db);
      // Writes take the commit-order lock, then the head; groups take only the head.
      const writes = Array.from({ length: 10 }, (_, i) =>
        db.transaction((tx) => log.appendInTransaction(tx, [{ ctx: auditor, interaction: 'create', outcome: 'success', entity: { reference: `Patient/w${i}` } }])),
      );
      const reads = Array.from({ length: 20 }, (_, i) => log.record(read(i)));
      await Promise.all([...writes, ...reads]);
      assert.deepEqual(await verifyAuditChain(db), { ok: true, checked: 30 });
      const { rows } = await db.query<{ seq: number }>('select seq from audit_event order by seq');
      assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 30 }, (_, i) => i + 1));
    });

    test('the table refuses updates and deletes', async (t) => {
      const db = await auditedDb(() => backend.open());
      t.after(() => db.close());
      await assert.rejects(db.query(`update audit_event set event = '{}' where seq = 1`), /append-only/);
      await assert.rejects(db.query('delete from audit_event where seq = 1'), /append-only/);
    });

    test('an edited row is named', async (t) => {
      const db = await auditedDb(() => backend.open());
      t.after(() => db.close());
      await tamper(db, `update audit_event set event = jsonb_set(event, '{outcome}', '"4"') where seq = 4`);
      const result = await verifyAuditChain(db);
      assert.equal(result.ok, false);
      assert.equal(result.firstBad?.seq, 4);
      assert.match(result.firstBad!.problem, /changed/);
    });

    test('a deleted row is named', async (t) => {
      const db = await auditedDb(() => backend.open());
      t.after(() => db.close());
      await tamper(db, 'delete from audit_event where seq = 7');
      const result = await verifyAuditChain(db);
      assert.equal(result.firstBad?.seq, 7);
      assert.match(result.firstBad!.problem, /missing/);
    });

    test('a deleted tail is caught by the chain head', async (t) => {
      const db = await auditedDb(() => backend.open());
      t.after(() => db.close());
      await tamper(db, 'delete from audit_event where seq >= 9');
      const result = await verifyAuditChain(db);
      assert.equal(result.firstBad?.seq, 9);
    });

    test('a swapped pair is named', async (t) => {
      const db = await auditedDb(() => backend.open());
      t.after(() => db.close());
      // Swap rows 5 and 6 entirely (content, hashes and all): only their positions change.
      await tamper(db, 'update audit_event set seq = -1 where seq = 5; update audit_event set seq = 5 where seq = 6; update audit_event set seq = 6 where seq = -1');
      const result = await verifyAuditChain(db);
      assert.equal(result.firstBad?.seq, 5);
      assert.match(result.firstBad!.problem, /does not follow/);
    });

    test('a recomputed hash on an edited row still breaks the link to the next row', async (t) => {
      const db = await auditedDb(() => backend.open());
      t.after(() => db.close());
      await tamper(db, `update audit_event set hash = repeat('a', 64) where seq = 2`);
      const result = await verifyAuditChain(db);
      assert.equal(result.firstBad?.seq, 2);
    });
  });
}
