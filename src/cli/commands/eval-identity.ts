/**
 * `longitude eval identity --dataset DIR`: links a labelled dataset with the identity engine and
 * its configured thresholds, then scores pairwise precision, recall and F1 (docs/identity.md).
 * Labels are read only by the scorer.
 */
import { existsSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import {
  CANONICAL_FIELDS, DATASET_FORMATS, detectFormat, evaluateIdentity, type CanonicalField, type DatasetFormat,
} from '../../identity/index.ts';
import type { CliContext } from '../cli-context.ts';
import { parseChoice } from '../options.ts';
import { createProgress } from '../progress.ts';

interface EvalIdentityOptions {
  dataset: string;
  format?: DatasetFormat;
  json?: boolean;
  drop?: CanonicalField[];
}

function parseFields(value: string): CanonicalField[] {
  const fields = value.split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of fields) {
    if (!CANONICAL_FIELDS.includes(f as CanonicalField)) throw new InvalidArgumentError(`unknown field ${f}; expected ${CANONICAL_FIELDS.join(', ')}`);
  }
  return fields as CanonicalField[];
}

const STAGES = ['normalize', 'block', 'compare', 'estimate', 'cluster'] as const;

export function registerEvalIdentityCommand(evalCommand: Command, cli: CliContext): void {
  evalCommand
    .command('identity')
    .description('link a labelled person dataset and print pairwise precision, recall, F1, review rate, pairs compared and seconds')
    .requiredOption('--dataset <dir>', 'dataset directory (or CSV file)')
    .option('--format <format>', `${DATASET_FORMATS.join('|')} (default: detected from the files)`, parseChoice(DATASET_FORMATS))
    .option('--drop <fields>', `comma-separated canonical fields to blank before linking, e.g. ssn (${CANONICAL_FIELDS.join(', ')})`, parseFields)
    .option('--json', 'print one JSON object: precision, recall, f1, reviewRate, pairsCompared, seconds')
    .action((options: EvalIdentityOptions, command: Command) => {
      if (!existsSync(options.dataset)) command.error(`error: dataset ${options.dataset} does not exist`, { exitCode: 2 });
      const format = options.format ?? detectFormat(options.dataset);
      // One bar over the engine's stages; compare reports its own pair count inside its stage.
      const progress = createProgress('eval identity', STAGES.length * 100);
      let details;
      try {
        details = evaluateIdentity(options.dataset, {
          format,
          ...(options.drop ? { drop: options.drop } : {}),
          onProgress: (stage, done, total) => {
            const base = STAGES.indexOf(stage) * 100;
            progress.update(base + Math.floor((100 * done) / Math.max(1, total)));
          },
        });
      } finally {
        progress.stop();
      }
      const r = details.report;
      if (options.json) {
        cli.out(JSON.stringify({
          precision: r.precision, recall: r.recall, f1: r.f1, reviewRate: r.reviewRate, pairsCompared: r.pairsCompared, seconds: r.seconds,
        }));
        return;
      }
      cli.out(`dataset        ${options.dataset} (${format}${options.drop ? `, without ${options.drop.join(', ')}` : ''})`);
      cli.out(`records        ${details.records} → ${details.persons} persons`);
      cli.out(`precision      ${r.precision.toFixed(4)}`);
      cli.out(`recall         ${r.recall.toFixed(4)}`);
      cli.out(`F1             ${r.f1.toFixed(4)}  (pairwise: ${details.scores.truePositives} of ${details.scores.predictedPairs} linked pairs true, ${details.scores.truePairs} true pairs)`);
      cli.out(`review rate    ${(100 * r.reviewRate).toFixed(2)} % of records`);
      cli.out(`pairs compared ${r.pairsCompared}`);
      cli.out(`seconds        ${r.seconds.toFixed(2)}`);
    });
}
