/**
 * `longitude signals run [--all | --person ID] [--kind K]`: computes signals over the stored
 * record and prints, per kind, how many were raised, are still open, and were resolved
 * because their evidence went away. Runs as the hub itself (system context `cli:signals`);
 * every read and write is audited.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { openHub } from '../../hub.ts';
import { createSignalServices, identityPersons, runSignals, SignalRunner, signalKinds, type SignalKindId } from '../../intelligence/signals/index.ts';
import { LongitudeError } from '../../platform/errors.ts';
import { createLogger } from '../../platform/logger.ts';
import { systemContext } from '../../trust/access-context.ts';
import type { CliContext } from '../cli-context.ts';
import { createProgress } from '../progress.ts';

interface RunOptions {
  all?: boolean;
  person?: string;
  kind?: SignalKindId[];
  measures: string;
  periodStart?: string;
  asOf?: string;
  requireProfiles?: boolean;
}

function parseKind(value: string, previous: SignalKindId[] = []): SignalKindId[] {
  if (!(signalKinds as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${signalKinds.join(', ')}`);
  return [...previous, value as SignalKindId];
}

function parseDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(new Date(value).getTime())) throw new InvalidArgumentError('expected a date as YYYY-MM-DD');
  return value;
}

export function registerSignalsCommand(program: Command, cli: CliContext): void {
  const signals = program.command('signals').description('signals computed from the longitudinal record (care gaps, duplicate tests, …)');
  signals
    .command('run')
    .description('compute signals for every person (--all) or one (--person); print raised / still open / resolved per kind')
    .option('--all', 'every person')
    .option('--person <id>', 'one person (today: a Patient id)')
    .option('--kind <kind>', `only this kind (repeatable): ${signalKinds.join(', ')}`, parseKind)
    .option('--measures <dir>', 'measure content directory for care gaps', '../shared/data/measures')
    .option('--period-start <date>', 'measurement period start (one year); default the calendar year of --as-of', parseDate)
    .option('--as-of <date>', 'compute as of this day (default now)', parseDate)
    .option('--require-profiles', 'measures retrieve only QI-Core-profiled resources')
    .action(async (options: RunOptions, command: Command) => {
      if (!options.all === !options.person) throw new LongitudeError('LNG_BAD_REQUEST', 'pass either --all or --person <id>');
      const config = cli.config(command);
      // Compiling the measures takes seconds: only when care gaps are asked for.
      const careGapsAsked = !options.kind || options.kind.includes('care-gap');
      const { services, notes } = createSignalServices({
        ...(careGapsAsked ? { measuresDir: options.measures } : {}),
        ...(options.periodStart ? { periodStart: options.periodStart } : {}),
        ...(options.requireProfiles ? { requireProfileTagging: true } : {}),
      });
      if (careGapsAsked) for (const note of notes) cli.err(note);
      const hub = await openHub(config, { logger: createLogger({ ...config, logLevel: 'warn' }) });
      const progress = createProgress('signals', 0);
      let stopped = false;
      const stopProgress = () => {
        if (!stopped) progress.stop();
        stopped = true;
      };
      try {
        const runner = new SignalRunner({ ...hub, services, logger: hub.logger });
        const summary = await runSignals({ runner, directory: identityPersons(hub.db) }, systemContext('cli:signals'), {
          ...(options.person ? { person: options.person } : {}),
          ...(options.kind ? { kinds: options.kind } : {}),
          ...(options.asOf ? { asOf: new Date(`${options.asOf}T23:59:59.999Z`) } : {}),
          onProgress: (done, total) => progress.update(done, total),
        });
        stopProgress();
        cli.out(`${'kind'.padEnd(30)} ${'raised'.padStart(8)} ${'still open'.padStart(11)} ${'resolved'.padStart(9)}`);
        for (const [kind, t] of summary.byKind) cli.out(`${kind.padEnd(30)} ${String(t.raised).padStart(8)} ${String(t.stillOpen).padStart(11)} ${String(t.resolved).padStart(9)}`);
        cli.out(`${summary.persons} person(s)${summary.failures.length > 0 ? `, ${summary.failures.length} kind run(s) failed (see the log)` : ''}`);
        for (const f of summary.failures.slice(0, 10)) cli.err(`failed: ${f.kind} for ${f.person}: ${f.message}`);
      } finally {
        stopProgress();
        await hub.close();
      }
    });
}
