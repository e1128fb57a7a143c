/**
 * Entry point of the `longitude` command. The only place that reads process.env and
 * process.argv; turns every failure into one line on stderr and an exit code:
 * 0 ok, 1 failed, 2 usage error (unknown flag, bad value), 3 check failed (audit verify).
 */
import { CommanderError } from 'commander';
import { isLongitudeError } from '../platform/errors.ts';
import { createCliContext } from './cli-context.ts';
import { buildProgram } from './program.ts';

export const exitCodes = { ok: 0, failed: 1, usage: 2, checkFailed: 3 } as const;

async function main(): Promise<void> {
  const cli = createCliContext(process.env);
  const program = buildProgram(cli);
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
    if (!(err instanceof CommanderError)) process.stderr.write(`longitude: ${messageOf(err)}\n`);
  }
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version are "errors" to exitOverride, with exit code 0.
    return err.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
  }
  if (isLongitudeError(err) && err.code === 'LNG_AUDIT_CHAIN_BROKEN') return exitCodes.checkFailed;
  return exitCodes.failed;
}

function messageOf(err: unknown): string {
  if (isLongitudeError(err)) return err.message;
  if (err instanceof Error) {
    // Errors from the network or the database: say what failed without a stack trace.
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}

await main();
