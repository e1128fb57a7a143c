/**
 * FHIR R4 RESTful interactions on the record store (http://hl7.org/fhir/R4/http.html):
 * create, read, vread, update (If-Match), delete, instance history, search (search-routes.ts),
 * batch and transaction Bundles; AuditEvent read and
 * search for auditors; and the CapabilityStatement. A thin adapter: decisions, validation
 * and audit happen in the store.
 */
import type { Bundle, Patient, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../platform/db/db.ts';
import { errorAt, LongitudeError } from '../../platform/errors.ts';
import { applyJsonPatch, assertValidResource } from '../../fhir/index.ts';
import { processBundle } from '../../record/bundle-processor.ts';
import { patientEverythingJson } from '../../record/patient-everything.ts';
import { conditionalCreate, conditionalDelete, conditionalUpdate } from '../../record/conditional.ts';
import type { HistoryEntry, HistoryPosition, ResourceStore } from '../../record/resource-store.ts';
import { bundleJson, type FhirSearchIndexer, type SearchParameterLookup, type SearchParameterRegistry } from '../../record/search/index.ts';
import type { AuditQuery } from '../../trust/audit/audit-query.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import type { TokenKeys } from '../../trust/tokens.ts';
import { requireBearerToken, type SeenSessions } from '../plugins/authentication.ts';
import { accessContextOf } from '../request-context.ts';
import { operationOutcome } from '../operation-outcome.ts';
import { buildCapabilityStatement, type ServedType } from './capability-statement.ts';
import { checkAcceptable, returnPreference } from './content-negotiation.ts';
import { registerReindexRoutes } from './reindex-routes.ts';
import { registerSearchRoutes } from './search-routes.ts';

export interface FhirPluginOptions {
  db: Db;
  store: ResourceStore;
  auditQuery: AuditQuery;
  audit: AuditLog;
  tokenKeys: TokenKeys;
  sessions: SeenSessions;
  /** Base URL of the FHIR endpoint as clients see it, e.g. http://localhost:8080/fhir/R4. */
  fhirBaseUrl: string;
  storedTypes: readonly string[];
  /** The hub's search parameters, custom SearchParameters included. */
  searchParameters: SearchParameterRegistry;
  /** The store's indexer, for $reindex. */
  searchIndexer: FhirSearchIndexer;
  version: string;
  bodyLimit: number;
  /** For `$everything`: the Patients whose records belong to a Patient's (a golden Patient's sources). */
  linkedPatients?: (patient: Patient) => readonly string[];
}

const fhirJson = 'application/fhir+json; charset=utf-8';

interface TypeParams {
  type: string;
}
interface InstanceParams extends TypeParams {
  id: string;
}
interface VersionParams extends InstanceParams {
  vid: string;
}

export async function fhirPlugin(app: FastifyInstance, options: FhirPluginOptions): Promise<void> {
  const { store } = options;
  app.addContentTypeParser('application/fhir+json', { parseAs: 'string', bodyLimit: options.bodyLimit }, app.getDefaultJsonParser('error', 'error'));
  app.addHook('onRequest', async (request) => {
    checkAcceptable(request.headers.accept, (request.query as { _format?: string } | undefined)?._format);
  });
  app.addContentTypeParser('application/json-patch+json', { parseAs: 'string', bodyLimit: options.bodyLimit }, app.getDefaultJsonParser('error', 'error'));
  requireBearerToken(app, { tokenKeys: options.tokenKeys, audit: options.audit, sessions: options.sessions, publicPaths: ['/metadata'] });
  registerSearchRoutes(app, { db: options.db, audit: options.audit, parameters: options.searchParameters, fhirBaseUrl: options.fhirBaseUrl, bodyLimit: options.bodyLimit });
  registerReindexRoutes(app, { db: options.db, audit: options.audit, indexer: options.searchIndexer });

  const served: ServedType[] = [
    ...options.storedTypes.map((type) => ({
      type,
      interactions: ['create', 'read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type'] as const,
      search: 'indexed' as const,
      conditional: true,
      operations: [
        { name: 'validate', definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate' },
        ...(type === 'Patient' ? [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }] : []),
      ],
    })),
    { type: 'AuditEvent', interactions: ['read', 'search-type'] as const },
  ];
  // Built again only when the stored SearchParameters change (the registry hands out a new lookup).
  let capability: { parameters: SearchParameterLookup; statement: ReturnType<typeof buildCapabilityStatement> } | undefined;
  app.get('/metadata', async (_request, reply) => {
    const parameters = await options.searchParameters.current();
    if (capability?.parameters !== parameters) {
      capability = { parameters, statement: buildCapabilityStatement({ baseUrl: options.fhirBaseUrl, version: options.version, types: served, parameters }) };
    }
    return reply.type(fhirJson).send(capability.statement);
  });

  // Batch and transaction Bundles are POSTed to the base (http://hl7.org/fhir/R4/http.html#transaction).
  app.post<{ Body: unknown }>('/', async (request, reply) => {
    const returnMinimal = /return=minimal/.test(String(request.headers.prefer ?? ''));
    const response = await processBundle(store, accessContextOf(request), request.body, { baseUrl: options.fhirBaseUrl, returnMinimal });
    return reply.type(fhirJson).send(response);
  });

  app.get<{ Querystring: { _count?: string; _since?: string } }>('/AuditEvent', async (request, reply) => {
    const count = parseCount(request.query._count, 50);
    const since = request.query._since ? parseInstant(request.query._since, '_since') : undefined;
    const events = await options.auditQuery.search(accessContextOf(request), { count, ...(since ? { since } : {}) });
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: events.map((resource) => ({ fullUrl: `${options.fhirBaseUrl}/AuditEvent/${resource.id}`, resource, search: { mode: 'match' } })),
    };
    return reply.type(fhirJson).send(bundle);
  });

  app.get<{ Params: { id: string } }>('/AuditEvent/:id', async (request, reply) =>
    reply.type(fhirJson).send(await options.auditQuery.read(accessContextOf(request), request.params.id)),
  );

  app.post<{ Params: TypeParams; Body: Resource }>('/:type', async (request, reply) => {
    const body = requireResourceBody(request.body, request.params.type);
    const ifNoneExist = request.headers['if-none-exist'];
    const { resource, created } =
      typeof ifNoneExist === 'string' && ifNoneExist !== ''
        ? await store.transaction(accessContextOf(request), (tx) => conditionalCreate(tx, body, ifNoneExist))
        : await store.create(accessContextOf(request), body);
    return sendWritten(request, reply.code(created ? 201 : 200), resource, options.fhirBaseUrl, created);
  });

  app.put<{ Params: TypeParams; Body: Resource }>('/:type', async (request, reply) => {
    const body = requireResourceBody(request.body, request.params.type);
    const criteria = requireCriteria(request.url, 'a conditional update');
    const ifMatch = parseIfMatch(request.headers['if-match']);
    const { resource, created } = await store.transaction(accessContextOf(request), (tx) =>
      conditionalUpdate(tx, body, criteria, ifMatch ? { ifMatch } : {}),
    );
    return sendWritten(request, reply.code(created ? 201 : 200), resource, options.fhirBaseUrl, created);
  });

  app.get<{ Params: { id: string }; Querystring: { _since?: string; _type?: string; _count?: string; _page?: string } }>(
    '/Patient/:id/$everything',
    async (request, reply) => {
      const { _since, _type, _count, _page } = request.query;
      const count = parseCount(_count, 100);
      const since = _since ? parseInstant(_since, '_since') : undefined;
      const types = _type ? _type.split(',').filter((t) => t !== '') : undefined;
      const after = _page ? decodeEverythingPage(_page) : undefined;
      const { entries, next } = await patientEverythingJson({ db: options.db, store, audit: options.audit }, accessContextOf(request), request.params.id, {
        count,
        ...(options.linkedPatients ? { linkedPatients: options.linkedPatients } : {}),
        ...(since ? { since } : {}),
        ...(types ? { types } : {}),
        ...(after ? { after } : {}),
      });
      const self = `${options.fhirBaseUrl}/Patient/${request.params.id}/$everything`;
      const query = new URLSearchParams({ ...(_since ? { _since } : {}), ...(_type ? { _type } : {}), _count: String(count) });
      const link = [
        { relation: 'self', url: `${self}?${query}${_page ? `&_page=${_page}` : ''}` },
        ...(next ? [{ relation: 'next', url: `${self}?${query}&_page=${Buffer.from(JSON.stringify(next)).toString('base64url')}` }] : []),
      ];
      const matches = entries.map((e) => ({ fullUrl: `${options.fhirBaseUrl}/${e.resourceType}/${e.id}`, json: e.json, mode: 'match' as const }));
      return reply.type(fhirJson).send(bundleJson({ resourceType: 'Bundle', type: 'searchset', link }, matches));
    },
  );

  // $validate (http://hl7.org/fhir/R4/resource-operation-validate.html): the outcome of
  // validation, 200 whether or not the resource is valid; nothing is stored or read.
  app.post<{ Params: TypeParams; Body: unknown }>('/:type/$validate', async (request, reply) => {
    accessContextOf(request);
    const body = request.body as { resourceType?: string; parameter?: { name?: string; resource?: unknown }[] } | undefined;
    const resource = body?.resourceType === 'Parameters' ? body.parameter?.find((p) => p.name === 'resource')?.resource : body;
    try {
      assertValidResource(resource, request.params.type);
    } catch (err) {
      if (!(err instanceof LongitudeError)) throw err;
      return reply.type(fhirJson).send(operationOutcome(err.issues));
    }
    return reply.type(fhirJson).send(operationOutcome([{ severity: 'information', code: 'informational', diagnostics: 'no errors found' }]));
  });

  app.delete<{ Params: TypeParams }>('/:type', async (request, reply) => {
    const criteria = requireCriteria(request.url, 'a conditional delete');
    await store.transaction(accessContextOf(request), (tx) => conditionalDelete(tx, request.params.type, criteria));
    return reply.code(204).send();
  });

  app.get<{ Params: InstanceParams }>('/:type/:id', async (request, reply) => {
    const resource = await store.read(accessContextOf(request), request.params.type, request.params.id);
    return sendRead(request, reply, resource);
  });

  app.put<{ Params: InstanceParams; Body: Resource }>('/:type/:id', async (request, reply) => {
    const body = requireResourceBody(request.body, request.params.type);
    if (body.id !== request.params.id) {
      throw errorAt('LNG_BAD_REQUEST', `the resource id (${body.id ?? 'none'}) must equal the id in the URL (${request.params.id})`, `${body.resourceType}.id`);
    }
    const ifMatch = parseIfMatch(request.headers['if-match']);
    const { resource, created } = await store.update(accessContextOf(request), body, ifMatch ? { ifMatch } : {});
    return sendWritten(request, reply.code(created ? 201 : 200), resource, options.fhirBaseUrl, created);
  });

  // JSON Patch (http://hl7.org/fhir/R4/http.html#patch): applied to the current version in the
  // writing transaction, so the update is version-aware even without If-Match.
  app.patch<{ Params: InstanceParams; Body: unknown }>('/:type/:id', async (request, reply) => {
    const { type, id } = request.params;
    const ifMatch = parseIfMatch(request.headers['if-match']);
    const { resource } = await store.transaction(accessContextOf(request), async (tx) => {
      const current = await tx.read(type, id);
      if (ifMatch && current.meta?.versionId !== ifMatch) {
        throw new LongitudeError('LNG_VERSION_CONFLICT', `If-Match ${ifMatch}: ${type}/${id} is at version ${current.meta?.versionId}`);
      }
      const patched = applyJsonPatch(current, request.body);
      if (patched?.resourceType !== type || patched.id !== id) {
        throw new LongitudeError('LNG_UNPROCESSABLE', 'a patch may not change resourceType or id');
      }
      return tx.update(patched, { ifMatch: current.meta!.versionId! });
    });
    return sendWritten(request, reply, resource, options.fhirBaseUrl, false);
  });

  app.delete<{ Params: InstanceParams }>('/:type/:id', async (request, reply) => {
    await store.delete(accessContextOf(request), request.params.type, request.params.id);
    return reply.code(204).send();
  });

  app.get<{ Params: InstanceParams; Querystring: HistoryQuery }>('/:type/:id/_history', async (request, reply) => {
    const { type, id } = request.params;
    const since = request.query._since ? parseInstant(request.query._since, '_since') : undefined;
    const versions = await store.history(accessContextOf(request), type, id, {
      count: parseCount(request.query._count, 100),
      ...(since ? { since } : {}),
    });
    return reply.type(fhirJson).send(historyBundle(versions, options.fhirBaseUrl));
  });

  // Type- and system-level history, newest first, paged by an opaque position (keyset).
  const historyOfTypes = async (type: string | undefined, request: FastifyRequest<{ Querystring: HistoryQuery }>, reply: FastifyReply) => {
    const { _since, _count, _page } = request.query;
    const since = _since ? parseInstant(_since, '_since') : undefined;
    const count = parseCount(_count, 100);
    const position = _page ? decodePosition(_page) : undefined;
    const { entries, next } = await store.historyOfTypes(accessContextOf(request), type, { count, ...(since ? { since } : {}), ...(position ? { position } : {}) });
    const self = `${options.fhirBaseUrl}/${type ? `${type}/` : ''}_history`;
    const query = new URLSearchParams({ ...(_since ? { _since } : {}), _count: String(count) });
    const bundle = historyBundle(entries, options.fhirBaseUrl);
    bundle.link = [
      { relation: 'self', url: `${self}?${query}${_page ? `&_page=${_page}` : ''}` },
      ...(next ? [{ relation: 'next', url: `${self}?${query}&_page=${encodePosition(next)}` }] : []),
    ];
    return reply.type(fhirJson).send(bundle);
  };
  app.get<{ Params: TypeParams; Querystring: HistoryQuery }>('/:type/_history', (request, reply) => historyOfTypes(request.params.type, request, reply));
  app.get<{ Querystring: HistoryQuery }>('/_history', (request, reply) => historyOfTypes(undefined, request, reply));

  app.get<{ Params: VersionParams }>('/:type/:id/_history/:vid', async (request, reply) => {
    const { type, id, vid } = request.params;
    const resource = await store.vread(accessContextOf(request), type, id, vid);
    return sendRead(request, reply, resource);
  });
}

interface HistoryQuery {
  _count?: string;
  _since?: string;
  _page?: string;
}

/** A history Bundle (http://hl7.org/fhir/R4/http.html#history): each version with how it came to be. */
function historyBundle(versions: readonly HistoryEntry[], baseUrl: string): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'history',
    entry: versions.map((v) => ({
      fullUrl: `${baseUrl}/${v.resourceType}/${v.id}`,
      ...(v.resource ? { resource: v.resource } : {}),
      request: { method: v.deleted ? 'DELETE' : v.versionId === '1' ? 'POST' : 'PUT', url: v.versionId === '1' ? v.resourceType : `${v.resourceType}/${v.id}` },
      response: { status: v.deleted ? '204' : v.versionId === '1' ? '201' : '200', etag: `W/"${v.versionId}"`, lastModified: v.lastUpdated },
    })),
  };
}

function decodeEverythingPage(page: string): { resourceType: string; id: string } {
  try {
    const p = JSON.parse(Buffer.from(page, 'base64url').toString('utf8')) as { resourceType: string; id: string };
    if (typeof p.resourceType === 'string' && typeof p.id === 'string') return p;
  } catch {
    // fall through to the error below
  }
  throw errorAt('LNG_BAD_REQUEST', '_page is not a position this server handed out', '_page');
}

function encodePosition(position: HistoryPosition): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decodePosition(page: string): HistoryPosition {
  try {
    const p = JSON.parse(Buffer.from(page, 'base64url').toString('utf8')) as HistoryPosition;
    if (typeof p.lastUpdated === 'string' && !Number.isNaN(Date.parse(p.lastUpdated)) && typeof p.resourceType === 'string' && typeof p.id === 'string' && Number.isInteger(p.versionId)) return p;
  } catch {
    // fall through to the error below
  }
  throw errorAt('LNG_BAD_REQUEST', '_page is not a position this server handed out', '_page');
}

function versionHeaders(reply: FastifyReply, resource: Resource): FastifyReply {
  void reply.type(fhirJson).header('ETag', `W/"${resource.meta?.versionId ?? '1'}"`);
  if (resource.meta?.lastUpdated) void reply.header('Last-Modified', new Date(resource.meta.lastUpdated).toUTCString());
  return reply;
}

/**
 * A read honours If-None-Match and If-Modified-Since with 304 Not Modified
 * (http://hl7.org/fhir/R4/http.html#cread).
 */
function sendRead(request: FastifyRequest, reply: FastifyReply, resource: Resource): FastifyReply {
  versionHeaders(reply, resource);
  const etag = `W/"${resource.meta?.versionId ?? '1'}"`;
  const ifNoneMatch = request.headers['if-none-match'];
  const ifModifiedSince = Date.parse(String(request.headers['if-modified-since'] ?? ''));
  const lastModified = Math.floor(Date.parse(resource.meta?.lastUpdated ?? '') / 1000) * 1000;
  const unchanged =
    ifNoneMatch !== undefined
      ? ifNoneMatch.split(',').some((tag) => tag.trim() === etag || tag.trim() === etag.slice(2) || tag.trim() === '*')
      : !Number.isNaN(ifModifiedSince) && lastModified <= ifModifiedSince;
  return unchanged ? reply.code(304).send() : reply.send(resource);
}

/** A write answers per Prefer: return=minimal | representation (default) | OperationOutcome. */
function sendWritten(request: FastifyRequest, reply: FastifyReply, resource: Resource, baseUrl: string, withLocation: boolean): FastifyReply {
  versionHeaders(reply, resource);
  const location = `${baseUrl}/${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId ?? '1'}`;
  if (withLocation) void reply.header('Location', location);
  switch (returnPreference(String(request.headers.prefer ?? ""))) {
    case 'minimal':
      return reply.send();
    case 'OperationOutcome':
      return reply.send(operationOutcome([{ severity: 'information', code: 'informational', diagnostics: `stored ${location}` }]));
    case 'representation':
      return reply.send(resource);
  }
}

function requireResourceBody(body: unknown, type: string): Resource {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new LongitudeError('LNG_BAD_REQUEST', 'the request body must be a FHIR resource in JSON (Content-Type: application/fhir+json)');
  }
  const resourceType = (body as { resourceType?: unknown }).resourceType;
  if (resourceType !== type) {
    throw errorAt('LNG_BAD_REQUEST', `the body is a ${String(resourceType)}, the URL names ${type}`, 'resourceType');
  }
  return body as Resource;
}

/** The search criteria of a conditional interaction: the request's query string. */
function requireCriteria(url: string, what: string): string {
  const criteria = url.split('?')[1] ?? '';
  if (criteria === '') throw new LongitudeError('LNG_BAD_REQUEST', `${what} needs search criteria in the URL, e.g. ?identifier=system|value`);
  return criteria;
}

/** If-Match carries an ETag: W/"3" (http://hl7.org/fhir/R4/http.html#concurrency). */
function parseIfMatch(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^(?:W\/)?"([^"]+)"$/.exec(header.trim());
  if (!match?.[1]) throw errorAt('LNG_BAD_REQUEST', `If-Match must be an ETag such as W/"3", got ${header}`, 'If-Match');
  return match[1];
}

function parseCount(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw errorAt('LNG_BAD_REQUEST', '_count must be a whole number from 0 to 1000', '_count');
  return n;
}

function parseInstant(value: string, parameter: string): Date {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw errorAt('LNG_BAD_REQUEST', `${parameter} must be an instant such as 2026-01-31T12:00:00Z`, parameter);
  return new Date(time);
}
