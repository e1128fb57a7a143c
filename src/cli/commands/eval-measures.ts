/**
 * `longitude eval measures`: runs every labelled test patient of the measure content through
 * the measure engine and prints agreement with the expected MeasureReports, per measure.
 * A subcommand of `longitude eval`; see registerEvalMeasures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { evaluateMeasureTestCases, oneYearPeriod, type MeasureEvalReport } from '../../intelligence/measures/index.ts';
import { LongitudeError } from '../../platform/errors.ts';
import type { CliContext } from '../cli-context.ts';
import { parseDate } from '../options.ts';
import { createProgress } from '../progress.ts';

interface EvalMeasuresOptions {
  dir: string;
  json?: boolean;
  measure?: string[];
  periodStart?: string;
  ignoreProfiles?: boolean;
}

/**
 * Adds `measures` under the `eval` command.
 * @param evalCommand - the `longitude eval` command
 * @param cli - where output goes
 */
export function registerEvalMeasures(evalCommand: Command, cli: CliContext): void {
  evalCommand
    .command('measures')
    .description('run the labelled measure test patients through the measure engine; print agreement with the expected MeasureReports')
    .option('--dir <dir>', 'measure content directory (manifest.json, one folder per measure)', '../shared/data/measures')
    .option('--json', 'print one JSON object: { matched, total, measures: { CMS122: { matched, total }, … } }')
    .option('--measure <ids...>', 'only these measures, e.g. --measure CMS122 CMS165')
    .option('--period-start <YYYY-MM-DD>', 'evaluate every case for the one-year period starting here (default: each case\'s own period)', parseDate)
    .option('--ignore-profiles', 'retrieve resources regardless of meta.profile (for data not tagged with QI-Core profiles)')
    .action(async (options: EvalMeasuresOptions) => {
      const dir = resolve(options.dir);
      if (!existsSync(join(dir, 'manifest.json'))) {
        throw new LongitudeError('LNG_NOT_FOUND', `no measure content at ${dir} (manifest.json missing); pass --dir`);
      }
      const progress = createProgress('eval measures', 0);
      let report: MeasureEvalReport;
      try {
        report = await evaluateMeasureTestCases(dir, {
          ...(options.measure ? { measureIds: options.measure } : {}),
          ...(options.periodStart ? { period: oneYearPeriod(options.periodStart) } : {}),
          engine: { requireProfileTagging: !options.ignoreProfiles },
          onProgress: (done, total) => progress.update(done, total),
        });
      } finally {
        progress.stop();
      }
      if (options.json) {
        cli.out(JSON.stringify({ matched: report.matched, total: report.total, measures: report.measures }));
        return;
      }
      printReport(report, knownQuestionable(dir), cli);
    });
}

function percent(matched: number, total: number): string {
  return total === 0 ? '-' : `${((100 * matched) / total).toFixed(1)}%`;
}

function printReport(report: MeasureEvalReport, questionable: Set<string>, cli: Pick<CliContext, 'out'>): void {
  for (const [id, agreement] of Object.entries(report.measures)) {
    cli.out(`${id.padEnd(8)} ${`${agreement.matched}/${agreement.total}`.padStart(7)}  ${percent(agreement.matched, agreement.total)}`);
  }
  cli.out(`${'total'.padEnd(8)} ${`${report.matched}/${report.total}`.padStart(7)}  ${percent(report.matched, report.total)}`);
  if (report.mismatches.length === 0) return;
  cli.out('');
  cli.out('mismatches (population: expected → ours):');
  for (const mismatch of report.mismatches) {
    const known = questionable.has(`${mismatch.measureId} ${mismatch.name}`) ? ' [questionable case listed in manifest.json]' : '';
    const differences = Object.entries(mismatch.differences)
      .map(([code, [expected, ours]]) => `${code} ${expected}→${ours}`)
      .join(', ');
    cli.out(`  ${mismatch.measureId} "${mismatch.name}"${known}: ${differences}`);
    cli.out(`    ours: ${mismatch.summary}`);
  }
}

/** Test-case names the content itself flags as questionable (manifest.json → mismatches). */
function knownQuestionable(dir: string): Set<string> {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, { mismatches?: string[] }>;
  const names = new Set<string>();
  for (const [id, entry] of Object.entries(manifest)) {
    // Entries read "NUMPass HbA1cGreaterThan9 (test data carries …)": the name is the first two words.
    for (const text of entry.mismatches ?? []) names.add(`${id} ${text.split(' ').slice(0, 2).join(' ')}`);
  }
  return names;
}
