import { userInfo } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { purposesOfUse, roles, type PurposeOfUse, type Role } from '../../trust/access-context.ts';
import { issueToken, loadTokenKeys, parseTtl } from '../../trust/tokens.ts';
import type { CliContext } from '../cli-context.ts';
import { parseChoice } from '../options.ts';

function parseTtlOption(value: string): number {
  const seconds = parseTtl(value);
  if (seconds === undefined) throw new InvalidArgumentError('expected a lifetime such as 90s, 30m, 1h or 7d (at most 366d)');
  return seconds;
}

function parsePersonId(value: string): string {
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(value)) throw new InvalidArgumentError('expected a FHIR id ([A-Za-z0-9-.], at most 64)');
  return value;
}

export function registerTokenCommand(program: Command, cli: CliContext): void {
  program
    .command('token')
    .description('print a signed access token for the API (Authorization: Bearer <token>)')
    .requiredOption('--role <role>', `one of ${roles.join(', ')}`, parseChoice(roles))
    .option('--person <id>', 'for --role member: the Patient id the member may see', parsePersonId)
    .option('--ttl <duration>', 'lifetime: 90s, 30m, 1h, 7d', parseTtlOption, 3600)
    .option('--subject <name>', 'who the token is for (default: this OS user)')
    .option('--purpose <code>', `purpose of use: ${purposesOfUse.join(', ')} (default: by role)`, parseChoice(purposesOfUse))
    .action(
      async (
        options: { role: Role; person?: string; ttl: number; subject?: string; purpose?: PurposeOfUse },
        command: Command,
      ) => {
        if (options.role === 'member' && !options.person) {
          command.error('error: --role member needs --person <id> (the Patient id of the member)', { exitCode: 2 });
        }
        const config = cli.config(command);
        const keys = await loadTokenKeys({
          dataDir: config.dataDir,
          issuer: config.tokenIssuer,
          ...(config.tokenSecret ? { secret: config.tokenSecret } : {}),
        });
        const token = await issueToken(keys, {
          role: options.role,
          subject: options.subject ?? userInfo().username,
          ttlSeconds: options.ttl,
          ...(options.person ? { personId: options.person } : {}),
          ...(options.purpose ? { purposeOfUse: options.purpose } : {}),
        });
        cli.out(token);
      },
    );
}
