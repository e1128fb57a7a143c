/**
 * `longitude import` as a user runs it, on an embedded database: a CRM extract of three rows
 * (one bad) → a summary line for the silo with the rejection grouped by reason; the writes are
 * audited as `cli:import`; a second run stores nothing; a directory without feeds is a
 * one-line error.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createPgliteDb } from '../../platform/db/pglite-db.ts';

const bin = new URL('../../../bin/longitude.js', import.meta.url).pathname;

function longitude(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const CONTACTS = [
  'contact_id,first_name,last_name,mobile_phone,home_phone,email,preferred_language,preferred_channel,do_not_contact,last_contact_reason,last_contact_date,date_updated',
  'CRM-00000001,Ann,Okafor,(216) 555-0101,,ann@example.net,English,sms,N,billing question,2025-03-01,2025-03-02',
  'CRM-00000002,"Bo, Jr.",Ito,,(330) 555-0102,,Vietnamese,phone,N,find a doctor,2025-04-01,2025-04-01',
  'CRM-00000003,Cy,Diaz,,,,Klingon,mail,N,,,',
].join('\r\n');

test('import: a summary per silo, bad rows grouped by reason, audited, idempotent', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lng-import-cli-'));
  const feeds = mkdtempSync(join(tmpdir(), 'lng-import-feeds-'));
  mkdirSync(join(feeds, 'crm'));
  writeFileSync(join(feeds, 'crm/contacts.csv'), `${CONTACTS}\r\n`);
  const env = { LONGITUDE_DATA_DIR: dataDir };

  const run = longitude(['import', feeds], env);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^crm\s+csv:crm\s+3\s+3\s+0\s+2\s+0\s+1\s+0\s+\d+$/m);
  assert.match(run.stdout, /^\s+1 x validate not-allowed at preferred_language: .*"Klingon".*\(e\.g\. message \d+\)$/m);
  assert.match(run.stdout, /^3 item\(s\) from 1 file\(s\) in [\d.]+ s; 1 rejected/m);

  const again = longitude(['import', feeds], env);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /^crm\s+csv:crm\s+3\s+0\s+3\s+0\s+0\s+0\s+0\s+\d+$/m);

  const db = await createPgliteDb(join(dataDir, 'pgdata'));
  try {
    const { rows } = await db.query<{ who: string; n: number }>(
      `select event->'agent'->0->'who'->'identifier'->>'value' as who, count(*)::int as n from audit_event group by 1`,
    );
    assert.deepEqual(rows.map((r) => r.who), ['cli:import']);
    const patients = await db.query(`select 1 from resource where resource_type = 'Patient' and not deleted`);
    assert.equal(patients.rows.length, 2);
  } finally {
    await db.close();
  }

  const empty = longitude(['import', mkdtempSync(join(tmpdir(), 'lng-import-empty-'))], env);
  assert.notEqual(empty.status, 0);
  assert.match(empty.stderr, /holds no feed files/);
});
