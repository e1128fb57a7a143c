/**
 * `longitude quality`: the data-quality report per source — resources checked, the share
 * passing (no error finding), and findings by rule and severity (src/integration/quality/).
 * Aggregates only (counts and rule ids, no resource content); read as the operator, through
 * the policy and into the audit trail like every other read.
 */
import type { Command } from 'commander';
import { qualityRules } from '../../integration/quality/finding.ts';
import { qualityReport, type SourceQualityReport } from '../../integration/quality/quality-store.ts';
import { userInfo } from 'node:os';
import { openHub } from '../../hub.ts';
import { LongitudeError } from '../../platform/errors.ts';
import { createLogger } from '../../platform/logger.ts';
import { createAccessContext } from '../../trust/access-context.ts';
import { decide, inboundMessageType } from '../../trust/policy.ts';
import type { CliContext } from '../cli-context.ts';
import { parseDate } from '../options.ts';

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

/** The report as text lines, one block per source. */
export function formatQualityReport(reports: readonly SourceQualityReport[]): string[] {
  if (reports.length === 0) return ['no resources checked yet'];
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`${r.source}: ${r.checked} resource(s) checked, ${r.passing} passing (${percent(r.passingShare)}), ${r.clean} without findings (${percent(r.checked === 0 ? 1 : r.clean / r.checked)})`);
    if (r.byRule.length > 0) lines.push(`  ${'rule'.padEnd(34)}${'severity'.padEnd(13)}${'findings'.padStart(9)}${'resources'.padStart(11)}`);
    for (const rule of r.byRule) {
      lines.push(`  ${rule.ruleId.padEnd(34)}${rule.severity.padEnd(13)}${String(rule.findings).padStart(9)}${String(rule.resources).padStart(11)}`);
    }
  }
  return lines;
}

export function registerQualityCommand(program: Command, cli: CliContext): void {
  program
    .command('quality')
    .description('data-quality report per source: resources checked, share passing, findings by rule and severity')
    .option('--source <name>', 'only this source')
    .option('--since <date>', 'only checks made on or after (YYYY-MM-DD)', parseDate)
    .option('--json', 'print as JSON')
    .option('--rules', 'list the rules and what each checks, then exit')
    .action(async (options: { source?: string; since?: string; json?: boolean; rules?: boolean }, command: Command) => {
      if (options.rules) {
        for (const [id, description] of Object.entries(qualityRules)) cli.out(`${id.padEnd(34)}${description}`);
        return;
      }
      const config = cli.config(command);
      // Log lines would mix with the report; warnings and errors still go out.
      const hub = await openHub(config, { logger: createLogger({ ...config, logLevel: 'warn' }) });
      try {
        const query = {
          ...(options.source ? { source: options.source } : {}),
          ...(options.since ? { since: new Date(`${options.since}T00:00:00Z`) } : {}),
        };
        const ctx = createAccessContext({ actor: { type: 'user', id: userInfo().username }, role: 'admin' });
        const decision = decide(ctx, 'search', inboundMessageType);
        const entity = { resourceType: 'DataQualityReport', query: new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, v instanceof Date ? v.toISOString() : v])).toString() };
        await hub.audit.record({ ctx, interaction: 'search', outcome: decision.allowed ? 'success' : 'failure', entity });
        if (!decision.allowed) throw new LongitudeError('LNG_FORBIDDEN', decision.reason);
        const reports = await qualityReport(hub.db, query);
        if (options.json) cli.out(JSON.stringify(reports));
        else for (const line of formatQualityReport(reports)) cli.out(line);
      } finally {
        await hub.close();
      }
    });
}
