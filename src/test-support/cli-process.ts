/**
 * The `longitude` command as a user runs it, in a child process with an environment of the
 * test's choosing (PATH only, plus what the test passes: no DATABASE_URL means the embedded
 * database).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export const longitudeBin = new URL('../../bin/longitude.js', import.meta.url).pathname;

export function runLongitude(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [longitudeBin, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface RunningHub {
  child: ChildProcess;
  /** The console's URL, once the banner prints it; rejects when the hub exits first. */
  baseUrl: Promise<string>;
  exited: Promise<number | null>;
  stderr(): string;
}

/** `longitude start --port 0 ARGS` (HL7 on a free port, warnings only in the log). */
export function startLongitude(args: string[], env: Record<string, string> = {}): RunningHub {
  const child = spawn(process.execPath, [longitudeBin, 'start', '--port', '0', ...args], {
    env: { PATH: process.env.PATH ?? '', LONGITUDE_LOG_LEVEL: 'warn', HL7_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const baseUrl = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /Console\s+(http:\/\/\S+)\//.exec(stderr);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`hub exited (${code}) before it was ready:\n${stderr.slice(-3000)}`)));
  });
  return { child, baseUrl, exited, stderr: () => stderr };
}
