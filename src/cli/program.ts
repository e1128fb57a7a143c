/**
 * The `longitude` command line: one commander program, one file per command under
 * commands/. A new command is one register function added to the list below.
 */
import { Command } from 'commander';
import type { CliContext } from './cli-context.ts';
import { registerAuditCommand } from './commands/audit.ts';
import { registerEvalCommand } from './commands/eval.ts';
import { registerIdentityCommand } from './commands/identity.ts';
import { registerImportCommand } from './commands/import.ts';
import { registerMessagesCommand } from './commands/messages.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerQualityCommand } from './commands/quality.ts';
import { registerReindexCommand } from './commands/reindex.ts';
import { registerSignalsCommand } from './commands/signals.ts';
import { registerSimulateCommand } from './commands/simulate.ts';
import { registerStartCommand } from './commands/start.ts';
import { registerTokenCommand } from './commands/token.ts';

const registrations: ((program: Command, cli: CliContext) => void)[] = [
  registerStartCommand,
  registerMigrateCommand,
  registerTokenCommand,
  registerAuditCommand,
  registerSimulateCommand,
  registerMessagesCommand,
  registerReindexCommand,
  registerImportCommand,
  registerQualityCommand,
  registerEvalCommand,
  registerSignalsCommand,
  registerIdentityCommand,
];

export function buildProgram(cli: CliContext): Command {
  const program = new Command('longitude')
    .description('Longitude: one trusted record per person across your systems, and the signals staff act on.')
    .option('--config <file>', 'JSON configuration file (settings as in docs/operations.md)')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  for (const register of registrations) register(program, cli);
  // Subcommands too: a parse error is one line on stderr, then thrown to main for the exit code.
  program.commands.forEach(function inherit(command: Command) {
    command.exitOverride();
    command.commands.forEach(inherit);
  });
  return program;
}
