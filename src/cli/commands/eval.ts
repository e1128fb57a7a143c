/**
 * `longitude eval <what>`: accuracy evaluations against labelled data. Each subcommand is one
 * register function in the list below (eval-identity.ts, and more to come such as measures).
 */
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.ts';
import { registerEvalIdentityCommand } from './eval-identity.ts';
import { registerEvalMeasures } from './eval-measures.ts';
import { registerEvalSignals } from './eval-signals.ts';

export type EvalSubcommandRegistration = (evalCommand: Command, cli: CliContext) => void;

const subcommands: EvalSubcommandRegistration[] = [
  registerEvalIdentityCommand,
  registerEvalMeasures,
  registerEvalSignals,
];

export function registerEvalCommand(program: Command, cli: CliContext): void {
  const evalCommand = program.command('eval').description('evaluate Longitude against labelled data');
  for (const register of subcommands) register(evalCommand, cli);
}
