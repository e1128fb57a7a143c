import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describeSchema } from '../../platform/db/describe-schema.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { describeDatabase, openDb } from '../../platform/db/open-db.ts';
import type { CliContext } from '../cli-context.ts';

export function registerMigrateCommand(program: Command, cli: CliContext): void {
  program
    .command('migrate')
    .description('apply pending database migrations (start does this too) and exit')
    .option('--dump-schema <file>', 'then write the resulting schema description to FILE')
    .action(async (options: { dumpSchema?: string }, command: Command) => {
      const config = cli.config(command);
      const db = await openDb(config);
      try {
        const applied = await migrate(db, { onApplied: (m) => cli.err(`applied ${m.name}`) });
        cli.out(`${describeDatabase(config)}: ${applied.length === 0 ? 'already up to date' : `${applied.length} migration(s) applied`}`);
        if (options.dumpSchema) {
          writeFileSync(options.dumpSchema, await describeSchema(db));
          cli.out(`schema written to ${options.dumpSchema}`);
        }
      } finally {
        await db.close();
      }
    });
}
