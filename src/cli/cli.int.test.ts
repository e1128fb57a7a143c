import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Patient } from '@medplum/fhirtypes';
import { runLongitude as longitude, startLongitude } from '../test-support/cli-process.ts';
import { markFailed, receiveMessage } from '../integration/message-store/message-store.ts';
import { createPgliteDb } from '../platform/db/pglite-db.ts';

const startHub = (env: Record<string, string>) => startLongitude(['--no-demo'], env);

describe('the longitude command', () => {
  test('--help everywhere; unknown flags and bad values give one line and exit 2', () => {
    for (const args of [['--help'], ['start', '--help'], ['token', '--help'], ['audit', 'verify', '--help'], ['migrate', '--help']]) {
      const { status, stdout } = longitude(args);
      assert.equal(status, 0, args.join(' '));
      assert.match(stdout, /^Usage: longitude/);
    }
    for (const args of [['start', '--bogus'], ['token', '--role', 'wizard'], ['token', '--role', 'admin', '--ttl', 'forever'], ['start', '--port', '99999'], ['frobnicate']]) {
      const { status, stderr } = longitude(args);
      assert.equal(status, 2, `${args.join(' ')}: ${stderr}`);
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.match(stderr, /^error: /);
    }
  });

  test('a bad setting is one line naming it, exit 1', () => {
    const { status, stderr } = longitude(['migrate'], { LONGITUDE_LOG_LEVEL: 'chatty' });
    assert.equal(status, 1);
    assert.equal(stderr, 'longitude: invalid setting LONGITUDE_LOG_LEVEL (logLevel): expected one of fatal|error|warn|info|debug|trace|silent\n');
  });

  test('start serves the API with tokens from `token`, stops gracefully, and a second start reuses the data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lng-cli-'));
    const env = { LONGITUDE_DATA_DIR: dataDir };
    const first = startHub(env);
    const base = await first.baseUrl;
    const token = longitude(['token', '--role', 'care-manager', '--ttl', '10m'], env).stdout.trim();
    const created = await fetch(`${base}/fhir/R4/Patient`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Okafor' }] }),
    });
    assert.equal(created.status, 201);
    const patient = (await created.json()) as Patient;
    // While the hub holds the embedded database, another process is told so, not allowed in.
    const blocked = longitude(['audit', 'verify'], env);
    assert.equal(blocked.status, 1);
    assert.match(blocked.stderr, /in use by process/);

    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.match(first.stderr(), /stopped/);

    const second = startHub(env);
    const base2 = await second.baseUrl;
    const read = await fetch(`${base2}/fhir/R4/Patient/${patient.id}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(read.status, 200);
    assert.equal(((await read.json()) as Patient).name?.[0]?.family, 'Okafor');
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0);
  });

  test('audit verify: exit 0 on an intact chain, exit 3 naming the first bad row after tampering', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lng-cli-'));
    const env = { LONGITUDE_DATA_DIR: dataDir };
    const hub = startHub(env);
    const base = await hub.baseUrl;
    const token = longitude(['token', '--role', 'admin'], env).stdout.trim();
    for (let i = 0; i < 3; i++) {
      await fetch(`${base}/fhir/R4/Patient`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
        body: JSON.stringify({ resourceType: 'Patient' }),
      });
    }
    hub.child.kill('SIGTERM');
    await hub.exited;

    const intact = longitude(['audit', 'verify'], env);
    assert.equal(intact.status, 0, intact.stderr);
    // The token's first use (a login), the three creates, and the reads of the signal worker
    // that recomputed each new patient's signals (as the system, audited like anyone).
    const verified = Number(/audit chain intact: (\d+) rows verified/.exec(intact.stdout)?.[1]);
    assert.ok(verified >= 4, intact.stdout);

    const db = await createPgliteDb(join(dataDir, 'pgdata'));
    await db.exec(`alter table audit_event disable trigger user;
      update audit_event set event = jsonb_set(event, '{action}', '"R"') where seq = 2;`);
    await db.close();
    const broken = longitude(['audit', 'verify'], env);
    assert.equal(broken.status, 3);
    assert.equal(broken.stderr, 'longitude: audit chain broken at row 2: row 2 was changed: its content no longer matches its hash\n');
  });

  test('messages: list, show, reprocess and channels from the shell; bad input is one line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lng-cli-'));
    const env = { LONGITUDE_DATA_DIR: dataDir, LONGITUDE_LOG_LEVEL: 'warn' };
    assert.equal(longitude(['migrate'], env).status, 0);
    const db = await createPgliteDb(join(dataDir, 'pgdata'));
    const content = new TextEncoder().encode('MSH|^~\\&|EHR|GEN|LNG|HUB|20260101||ADT^A04|c-77|P|2.5\rPID|1||MRN9');
    const { id } = await receiveMessage(db, { channel: 'adt', content, messageType: 'ADT^A04', controlId: 'c-77' });
    await markFailed(db, id, { stage: 'map', code: 'LNG_HL7_BAD_VALUE', message: 'PID-7 is not a date', element: 'PID-7' }, { retryable: false });
    await db.close();

    const list = longitude(['messages', 'list', '--status', 'errored'], env);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^\\s*${id}\\s.*adt\\s+ADT\\^A04\\s+errored\\s+c-77  map: PID-7 is not a date`));
    const show = longitude(['messages', 'show', String(id)], env);
    assert.equal(show.status, 0, show.stderr);
    assert.match(show.stdout, /error at map PID-7: PID-7 is not a date\nMSH\|/);
    const reprocess = longitude(['messages', 'reprocess', '--channel', 'adt', '--status', 'errored'], env);
    assert.equal(reprocess.stdout, '1 message(s) requeued\n');
    const channels = longitude(['messages', 'channels', '--json'], env);
    assert.deepEqual(JSON.parse(channels.stdout).map((c: { channel: string; queued: number }) => [c.channel, c.queued]), [['adt', 1]]);
    for (const args of [['messages', 'show', 'x'], ['messages', 'reprocess'], ['messages', 'list', '--status', 'lost']]) {
      const bad = longitude(args, env);
      assert.equal(bad.status, 2, args.join(' '));
      assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    }
    const missing = longitude(['messages', 'show', '424242'], env);
    assert.equal(missing.stderr, 'longitude: message 424242 does not exist\n');
  });
});
