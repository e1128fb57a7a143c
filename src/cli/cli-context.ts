/**
 * What every command receives from the CLI entry point: the environment (read once, there)
 * and a way to load the validated configuration with the global --config option applied.
 */
import type { Command } from 'commander';
import { loadConfig, type Config, type ConfigInput } from '../platform/config.ts';

export interface CliContext {
  env: Record<string, string | undefined>;
  /** Loads the configuration; the command's own flags are passed as overrides. */
  config(command: Command, overrides?: Partial<ConfigInput>): Config;
  /** Where normal output goes (stdout); tests capture it. */
  out(line: string): void;
  /** Where progress and notices go (stderr). */
  err(line: string): void;
}

export function createCliContext(env: Record<string, string | undefined>): CliContext {
  return {
    env,
    config(command, overrides) {
      const file = (command.optsWithGlobals() as { config?: string }).config;
      return loadConfig({ env, ...(file ? { file } : {}), ...(overrides ? { overrides } : {}) });
    },
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
}
