/**
 * The master person index over HTTP (under /identity): a person with its golden record, the
 * source and rule of each golden element, its linked sources and links with reasons; the review
 * queue and its decisions; manual link, unlink, merge, unmerge and not-a-match; batch relink.
 * A thin adapter over IdentityService, which decides with the policy and audits every call.
 */
import type { Patient } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { IdentityService, type IdentityServiceDeps } from '../../identity/identity-service.ts';
import { errorAt } from '../../platform/errors.ts';
import { searchPersons } from '../../identity/person-search.ts';
import { SearchService } from '../../record/search/search-service.ts';
import { buildTimeline, timelineKinds } from '../../record/timeline.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import type { TokenKeys } from '../../trust/tokens.ts';
import { accessContextOf } from '../request-context.ts';
import { requireBearerToken, type SeenSessions } from './authentication.ts';

const recordRef = z.string().regex(/^Patient\/[A-Za-z0-9\-.]{1,64}$/, 'expected Patient/<id>');
const personId = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'expected a person id');

const bodies = {
  review: z.object({ decision: z.enum(['link', 'not-a-match']) }).strict(),
  link: z.object({ record: recordRef }).strict(),
  merge: z.object({ other: personId }).strict(),
  notMatch: z.object({ recordA: recordRef, recordB: recordRef }).strict(),
  personQuery: z
    .object({
      q: z.string().max(200),
      birthdate: z.string().max(20),
      phone: z.string().max(40),
      identifier: z.string().max(100),
      limit: z.coerce.number().int().min(1).max(100),
    })
    .partial()
    .strict(),
  timelineQuery: z.object({ kind: z.enum(timelineKinds), source: z.string().max(200) }).partial().strict(),
  reviewQuery: z.object({ limit: z.coerce.number().int().min(1).max(500), after: z.coerce.number().int().min(0) }).partial().strict(),
};

function parse<T>(schema: z.ZodType<T>, raw: unknown, where: string): T {
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String((issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path[0]) ?? where);
    throw errorAt('LNG_BAD_REQUEST', `${name}: ${issue.message}`, name);
  }
  return parsed.data;
}

interface MatchParameters {
  resourceType?: string;
  parameter?: { name?: string; resource?: { resourceType?: string }; valueInteger?: number; valueBoolean?: boolean }[];
}

function parseMatchParameters(body: unknown): { resource: Patient; count?: number; onlyCertainMatches?: boolean } {
  const params = (body ?? {}) as MatchParameters;
  if (params.resourceType !== 'Parameters') throw errorAt('LNG_BAD_REQUEST', '$match takes a Parameters resource', 'resourceType');
  const find = (name: string) => params.parameter?.find((p) => p.name === name);
  const resource = find('resource')?.resource;
  if (resource?.resourceType !== 'Patient') throw errorAt('LNG_BAD_REQUEST', '$match needs a resource parameter holding a Patient', 'Parameters.parameter');
  const count = find('count')?.valueInteger;
  const only = find('onlyCertainMatches')?.valueBoolean;
  return { resource: resource as Patient, ...(count ? { count } : {}), ...(only ? { onlyCertainMatches: only } : {}) };
}

const idParam = (raw: string) => parse(personId, raw, 'id');

export async function identityPlugin(
  app: FastifyInstance,
  options: IdentityServiceDeps & { audit: AuditLog; tokenKeys: TokenKeys; sessions: SeenSessions },
): Promise<void> {
  requireBearerToken(app, { tokenKeys: options.tokenKeys, audit: options.audit, sessions: options.sessions });
  const identity = new IdentityService(options);
  const search = new SearchService({ db: options.db, audit: options.audit, parameters: options.searchParameters });

  // Find a person by name (typo-tolerant), birth date, phone or any silo's identifier.
  app.get('/persons', async (request) => {
    const q = parse(bodies.personQuery, request.query, 'query');
    return { persons: await searchPersons({ db: options.db, search }, accessContextOf(request), q) };
  });

  // One timeline across the person's source records, each item with the system it came from.
  app.get<{ Params: { id: string } }>('/persons/:id/timeline', async (request) => {
    const filter = parse(bodies.timelineQuery, request.query, 'query');
    const ctx = accessContextOf(request);
    const view = await identity.getPerson(ctx, idParam(request.params.id));
    const ids = view.sources.map((s) => s.reference.slice('Patient/'.length));
    return buildTimeline({ db: options.db, store: options.store, audit: options.audit }, ctx, ids, filter);
  });

  app.get<{ Params: { id: string } }>('/persons/:id', async (request) => identity.getPerson(accessContextOf(request), idParam(request.params.id)));

  app.get('/review', async (request) => {
    const q = parse(bodies.reviewQuery, request.query, 'query');
    const items = await identity.reviewQueue(accessContextOf(request), { ...(q.limit ? { limit: q.limit } : {}), ...(q.after ? { afterId: q.after } : {}) });
    return {
      items: items.map(({ item, a, b, personA, personB }) => ({
        ...item,
        // Side by side: the two source records as stored, and the persons they belong to now.
        a: { reference: item.recordA, person: personA, resource: a },
        b: { reference: item.recordB, person: personB, resource: b },
      })),
    };
  });

  app.post<{ Params: { id: string } }>('/review/:id', async (request) => {
    if (!/^\d{1,15}$/.test(request.params.id)) throw errorAt('LNG_BAD_REQUEST', `review item ${request.params.id} is not a number`, 'id');
    const { decision } = parse(bodies.review, request.body, 'body');
    return { decision, ...(await identity.decideReview(accessContextOf(request), Number(request.params.id), decision)) };
  });

  app.post<{ Params: { id: string } }>('/persons/:id/link', async (request) => {
    const { record } = parse(bodies.link, request.body, 'body');
    const id = idParam(request.params.id);
    await identity.linkRecord(accessContextOf(request), record, id);
    return { record, person: id };
  });

  app.post('/unlink', async (request) => {
    const { record } = parse(bodies.link, request.body, 'body');
    return { record, ...(await identity.unlinkRecord(accessContextOf(request), record)) };
  });

  app.post<{ Params: { id: string } }>('/persons/:id/merge', async (request) => {
    const { other } = parse(bodies.merge, request.body, 'body');
    const id = idParam(request.params.id);
    await identity.merge(accessContextOf(request), id, other);
    return { survivor: id, merged: other };
  });

  app.post<{ Params: { id: string } }>('/persons/:id/unmerge', async (request) => {
    const id = idParam(request.params.id);
    return { person: id, ...(await identity.unmerge(accessContextOf(request), id)) };
  });

  app.post('/not-a-match', async (request) => {
    const { recordA, recordB } = parse(bodies.notMatch, request.body, 'body');
    await identity.markNotMatch(accessContextOf(request), recordA, recordB);
    return { recordA, recordB };
  });

  // Patient/$match (http://hl7.org/fhir/R4/patient-operation-match.html): Parameters in, a searchset of golden Patients out.
  app.post('/$match', async (request, reply) => {
    const { resource, count, onlyCertainMatches } = parseMatchParameters(request.body);
    const ctx = accessContextOf(request);
    const candidates = await identity.matchPatient(ctx, resource, { ...(count ? { count } : {}), ...(onlyCertainMatches ? { onlyCertainMatches } : {}) });
    const entry = [];
    for (const c of candidates) {
      const golden = (await identity.getPerson(ctx, c.personId)).golden;
      if (!golden) continue;
      entry.push({
        resource: golden,
        search: { mode: 'match', score: c.probability, extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/match-grade', valueCode: c.grade }] },
      });
    }
    return reply.type('application/fhir+json; charset=utf-8').send({ resourceType: 'Bundle', type: 'searchset', total: entry.length, entry });
  });

  app.post('/relink', async (request) => identity.relinkAll(accessContextOf(request)));
}
