/**
 * `longitude start` as a user runs it on an embedded database: `--no-demo` starts empty; the
 * first start without it loads a (tiny) simulated organization with one summary line per
 * stage, then serves with demo sign-in; the next start reuses it without loading again.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Bundle } from '@medplum/fhirtypes';
import { runLongitude as longitude, startLongitude } from '../../test-support/cli-process.ts';

/** The hub finds the measure content relative to the working directory, as `npm start` does. */
const measures = { LONGITUDE_MEASURES_DIR: '../shared/data/measures' };
const startHub = (args: string[], env: Record<string, string>) => startLongitude(args, { ...measures, ...env });

async function patientTotal(base: string, env: Record<string, string>): Promise<number> {
  const token = longitude(['token', '--role', 'admin', '--ttl', '10m'], env).stdout.trim();
  const res = await fetch(`${base}/fhir/R4/Patient?_summary=count`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return ((await res.json()) as Bundle).total ?? -1;
}

describe('longitude start', () => {
  test('--no-demo starts empty, without demo sign-in', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lng-start-'));
    const env = { LONGITUDE_DATA_DIR: dataDir };
    const hub = startHub(['--no-demo'], env);
    const base = await hub.baseUrl;
    assert.equal(await patientTotal(base, env), 0);
    assert.doesNotMatch(hub.stderr(), /Sign in|simulate|demo organization/);
    assert.equal(existsSync(join(dataDir, 'demo-org')), false);
    hub.child.kill('SIGTERM');
    assert.equal(await hub.exited, 0);
  });

  test('first start loads the demo stage by stage and signs in demo users; the next start reuses it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lng-start-'));
    const env = { LONGITUDE_DATA_DIR: dataDir };
    const first = startHub(['--people', '3', '--seed', '5'], env);
    const base = await first.baseUrl;
    const banner = first.stderr();
    for (const stage of ['simulate', 'hl7', 'files', 'identity', 'signals']) {
      assert.match(banner, new RegExp(`^${stage}\\s+.* in \\d+\\.\\d s$`, 'm'), `a summary line for ${stage}`);
    }
    assert.match(banner, /^demo organization loaded \(3 people, seed 5\)/m);
    assert.match(banner, /Sign in\s+demo users care\.manager, service\.agent, admin, auditor; password demo/);
    assert.ok((await patientTotal(base, env)) >= 3);
    assert.equal((await fetch(`${base}/auth/demo-users`)).status, 200);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);

    const second = startHub(['--people', '50'], env);
    await second.baseUrl;
    assert.match(second.stderr(), /^demo organization: 3 people \(seed 5\), loaded /m);
    assert.doesNotMatch(second.stderr(), /^simulate /m);
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0);
  });
});
