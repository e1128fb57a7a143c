/**
 * `longitude reindex [--type T,...]`: rebuilds the search index of the stored resources, as
 * `POST /fhir/R4/$reindex` does, with a progress bar. For after a custom SearchParameter is
 * added or retired, and after an upgrade that adds an index. Runs as the hub itself (a system
 * context named `cli:reindex`), and is audited like the operation.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { resourceTypes } from '../../fhir/index.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { describeDatabase, openDb } from '../../platform/db/open-db.ts';
import { reindexRecord } from '../../record/reindex.ts';
import { FhirSearchIndexer, SearchParameterRegistry } from '../../record/search/index.ts';
import { systemContext } from '../../trust/access-context.ts';
import { AuditLog } from '../../trust/audit/audit-log.ts';
import type { CliContext } from '../cli-context.ts';
import { createProgress } from '../progress.ts';

function parseTypes(value: string): string[] {
  const types = value.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const unknown = types.find((t) => !resourceTypes().has(t) || t === 'AuditEvent');
  if (types.length === 0 || unknown !== undefined) {
    throw new InvalidArgumentError(unknown ? `${unknown} is not a stored resource type` : 'expected resource types, e.g. Observation,Patient');
  }
  return types;
}

export function registerReindexCommand(program: Command, cli: CliContext): void {
  program
    .command('reindex')
    .description('rebuild the search index of stored resources (after adding a SearchParameter, or an upgrade that adds an index)')
    .option('--type <types>', 'only these resource types, comma-separated, e.g. Observation,Patient (default: all)', parseTypes)
    .action(async (options: { type?: string[] }, command: Command) => {
      const config = cli.config(command);
      const db = await openDb(config);
      try {
        // As `start` does: the index tables this fills may come with a migration.
        await migrate(db, { onApplied: (m) => cli.err(`applied ${m.name}`) });
        const audit = new AuditLog(db);
        const indexer = new FhirSearchIndexer(new SearchParameterRegistry(db));
        const progress = createProgress('reindexing', 0);
        let result;
        try {
          result = await reindexRecord({ db, audit, indexer }, systemContext('cli:reindex'), options.type ? { types: options.type } : {}, {
            onProgress: (done, total) => progress.update(done, total),
          });
        } finally {
          progress.stop();
          await audit.flush();
        }
        for (const [type, count] of result.byType) if (count > 0) cli.out(`${type.padEnd(32)} ${String(count).padStart(9)}`);
        cli.out(`${describeDatabase(config)}: ${result.total} resources reindexed`);
      } finally {
        await db.close();
      }
    });
}
