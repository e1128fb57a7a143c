/**
 * The kill test: messages stream over MLLP into a hub that is killed with SIGKILL mid-stream
 * (no shutdown, no flush), restarted, and sent again whatever had no ACK. Every ACKed message
 * must be in the store exactly once, every message must end processed, and no resource may be
 * duplicated. The hub is `longitude start` as users run it, on the embedded database (on disk)
 * and, when DATABASE_URL is set, on a PostgreSQL database of its own.
 *
 * KILL_TEST_MESSAGES sets the stream length (default 600; docs/benchmarks.md records a
 * 20,000-message run).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pg from 'pg';
import type { Db } from '../../platform/db/db.ts';
import { createPgDb } from '../../platform/db/pg-db.ts';
import { createPgliteDb } from '../../platform/db/pglite-db.ts';
import { feedMessage } from '../../test-support/hl7-feed.ts';
import { parseMessageOrThrow } from '../hl7v2/parse.ts';
import { MllpClient } from './mllp-client.ts';

const bin = new URL('../../../bin/longitude.js', import.meta.url).pathname;
const total = Number(process.env.KILL_TEST_MESSAGES ?? 600);
const connections = 4;
const databaseUrl = process.env.DATABASE_URL;

/** `longitude start` with its MLLP port, once it says it listens. */
function startHub(env: Record<string, string>) {
  const child = spawn(process.execPath, [bin, 'start', '--port', '0', '--no-demo'], {
    env: { PATH: process.env.PATH ?? '', LONGITUDE_LOG_LEVEL: 'warn', HL7_PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = new Promise<number>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /HL7 MLLP\s+channel hl7 on port (\d+)/.exec(stderr);
      if (match?.[1]) resolve(Number(match[1]));
    });
    void exited.then((code) => reject(new Error(`hub exited (${code}) before it listened:\n${stderr}`)));
  });
  return { child, port, exited };
}

/**
 * Sends message numbers from `queue` over several connections until the queue is empty or
 * the hub goes away; returns the numbers that were ACKed (AA with their own control id).
 */
async function stream(port: number, queue: number[], run: string, onAck?: (acked: number) => void): Promise<Set<number>> {
  const acked = new Set<number>();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      let client: MllpClient;
      try {
        client = await MllpClient.open(port);
      } catch {
        return;
      }
      try {
        for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
          const ack = parseMessageOrThrow(await client.send(feedMessage(n, run, 50)));
          assert.equal(ack.get('MSA-2'), `${run}-${n}`);
          assert.equal(ack.get('MSA-1'), 'AA', ack.get('ERR-7'));
          acked.add(n);
          onAck?.(acked.size);
        }
      } catch (err) {
        if (err instanceof assert.AssertionError) throw err;
        // The hub was killed: what was in flight has no ACK and will be sent again.
      } finally {
        await client.close().catch(() => undefined);
      }
    }),
  );
  return acked;
}

async function assertNothingLostOrDuplicated(db: Db, run: string): Promise<void> {
  const { rows: messages } = await db.query<{ control_id: string; copies: number; status: string }>(
    `select control_id, count(*)::int as copies, min(status) as status from inbound_message group by control_id`,
  );
  assert.equal(messages.length, total, 'every message is in the store');
  assert.deepEqual(messages.filter((m) => m.copies !== 1), [], 'each exactly once');
  assert.deepEqual(messages.filter((m) => m.status !== 'processed'), [], 'each processed');
  const { rows: duplicated } = await db.query<{ resource_type: string; identifier: string; copies: number }>(
    `select resource_type, content->>'identifier' as identifier, count(*)::int as copies
       from resource where not deleted and content ? 'identifier'
      group by resource_type, content->>'identifier' having count(*) > 1`,
  );
  assert.deepEqual(duplicated, [], 'no resource written twice');
  // Source Patients only: the identity layer adds a golden Patient per person beside them.
  const { rows: patients } = await db.query<{ n: number }>(
    `select count(*)::int as n from resource
      where resource_type = 'Patient' and not deleted
        and not coalesce(content->'meta'->'tag' @> '[{"system": "urn:longitude:identity", "code": "golden"}]', false)`,
  );
  assert.equal(patients[0]?.n, Math.min(50, total), `one Patient per MRN of run ${run}`);
  const { rows: provenance } = await db.query<{ n: number }>(`select count(*)::int as n from resource where resource_type = 'Provenance' and not deleted`);
  assert.equal(provenance[0]?.n, total, 'one Provenance per message');
}

async function killAndResend(env: Record<string, string>, run: string): Promise<void> {
  const queue = Array.from({ length: total }, (_, n) => n);
  const first = startHub(env);
  let second: ReturnType<typeof startHub> | undefined;
  try {
    const killAt = Math.floor(total / 3);
    const ackedBefore = await stream(await first.port, queue, run, (acked) => {
      if (acked === killAt) first.child.kill('SIGKILL');
    });
    assert.equal(await first.exited, null, 'the hub was killed, not stopped');
    assert.ok(ackedBefore.size >= killAt && ackedBefore.size < total, `killed mid-stream after ${ackedBefore.size} ACKs`);

    second = startHub(env);
    const resend = Array.from({ length: total }, (_, n) => n).filter((n) => !ackedBefore.has(n));
    const ackedAfter = await stream(await second.port, resend, run);
    assert.equal(ackedBefore.size + ackedAfter.size, total, 'every message ACKed once it was sent again');
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  } finally {
    // A failed assertion must not leave a hub running (the test process would never end).
    for (const hub of [first, second]) if (hub && hub.child.exitCode === null && hub.child.signalCode === null) hub.child.kill('SIGKILL');
  }
}

describe('MLLP kill test: SIGKILL mid-stream, restart, resend', () => {
  test(`pglite on disk: ${total} messages`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lng-kill-'));
    await killAndResend({ LONGITUDE_DATA_DIR: dataDir }, 'K');
    const db = await createPgliteDb(join(dataDir, 'pgdata'));
    try {
      await assertNothingLostOrDuplicated(db, 'K');
    } finally {
      await db.close();
    }
  });

  test(`postgres: ${total} messages`, { skip: databaseUrl ? false : 'DATABASE_URL not set' }, async () => {
    const name = `kill_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(databaseUrl!);
    url.pathname = `/${name}`;
    try {
      await killAndResend({ LONGITUDE_DATA_DIR: mkdtempSync(join(tmpdir(), 'lng-kill-')), DATABASE_URL: url.toString() }, 'K');
      const db = createPgDb({ connectionString: url.toString(), max: 2 });
      try {
        await assertNothingLostOrDuplicated(db, 'K');
      } finally {
        await db.close();
      }
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
