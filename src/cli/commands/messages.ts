/**
 * `longitude messages`: the message store from the shell — list, show, reprocess, channels.
 * The operator acts as an admin under their OS user name, and every call is audited like the
 * admin API's (the person with the database at hand is who the audit trail should name).
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { openHub } from '../../hub.ts';
import type { MessageAdmin } from '../../integration/message-store/message-admin.ts';
import type { MessageQuery } from '../../integration/message-store/message-query.ts';
import { messageStatuses, type MessageStatus } from '../../integration/message-store/message-store.ts';
import { createLogger } from '../../platform/logger.ts';
import { createAccessContext, type AccessContext } from '../../trust/access-context.ts';
import type { CliContext } from '../cli-context.ts';
import { parseChoice, parseDate, parseInteger } from '../options.ts';

interface QueryOptions {
  channel?: string;
  status?: MessageStatus;
  type?: string;
  controlId?: string;
  patient?: string;
  from?: string;
  to?: string;
}

function withQueryOptions(command: Command): Command {
  return command
    .option('--channel <name>', 'only this channel')
    .option('--status <status>', messageStatuses.join(', '), parseChoice(messageStatuses))
    .option('--type <type>', 'message type, e.g. ADT^A01, or a prefix with *: ADT*')
    .option('--control-id <id>', 'MSH-10 control id')
    .option('--patient <identifier>', 'the patient identifier the message is about')
    .option('--from <date>', 'received on or after (YYYY-MM-DD)', parseDate)
    .option('--to <date>', 'received before (YYYY-MM-DD)', parseDate);
}

function toQuery(options: QueryOptions): MessageQuery {
  return {
    ...(options.channel ? { channel: options.channel } : {}),
    ...(options.status ? { status: options.status } : {}),
    ...(options.type ? { messageType: options.type } : {}),
    ...(options.controlId ? { controlId: options.controlId } : {}),
    ...(options.patient ? { patient: options.patient } : {}),
    ...(options.from ? { receivedFrom: new Date(`${options.from}T00:00:00Z`) } : {}),
    ...(options.to ? { receivedTo: new Date(`${options.to}T00:00:00Z`) } : {}),
  };
}

/** Opens the hub's database, runs `work` as the operator, and closes it. */
async function asOperator<T>(cli: CliContext, command: Command, work: (admin: MessageAdmin, ctx: AccessContext) => Promise<T>): Promise<T> {
  const config = cli.config(command);
  // Log lines would mix with the command's output; warnings and errors still go out.
  const hub = await openHub(config, { logger: createLogger({ ...config, logLevel: 'warn' }) });
  try {
    const ctx = createAccessContext({ actor: { type: 'user', id: userInfo().username }, role: 'admin' });
    return await work(hub.integration.admin, ctx);
  } finally {
    await hub.close();
  }
}

const pad = (text: string, width: number) => text.padEnd(width).slice(0, width);

export function registerMessagesCommand(program: Command, cli: CliContext): void {
  const messages = program.command('messages').description('search, show and reprocess inbound messages (the message store)');

  withQueryOptions(messages.command('list').description('list messages, newest first'))
    .option('--limit <n>', 'how many (at most 500)', parseInteger(1, 500), 50)
    .option('--json', 'one JSON object per line')
    .action(async (options: QueryOptions & { limit: number; json?: boolean }, command: Command) => {
      const found = await asOperator(cli, command, (admin, ctx) => admin.search(ctx, { ...toQuery(options), limit: options.limit }));
      for (const m of found) {
        const { content: _content, ...rest } = m;
        if (options.json) cli.out(JSON.stringify(rest));
        else {
          const error = m.error ? `  ${m.error.stage}: ${m.error.message}` : '';
          cli.out(`${String(m.id).padStart(8)}  ${m.receivedAt.toISOString()}  ${pad(m.channel, 12)} ${pad(m.messageType ?? '-', 10)} ${pad(m.status, 9)} ${m.controlId ?? '-'}${error}`);
        }
      }
      if (!options.json) cli.err(`${found.length} message(s)`);
    });

  messages
    .command('show')
    .description('show one message, its status and the resources it produced')
    .argument('<id>', 'message id', parseInteger(1))
    .action(async (id: number, _options: unknown, command: Command) => {
      const { message, outputs } = await asOperator(cli, command, (admin, ctx) => admin.get(ctx, id));
      cli.out(`message ${message.id}: ${message.channel} ${message.messageType ?? ''} ${message.controlId ?? ''} — ${message.status} (attempts ${message.attempts}, received ${message.receiptCount}x)`);
      if (message.error) cli.out(`error at ${message.error.stage}${message.error.element ? ` ${message.error.element}` : ''}: ${message.error.message}`);
      cli.out(Buffer.from(message.content).toString('utf8').replace(/\r\n?/g, '\n').trimEnd());
      for (const o of outputs) cli.out(`produced ${o.resourceType}/${o.id}/_history/${o.versionId}`);
    });

  withQueryOptions(
    messages
      .command('reprocess')
      .description('put messages back in their queue: by id, or every message matching the filters')
      .argument('[ids...]', 'message ids', (value: string, previous: number[] = []) => [...previous, parseInteger(1)(value)]),
  ).action(async (ids: number[] | undefined, options: QueryOptions, command: Command) => {
    const parsed = ids ?? [];
    const query = toQuery(options);
    if (parsed.length === 0 && Object.keys(query).length === 0) {
      command.error('error: give message ids or at least one filter, e.g. --status errored', { exitCode: 2 });
    }
    const count = await asOperator(cli, command, async (admin, ctx) => {
      if (parsed.length === 0) return admin.reprocessMatching(ctx, query);
      for (const id of parsed) await admin.reprocess(ctx, id);
      return parsed.length;
    });
    cli.out(`${count} message(s) requeued`);
  });

  messages
    .command('channels')
    .description('per channel: received, processed, filtered, errored, dead, queued, msg/s, ACK latency')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const channels = await asOperator(cli, command, (admin, ctx) => admin.channels(ctx));
      if (options.json) return cli.out(JSON.stringify(channels));
      cli.out('channel        received processed filtered  errored     dead   queued   msg/s  ack p50  ack p95');
      for (const c of channels) {
        const ms = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)}ms`).padStart(8);
        const n = (v: number) => String(v).padStart(8);
        cli.out(`${pad(c.channel, 14)} ${n(c.received)} ${n(c.processed)} ${n(c.filtered)} ${n(c.errored)} ${n(c.dead)} ${n(c.queued)} ${c.perSecond.toFixed(1).padStart(7)} ${ms(c.ackP50Ms)} ${ms(c.ackP95Ms)}`);
        if (c.lastError) cli.out(`  last error ${c.lastError.at.toISOString()} message ${c.lastError.messageId}: ${c.lastError.message}`);
      }
    });
}
