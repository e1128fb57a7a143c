/**
 * The signals API for the console (docs/signals.md, "/signals"): list with filters (sorted by
 * priority, then due date), get one, and acknowledge / resolve / dismiss. A thin adapter over
 * SignalService, which goes through the store and FHIR search: the policy decides, the audit
 * records.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { lifecycleStatuses, signalActions, signalKinds, SignalService } from '../../intelligence/signals/index.ts';
import { actorOf } from '../../intelligence/signals/signal-service.ts';
import type { Queryable } from '../../platform/db/db.ts';
import type { ResourceStore } from '../../record/resource-store.ts';
import type { SearchParameterRegistry } from '../../record/search/index.ts';
import { errorAt } from '../../platform/errors.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import type { TokenKeys } from '../../trust/tokens.ts';
import { accessContextOf } from '../request-context.ts';
import { requireBearerToken, type SeenSessions } from './authentication.ts';

const listSchema = z
  .object({
    person: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/),
    kind: z.enum(signalKinds),
    status: z.string().transform((s) => s.split(',')).pipe(z.array(z.enum(lifecycleStatuses))),
    assignee: z.literal('me'),
    limit: z.coerce.number().int().min(1).max(1000),
  })
  .partial()
  .strict();

const transitionSchema = z.object({ reason: z.string().max(2000).optional() }).strict();

function parse<T>(schema: z.ZodType<T>, raw: unknown, where: string): T {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const name = String((issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path[0]) ?? where);
  throw errorAt('LNG_BAD_REQUEST', `${name}: ${issue.message}`, name);
}

export async function signalsPlugin(
  app: FastifyInstance,
  options: { db: Queryable; store: ResourceStore; audit: AuditLog; searchParameters: SearchParameterRegistry; tokenKeys: TokenKeys; sessions: SeenSessions },
): Promise<void> {
  requireBearerToken(app, { tokenKeys: options.tokenKeys, audit: options.audit, sessions: options.sessions });
  const signals = new SignalService(options);

  app.get('/signals', async (request) => {
    const q = parse(listSchema, request.query, 'query');
    const ctx = accessContextOf(request);
    const list = await signals.list(ctx, {
      ...(q.assignee ? { assignee: actorOf(ctx) } : {}),
      ...(q.person ? { patient: q.person } : {}),
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.limit ? { limit: q.limit } : {}),
    });
    return { signals: list };
  });

  app.get<{ Params: { id: string } }>('/signals/:id', async (request) => ({ signal: await signals.get(accessContextOf(request), request.params.id) }));

  app.post<{ Params: { id: string } }>('/signals/:id/assign', async (request) => {
    parse(z.object({}).strict(), request.body, 'body');
    return { signal: await signals.assignToMe(accessContextOf(request), request.params.id) };
  });

  for (const action of signalActions) {
    app.post<{ Params: { id: string } }>(`/signals/:id/${action}`, async (request) => {
      const body = parse(transitionSchema, request.body, 'body');
      return { signal: await signals.transition(accessContextOf(request), request.params.id, action, body.reason) };
    });
  }
}
