/**
 * `longitude start` as a user runs it on an embedded database: `--no-demo` starts empty; the
 * first start without it loads a (tiny) simulated organization with one summary line per
 * stage, then serves with demo sign-in; the next start reuses it without loading again.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Bundle } from '@medplum/fhirtypes';

const bin = new URL('../../../bin/longitude.js', import.meta.url).pathname;

function longitude(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
}

/** Starts the hub and resolves with the console URL once the banner is printed. */
function startHub(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [bin, 'start', '--port', '0', ...args], {
    env: { PATH: process.env.PATH ?? '', LONGITUDE_LOG_LEVEL: 'warn', HL7_PORT: '0', LONGITUDE_MEASURES_DIR: '../shared/data/measures', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const baseUrl = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /Console\s+(http:\/\/\S+)\//.exec(stderr);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`hub exited (${code}) before it was ready:\n${stderr}`)));
  });
  return { child, baseUrl, exited, stderr: () => stderr };
}

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
