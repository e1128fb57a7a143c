/**
 * CDS Hooks 2.0 service (https://cds-hooks.hl7.org/2.0/): discovery (public, as the spec
 * expects), the patient-view and order-select / order-sign services, and feedback. Calls
 * carry our bearer token; the record is read with the caller's access context. Prefetched
 * data is used when the client sends it, otherwise the record is read.
 */
import type { Bundle, Patient, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  cardsForSignals,
  cdsServiceIds,
  cdsServices,
  draftLabOrders,
  duplicateOrderCards,
  loadPersonRecord,
  personRecordOf,
  type PersonRecord,
  SignalService,
} from '../../intelligence/signals/index.ts';
import type { Queryable } from '../../platform/db/db.ts';
import { errorAt, LongitudeError } from '../../platform/errors.ts';
import type { ResourceStore } from '../../record/resource-store.ts';
import type { SearchParameterRegistry } from '../../record/search/index.ts';
import type { AccessContext } from '../../trust/access-context.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import type { TokenKeys } from '../../trust/tokens.ts';
import { accessContextOf } from '../request-context.ts';
import { requireBearerToken, type SeenSessions } from './authentication.ts';

const requestSchema = z.object({
  hook: z.string().min(1),
  hookInstance: z.string().min(1),
  fhirServer: z.string().optional(),
  fhirAuthorization: z.unknown().optional(),
  context: z.looseObject({ patientId: z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/), userId: z.string().optional(), draftOrders: z.unknown().optional() }),
  prefetch: z.record(z.string(), z.unknown().nullable()).optional(),
});

const feedbackSchema = z.object({
  feedback: z
    .array(
      z.object({
        card: z.string().min(1),
        outcome: z.enum(['accepted', 'overridden']),
        acceptedSuggestions: z.array(z.object({ id: z.string() })).optional(),
        overrideReason: z.object({ reason: z.object({ code: z.string(), system: z.string().optional(), display: z.string().optional() }).optional(), userComment: z.string().optional() }).optional(),
        outcomeTimestamp: z.string(),
      }),
    )
    .min(1),
});

export interface CdsHooksOptions {
  db: Queryable;
  store: ResourceStore;
  audit: AuditLog;
  searchParameters: SearchParameterRegistry;
  baseUrl: string;
  tokenKeys: TokenKeys;
  sessions: SeenSessions;
}

function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const name = issue.path.join('.') || 'body';
  throw errorAt('LNG_BAD_REQUEST', `${name}: ${issue.message}`, name);
}

function resourcesOfBundle(value: unknown): Resource[] {
  const bundle = value as Bundle | null | undefined;
  return bundle?.resourceType === 'Bundle' ? (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])) : [];
}

/** The person's lab record: the prefetched Patient and labs when sent, else read from the record. */
async function labRecord(options: CdsHooksOptions, ctx: AccessContext, patientId: string, prefetch: Record<string, unknown> | undefined): Promise<PersonRecord> {
  if (prefetch?.labs) {
    const patient = prefetch.patient as Patient | undefined;
    return personRecordOf(patientId, [patientId], [...(patient ? [patient] : []), ...resourcesOfBundle(prefetch.labs)]);
  }
  return loadPersonRecord(options, ctx, patientId, [patientId]);
}

export async function cdsHooksPlugin(app: FastifyInstance, options: CdsHooksOptions): Promise<void> {
  requireBearerToken(app, { tokenKeys: options.tokenKeys, audit: options.audit, sessions: options.sessions, publicPaths: ['/cds-services'] });
  const signals = new SignalService(options);

  app.get('/cds-services', async () => ({ services: cdsServices }));

  app.post<{ Params: { id: string } }>('/cds-services/:id', async (request) => {
    const service = cdsServices.find((s) => s.id === request.params.id);
    if (!service) throw new LongitudeError('LNG_NOT_FOUND', `no CDS service ${request.params.id}`);
    const body = parse(requestSchema, request.body);
    if (body.hook !== service.hook) throw errorAt('LNG_BAD_REQUEST', `service ${service.id} answers ${service.hook}, not ${body.hook}`, 'hook');
    const ctx = accessContextOf(request);
    const patientId = body.context.patientId;
    if (service.id === cdsServiceIds.patientView) {
      // A prefetched Patient must be the one in context; the signals themselves are always read from the store.
      const patient = body.prefetch?.patient as Patient | undefined;
      if (patient && patient.id !== patientId) throw errorAt('LNG_BAD_REQUEST', 'prefetch.patient is not context.patientId', 'prefetch.patient');
      const open = await signals.list(ctx, { patient: patientId, status: ['open', 'acknowledged'] });
      return { cards: cardsForSignals(open, options.baseUrl) };
    }
    const orders = draftLabOrders(body.context.draftOrders as Bundle | undefined);
    if (orders.length === 0) return { cards: [] };
    const record = await labRecord(options, ctx, patientId, body.prefetch ?? undefined);
    return { cards: duplicateOrderCards(orders, record, new Date()) };
  });

  app.post<{ Params: { id: string } }>('/cds-services/:id/feedback', async (request, reply) => {
    const service = cdsServices.find((s) => s.id === request.params.id);
    if (!service) throw new LongitudeError('LNG_NOT_FOUND', `no CDS service ${request.params.id}`);
    const body = parse(feedbackSchema, request.body);
    const ctx = accessContextOf(request);
    for (const item of body.feedback) {
      const reason = item.overrideReason?.reason?.code ? ` (${item.overrideReason.reason.code})` : '';
      await options.audit.record({
        ctx,
        interaction: 'operation',
        outcome: 'success',
        description: `CDS Hooks feedback on ${service.id}: card ${item.card} ${item.outcome}${reason}`,
        entity: { resourceType: 'DetectedIssue', ...(item.card.startsWith('sig-') ? { reference: `DetectedIssue/${item.card}` } : {}) },
      });
      // Accepting a signal's card acknowledges the signal (someone is acting on it).
      if (item.outcome === 'accepted' && item.card.startsWith('sig-')) {
        const signal = await signals.get(ctx, item.card);
        if (signal.lifecycle.status === 'open') await signals.transition(ctx, item.card, 'acknowledge', 'accepted in CDS Hooks');
      }
    }
    return reply.code(200).send({});
  });
}
