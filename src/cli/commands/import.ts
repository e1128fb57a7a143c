/**
 * `longitude import DIR [--mapping file.json ...]`: ingests every feed of a directory (a
 * simulated organization, a folder of FHIR Bundles or NDJSON) through the message store, with
 * a progress bar over the bytes to read and a summary per silo: read, stored, already stored,
 * processed, filtered, rejected with reasons grouped. Writes as the hub's connector identity
 * (a system context named `cli:import`); every write is audited.
 */
import type { Command } from 'commander';
import { openHub } from '../../hub.ts';
import { loadMappingFile, shippedMappings, type CsvMapping } from '../../integration/csv/index.ts';
import { createEntryChecks } from '../../integration/entry-checks.ts';
import { sameFactFinder } from '../../integration/same-fact.ts';
import { recordsOfSamePerson } from '../../identity/person-store.ts';
import { formatSummary, importDirectory } from '../../integration/import/index.ts';
import { publicBaseUrl } from '../../platform/config.ts';
import { createLogger } from '../../platform/logger.ts';
import { systemContext } from '../../trust/access-context.ts';
import type { CliContext } from '../cli-context.ts';
import { parseInteger } from '../options.ts';
import { createProgress } from '../progress.ts';

interface ImportCommandOptions {
  mapping?: string[];
  batch: number;
  concurrency: number;
  showSkipped?: boolean;
}

/** Extra mappings replace shipped ones of the same name (a site's version of the payer extract). */
function withExtraMappings(paths: readonly string[]): CsvMapping[] {
  const extra = paths.map((p) => loadMappingFile(p));
  return [...extra, ...shippedMappings().filter((m) => !extra.some((e) => e.name === m.name))];
}

export function registerImportCommand(program: Command, cli: CliContext): void {
  program
    .command('import')
    .description('ingest every feed of DIR (a simulated organization, FHIR Bundles or NDJSON) through the message store')
    .argument('<dir>', 'directory to import')
    .option('--mapping <file.json>', 'a CSV mapping file to use besides the shipped ones (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--batch <n>', 'messages stored per transaction', parseInteger(1, 10_000), 200)
    .option('--concurrency <n>', 'HL7 and CSV messages processed at once, by patient, on PostgreSQL (one on the embedded database)', parseInteger(1, 64), 4)
    .option('--show-skipped', 'list the files that were not imported and why')
    .action(async (dir: string, options: ImportCommandOptions, command: Command) => {
      const config = cli.config(command);
      const mappings = withExtraMappings(options.mapping ?? []);
      // Log lines would mix with the progress bar; rejected messages are in the summary instead.
      const hub = await openHub(config, { logger: createLogger({ ...config, logLevel: 'warn' }) });
      const progress = createProgress('importing (kB)', 0);
      let result;
      try {
        result = await importDirectory(
          { db: hub.db, store: hub.store, ctx: systemContext('cli:import'), fhirBaseUrl: `${publicBaseUrl(config)}/fhir/R4`, mappings, entryChecks: createEntryChecks({}), sameAs: sameFactFinder(recordsOfSamePerson) },
          dir,
          {
            batchSize: options.batch,
            concurrency: options.concurrency,
            onDetected: (d) => progress.update(0, Math.ceil(d.sources.reduce((n, s) => n + s.files.reduce((m, f) => m + f.bytes, 0), 0) / 1e3)),
            onProgress: (p) => progress.update(Math.floor(p.bytes / 1e3)),
          },
        );
      } finally {
        progress.stop();
        await hub.close();
      }
      for (const line of formatSummary(result.silos)) cli.out(line);
      if (options.showSkipped) for (const s of result.skipped) cli.out(`skipped ${s.rel}: ${s.reason}`);
      const read = result.silos.reduce((n, s) => n + s.read, 0);
      const rejected = result.silos.reduce((n, s) => n + s.rejected, 0);
      cli.out(`${read} item(s) from ${result.silos.reduce((n, s) => n + s.files, 0)} file(s) in ${(result.ms / 1000).toFixed(1)} s; ${rejected} rejected (kept in the message store: longitude messages list --status errored); ${result.skipped.length} file(s) skipped`);
    });
}
