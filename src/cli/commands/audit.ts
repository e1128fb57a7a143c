import type { Command } from 'commander';
import { openDb } from '../../platform/db/open-db.ts';
import { LongitudeError } from '../../platform/errors.ts';
import { verifyAuditChain } from '../../trust/audit/verify.ts';
import type { CliContext } from '../cli-context.ts';
import { createProgress } from '../progress.ts';

export function registerAuditCommand(program: Command, cli: CliContext): void {
  const audit = program.command('audit').description('work with the tamper-evident audit trail');
  audit
    .command('verify')
    .description('walk the audit hash chain; exit 3 naming the first bad row if any row was changed, removed or reordered')
    .option('--json', 'print the result as one JSON object')
    .action(async (options: { json?: boolean }, command: Command) => {
      const config = cli.config(command);
      const db = await openDb(config);
      try {
        const progress = options.json ? undefined : createProgress('verifying audit chain', 0);
        const result = await verifyAuditChain(db, { onProgress: (done, total) => progress?.update(done, total) });
        progress?.stop();
        if (options.json) cli.out(JSON.stringify(result));
        if (!result.ok) throw new LongitudeError('LNG_AUDIT_CHAIN_BROKEN', `audit chain broken at row ${result.firstBad!.seq}: ${result.firstBad!.problem}`);
        if (!options.json) cli.out(`audit chain intact: ${result.checked} rows verified`);
      } finally {
        await db.close();
      }
    });
}
