/**
 * The message store's admin API (under /admin): search messages, open one with what it
 * produced, reprocess one or a whole query, and the interface monitor's per-channel figures.
 * A thin adapter over MessageAdmin, which decides and audits.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { MessageAdmin } from '../../integration/message-store/message-admin.ts';
import type { MessageQuery } from '../../integration/message-store/message-query.ts';
import { messageStatuses, type StoredMessage } from '../../integration/message-store/message-store.ts';
import { errorAt } from '../../platform/errors.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import type { TokenKeys } from '../../trust/tokens.ts';
import { accessContextOf } from '../request-context.ts';
import { requireBearerToken, type SeenSessions } from './authentication.ts';

const querySchema = z
  .object({
    channel: z.string().min(1),
    status: z.enum(messageStatuses),
    type: z.string().min(1),
    controlId: z.string().min(1),
    patient: z.string().min(1),
    from: z.iso.datetime({ offset: true }).or(z.iso.date()),
    to: z.iso.datetime({ offset: true }).or(z.iso.date()),
    before: z.coerce.number().int().positive(),
    limit: z.coerce.number().int().min(1).max(500),
  })
  .partial()
  .strict();

function parseQuery(raw: unknown): MessageQuery {
  const q = parseWith(querySchema, raw);
  return {
    ...(q.channel ? { channel: q.channel } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.type ? { messageType: q.type } : {}),
    ...(q.controlId ? { controlId: q.controlId } : {}),
    ...(q.patient ? { patient: q.patient } : {}),
    ...(q.from ? { receivedFrom: new Date(q.from) } : {}),
    ...(q.to ? { receivedTo: new Date(q.to) } : {}),
    ...(q.before ? { before: q.before } : {}),
    ...(q.limit ? { limit: q.limit } : {}),
  };
}

function parseWith<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const name = String((issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path[0]) ?? 'query');
  throw errorAt('LNG_BAD_REQUEST', `${name}: ${issue.message}`, name);
}

function parseId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw errorAt('LNG_BAD_REQUEST', `message id ${raw} is not a number`, 'id');
  return Number(raw);
}

/** JSON view of a message: the bytes as text (HL7 segments on their own lines) and as base64. */
export function messageView(message: StoredMessage, withContent: boolean) {
  const { content, ...rest } = message;
  if (!withContent) return rest;
  const text = Buffer.from(content).toString('utf8');
  return { ...rest, text: text.replace(/\r\n?/g, '\n'), contentBase64: Buffer.from(content).toString('base64') };
}

export async function messagesAdminPlugin(
  app: FastifyInstance,
  options: { admin: MessageAdmin; audit: AuditLog; tokenKeys: TokenKeys; sessions: SeenSessions },
): Promise<void> {
  requireBearerToken(app, { tokenKeys: options.tokenKeys, audit: options.audit, sessions: options.sessions });
  const { admin } = options;

  app.get('/messages', async (request) => {
    const messages = await admin.search(accessContextOf(request), parseQuery(request.query));
    return { messages: messages.map((m) => messageView(m, false)), next: messages.length > 0 ? messages.at(-1)!.id : null };
  });

  app.get<{ Params: { id: string } }>('/messages/:id', async (request) => {
    const detail = await admin.get(accessContextOf(request), parseId(request.params.id));
    return { message: messageView(detail.message, true), outputs: detail.outputs };
  });

  app.post<{ Params: { id: string } }>('/messages/:id/reprocess', async (request, reply) => {
    await admin.reprocess(accessContextOf(request), parseId(request.params.id));
    return reply.code(202).send({ requeued: 1 });
  });

  // Reprocess every message a query matches; the query is required, so "everything" is a deliberate act.
  app.post('/messages/reprocess', async (request, reply) => {
    const query = parseQuery(request.query);
    if (Object.keys(query).length === 0) throw errorAt('LNG_BAD_REQUEST', 'reprocessing needs at least one filter, e.g. ?status=errored', 'query');
    const { before: _before, limit: _limit, ...filters } = query;
    return reply.code(202).send({ requeued: await admin.reprocessMatching(accessContextOf(request), filters) });
  });

  app.get('/channels', async (request) => ({ channels: await admin.channels(accessContextOf(request)) }));

  app.get('/channels/throughput', async (request) => {
    const { minutes } = parseWith(z.object({ minutes: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60) }).strict(), request.query);
    return { minutes, buckets: await admin.throughput(accessContextOf(request), minutes) };
  });

  app.get('/quality', async (request) => {
    const q = parseWith(z.object({ source: z.string().min(1).max(200), since: z.iso.date() }).partial().strict(), request.query);
    const reports = await admin.quality(accessContextOf(request), { ...(q.source ? { source: q.source } : {}), ...(q.since ? { since: new Date(`${q.since}T00:00:00Z`) } : {}) });
    return {
      generatedAt: new Date().toISOString(),
      // The report as `longitude quality --json` prints it, plus per-rule rates for charts.
      sources: reports.map((r) => ({
        ...r,
        records: r.checked,
        score: r.passingShare,
        checks: r.byRule.map((rule) => ({ check: rule.ruleId, severity: rule.severity, failed: rule.resources, findings: rule.findings, rate: r.checked === 0 ? 0 : rule.resources / r.checked })),
      })),
    };
  });
}
