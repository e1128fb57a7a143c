/**
 * `longitude simulate`: writes a synthetic organization (five silos and ground truth) into a
 * directory, deterministically for a seed. See docs/simulator.md.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { mergeErrorRates, writeOrganization, type ErrorRates } from '../../simulator/index.ts';
import type { CliContext } from '../cli-context.ts';
import { parseDate, parseInteger } from '../options.ts';
import { createProgress } from '../progress.ts';

interface SimulateOptions {
  people: number;
  seed: number;
  out: string;
  startDate: string;
  labs: boolean;
  rates?: ErrorRates;
}

/** Reads a JSON rates file and merges it over the default rates; any problem is a usage error. */
function parseRatesFile(path: string): ErrorRates {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InvalidArgumentError(`cannot read rates file: ${(err as Error).message}`);
  }
  try {
    return mergeErrorRates(doc);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function registerSimulateCommand(program: Command, cli: CliContext): void {
  program
    .command('simulate')
    .description('write a simulated organization (EHR, hospital HL7, payer, CRM, reference lab) and its ground truth into DIR')
    .requiredOption('--out <dir>', 'output directory (created; must be empty)')
    .option('--people <n>', 'number of people, 1 to 1,000,000', parseInteger(1, 1_000_000), 1000)
    .option('--seed <s>', 'random seed: the same seed writes the same bytes', parseInteger(0, 2 ** 32 - 1), 1)
    .option('--start-date <YYYY-MM-DD>', 'first day of the one-year measurement period', parseDate, '2025-01-01')
    .option('--no-labs', 'leave out the reference lab silo (labs/)')
    .option('--rates <file.json>', 'error rates overriding the defaults, e.g. {"typo":0.05,"silos":{"crm":{"nickname":0.4}}}', parseRatesFile)
    .action(async (options: SimulateOptions) => {
      const progress = createProgress('simulate', options.people);
      let summary;
      try {
        summary = await writeOrganization({
          outDir: options.out, people: options.people, seed: options.seed, startDate: options.startDate, labs: options.labs,
          ...(options.rates ? { rates: options.rates } : {}),
          onProgress: (done) => progress.update(done),
        });
      } finally {
        progress.stop();
      }
      for (const [silo, s] of Object.entries(summary.silos)) {
        cli.out(`${silo.padEnd(11)} ${String(s.records).padStart(9)} records  ${String(s.items).padStart(10)} ${s.itemName.padEnd(8)} ${(s.bytes / 1e6).toFixed(1)} MB`);
      }
      const signals = Object.entries(summary.signals).map(([k, v]) => `${k} ${v}`).join(', ');
      cli.out(`truth       ${String(summary.people).padStart(9)} people   ${summary.errors} injected errors; signals: ${signals || 'none'}`);
      cli.out(`written to ${options.out} (${summary.measurementPeriod.start}..${summary.measurementPeriod.end})`);
    });
}
