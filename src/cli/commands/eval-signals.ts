/**
 * `longitude eval signals --dataset SIMDIR [--json]`: imports a simulated organization into a
 * throwaway embedded database (every silo through the importer, as `longitude import` does),
 * links identities, runs every signal kind as of the end of the simulator's measurement
 * period, and prints precision and recall per kind against the simulator's labels
 * (`truth/signals.json`). How findings are named on both sides, and what the simulator does
 * not label: intelligence/signals/eval/signal-truth.ts.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { DetectedIssue } from '@medplum/fhirtypes';
import { openHub, type Hub } from '../../hub.ts';
import { IdentityService } from '../../identity/identity-service.ts';
import { createSignalServices, fromDetectedIssue, identityPersons, runSignals, SignalRunner, type RunSummary, type Signal } from '../../intelligence/signals/index.ts';
import { ourKey, readSignalTruth, readTruthRecords, scoredKinds, scoreFindings, truthKey, truthPersonOf, type KeyedFinding, type KindScore, type SignalTruth } from '../../intelligence/signals/eval/index.ts';
import { shippedMappings } from '../../integration/csv/index.ts';
import { createEntryChecks } from '../../integration/entry-checks.ts';
import { sameFactFinder } from '../../integration/same-fact.ts';
import { recordsOfSamePerson } from '../../identity/person-store.ts';
import { importDirectory } from '../../integration/import/index.ts';
import { publicBaseUrl } from '../../platform/config.ts';
import { createPgliteDb } from '../../platform/db/pglite-db.ts';
import { createLogger } from '../../platform/logger.ts';
import { SearchService } from '../../record/search/index.ts';
import { systemContext } from '../../trust/access-context.ts';
import type { CliContext } from '../cli-context.ts';
import { createProgress } from '../progress.ts';

interface EvalSignalsOptions {
  dataset: string;
  measures: string;
  json?: boolean;
}

interface Evaluation {
  kinds: Record<string, KindScore>;
  /** Our signals the simulator does not label, by kind and measure or window. */
  unscored: Record<string, number>;
  signals: number;
  persons: number;
  /** Kind runs that failed (a whole kind, or a part of one): their findings are missing. */
  failures: RunSummary['failures'];
}

export function registerEvalSignals(evalCommand: Command, cli: CliContext): void {
  evalCommand
    .command('signals')
    .description('import a simulated organization into a throwaway database, run every signal, print precision and recall per kind against truth/signals.json')
    .requiredOption('--dataset <dir>', 'a simulated organization (longitude simulate --out DIR): its silos and truth/')
    .option('--measures <dir>', 'measure content directory for care gaps', '../shared/data/measures')
    .option('--json', 'print one JSON object: { kinds: { <kind>: { precision, recall, expected, raised, matched, missed, unexpected } } } (missed, unexpected: the first ten "person|finding" keys)')
    .action(async (options: EvalSignalsOptions, command: Command) => {
      const dataset = resolve(options.dataset);
      if (!existsSync(join(dataset, 'truth', 'signals.json'))) {
        command.error(`error: ${options.dataset} holds no truth/signals.json (a simulated organization: longitude simulate --out DIR)`, { exitCode: 2 });
      }
      const truth = readSignalTruth(dataset);
      const config = cli.config(command);
      const scratch = mkdtempSync(join(tmpdir(), 'longitude-eval-signals-'));
      const hub = await openHub({ ...config, dataDir: scratch }, { db: await createPgliteDb(), logger: createLogger({ ...config, logLevel: 'error' }) });
      let evaluation: Evaluation;
      try {
        evaluation = await evaluate(hub, dataset, truth, resolve(options.measures), cli);
      } finally {
        await hub.close();
        rmSync(scratch, { recursive: true, force: true });
      }
      if (options.json) {
        // The first ten misses and false alarms ride along: at 10,000 people a rerun to see them is half an hour.
        const kinds = Object.fromEntries(
          Object.entries(evaluation.kinds).map(([kind, s]) => [kind, { precision: s.precision, recall: s.recall, expected: s.expected, raised: s.raised, matched: s.matched, missed: s.missed, unexpected: s.unexpected }]),
        );
        cli.out(JSON.stringify({ kinds, unscored: evaluation.unscored, failures: evaluation.failures.length }));
        return;
      }
      printEvaluation(evaluation, cli);
    });
}

async function evaluate(hub: Hub, dataset: string, truth: SignalTruth, measuresDir: string, cli: Pick<CliContext, 'err'>): Promise<Evaluation> {
  const ctx = systemContext('cli:eval-signals');
  await stage('importing (kB)', (progress) =>
    importDirectory(
      { db: hub.db, store: hub.store, ctx, fhirBaseUrl: `${publicBaseUrl(hub.config)}/fhir/R4`, mappings: shippedMappings(), entryChecks: createEntryChecks({}), sameAs: sameFactFinder(recordsOfSamePerson) },
      dataset,
      {
        batchSize: 500,
        onDetected: (d) => progress(0, Math.ceil(d.sources.reduce((n, s) => n + s.files.reduce((m, f) => m + f.bytes, 0), 0) / 1e3)),
        onProgress: (p) => progress(Math.floor(p.bytes / 1e3), Math.ceil(p.totalBytes / 1e3)),
      },
    ),
  );
  await stage('linking identities', (progress) => new IdentityService(hub).relinkAll(ctx, { onProgress: (_, done, total) => progress(done, total) }));
  // The simulator's period, and "today" at its end: what its labels were computed for.
  const { services, notes, close } = createSignalServices({ measuresDir, periodStart: truth.measurementPeriod.start, workers: availableParallelism() });
  for (const note of notes) cli.err(note);
  const runner = new SignalRunner({ ...hub, services, logger: hub.logger });
  const run = await stage('signals', (progress) =>
    runSignals({ runner, directory: identityPersons(hub.db) }, ctx, { asOf: new Date(`${truth.measurementPeriod.end}T23:59:59.999Z`), onProgress: progress }).finally(close),
  );
  const search = new SearchService({ db: hub.db, audit: hub.audit, parameters: hub.searchParameters });
  const signals = ((await search.searchAll(ctx, 'DetectedIssue', [['_count', '1000']])) as DetectedIssue[]).map(fromDetectedIssue);
  const sourcePatients = await new IdentityService(hub).readSourcePatients(ctx);
  const recordIdsOf = new Map(sourcePatients.map((p) => [p.id!, [p.id!, ...(p.identifier ?? []).flatMap((i) => i.value ?? [])]]));
  const byRecord = readTruthRecords(dataset);
  const raised: KeyedFinding[] = [];
  const unscored: Record<string, number> = {};
  for (const signal of signals) {
    // A person none of whose records is labelled is nobody the simulator knows: still counted.
    const person = truthPersonOf(signal.person.patientIds, recordIdsOf, byRecord) ?? `unlabelled:${signal.person.id}`;
    const keyed = ourKey(signal, person, truth.measurementPeriod.end);
    if (keyed) raised.push(keyed);
    else {
      const label = unscoredLabel(signal, truth.measurementPeriod.end);
      unscored[label] = (unscored[label] ?? 0) + 1;
    }
  }
  const expected = truth.signals.flatMap((s) => truthKey(s) ?? []);
  return { kinds: scoreFindings(scoredKinds, expected, raised), unscored, signals: signals.length, persons: run.persons, failures: run.failures };
}

/** Runs one step of the evaluation behind a progress bar on stderr. */
async function stage<T>(label: string, work: (progress: (done: number, total?: number) => void) => Promise<T>): Promise<T> {
  const bar = createProgress(`eval signals: ${label}`, 0);
  try {
    return await work((done, total) => bar.update(done, total));
  } finally {
    bar.stop();
  }
}

/** "care-gap CMS165", "discharge-without-follow-up 30d", "discharge-without-follow-up 7d (week not over)". */
function unscoredLabel(signal: Signal, asOf: string): string {
  const head = signal.key.split('|', 1)[0];
  if (signal.kind === 'discharge-without-follow-up' && head === '7d' && (signal.dueBy ?? '') > asOf) return `${signal.kind} 7d (week not over)`;
  if (signal.kind === 'care-gap' || signal.kind === 'discharge-without-follow-up') return `${signal.kind} ${head}`;
  return signal.kind;
}

function printEvaluation(evaluation: Evaluation, cli: Pick<CliContext, 'out'>): void {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  cli.out(`${'kind'.padEnd(24)} ${'expected'.padStart(8)} ${'raised'.padStart(7)} ${'matched'.padStart(8)} ${'precision'.padStart(10)} ${'recall'.padStart(7)}`);
  for (const [kind, s] of Object.entries(evaluation.kinds)) {
    cli.out(`${kind.padEnd(24)} ${String(s.expected).padStart(8)} ${String(s.raised).padStart(7)} ${String(s.matched).padStart(8)} ${pct(s.precision).padStart(10)} ${pct(s.recall).padStart(7)}`);
  }
  cli.out(`${evaluation.persons} persons, ${evaluation.signals} signals stored`);
  // A kind that failed raised nothing: its low recall is that failure, not the rule.
  const [first] = evaluation.failures;
  if (first) cli.out(`${evaluation.failures.length} kind runs failed (first: ${first.kind} for ${first.person}: ${first.message})`);
  const unscored = Object.entries(evaluation.unscored).map(([label, n]) => `${n} ${label}`);
  if (unscored.length > 0) cli.out(`not labelled by the simulator, so not scored: ${unscored.join(', ')}`);
  for (const [kind, s] of Object.entries(evaluation.kinds)) {
    if (s.missed.length > 0) cli.out(`  ${kind} missed (person|finding), first ${s.missed.length}: ${s.missed.join(', ')}`);
    if (s.unexpected.length > 0) cli.out(`  ${kind} not labelled (person|finding), first ${s.unexpected.length}: ${s.unexpected.join(', ')}`);
  }
}
