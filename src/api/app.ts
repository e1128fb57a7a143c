/**
 * buildApp: the HTTP surface of the hub, one plugin per concern, registered in one place.
 * Separate from listen() so tests drive it with inject().
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Hub } from '../hub.ts';
import { publicBaseUrl } from '../platform/config.ts';
import { AuditQuery } from '../trust/audit/audit-query.ts';
import { fhirPlugin } from './fhir/fhir-plugin.ts';
import { goldenSourceIds } from '../identity/golden-record.ts';
import { operationOutcome, toErrorAnswer } from './operation-outcome.ts';
import { auditAdminPlugin } from './plugins/audit-admin.ts';
import { authPlugin } from './plugins/auth.ts';
import { messagesAdminPlugin } from './plugins/messages-admin.ts';
import { SeenSessions } from './plugins/authentication.ts';
import { consolePlugin } from './plugins/console.ts';
import { identityPlugin } from './plugins/identity.ts';
import { operationsPlugin } from './plugins/operations.ts';
import { signalsPlugin } from './plugins/signals.ts';
import { cdsHooksPlugin } from './plugins/cds-hooks.ts';
import { hubVersion } from '../platform/version.ts';

export type AppDeps = Pick<Hub, 'config' | 'logger' | 'db' | 'store' | 'audit' | 'tokenKeys' | 'metrics' | 'searchParameters' | 'searchIndexer' | 'integration'>;

export interface App {
  fastify: FastifyInstance;
  /** Marks the app as draining: /readyz answers 503 so load balancers stop sending work. */
  beginShutdown(): void;
}

export async function buildApp(deps: AppDeps, options: { storedTypes: readonly string[]; /** The built console (tests); web/dist by default. */ consoleDir?: string }): Promise<App> {
  let shuttingDown = false;
  const fastify = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Our onResponse hook logs each request by route pattern: URLs can carry PHI in queries.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.config.bodyLimit,
    genReqId: () => randomUUID(),
    return503OnClosing: true,
  });
  fastify.decorateRequest('accessContext', null);

  fastify.setErrorHandler(async (err, request, reply) => {
    const answer = toErrorAnswer(err, request.id);
    if (answer.unexpected) request.log.error({ err, reqId: request.id }, 'request failed');
    return reply.code(answer.status).type('application/fhir+json; charset=utf-8').send(answer.outcome);
  });
  fastify.setNotFoundHandler(async (request, reply) =>
    reply
      .code(404)
      .type('application/fhir+json; charset=utf-8')
      .send(operationOutcome([{ severity: 'error', code: 'not-found', diagnostics: `no route ${request.method} ${request.url.split('?')[0]}` }])),
  );

  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    deps.metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    request.log.info({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });

  const baseUrl = publicBaseUrl(deps.config);
  const auditQuery = new AuditQuery(deps.db, deps.audit);
  const sessions = new SeenSessions();
  await fastify.register(consolePlugin, { baseUrl, version: hubVersion, ...(options.consoleDir ? { dir: options.consoleDir } : {}) });
  await fastify.register(operationsPlugin, { db: deps.db, metrics: deps.metrics, isShuttingDown: () => shuttingDown });
  await fastify.register(authPlugin, { prefix: '/auth', demoUsers: deps.config.demoUsers, tokenKeys: deps.tokenKeys, audit: deps.audit, sessions });
  await fastify.register(auditAdminPlugin, { prefix: '/admin', db: deps.db, audit: deps.audit, tokenKeys: deps.tokenKeys, sessions });
  await fastify.register(messagesAdminPlugin, { prefix: '/admin', admin: deps.integration.admin, audit: deps.audit, tokenKeys: deps.tokenKeys, sessions });
  await fastify.register(signalsPlugin, { db: deps.db, store: deps.store, audit: deps.audit, searchParameters: deps.searchParameters, tokenKeys: deps.tokenKeys, sessions });
  await fastify.register(cdsHooksPlugin, { db: deps.db, store: deps.store, audit: deps.audit, searchParameters: deps.searchParameters, baseUrl, tokenKeys: deps.tokenKeys, sessions });
  await fastify.register(identityPlugin, { prefix: '/identity', db: deps.db, store: deps.store, audit: deps.audit, searchParameters: deps.searchParameters, tokenKeys: deps.tokenKeys, sessions });
  await fastify.register(fhirPlugin, {
    prefix: '/fhir/R4',
    linkedPatients: goldenSourceIds,
    db: deps.db,
    store: deps.store,
    auditQuery,
    audit: deps.audit,
    tokenKeys: deps.tokenKeys,
    sessions,
    fhirBaseUrl: `${baseUrl}/fhir/R4`,
    storedTypes: options.storedTypes,
    searchParameters: deps.searchParameters,
    searchIndexer: deps.searchIndexer,
    version: hubVersion,
    bodyLimit: deps.config.bodyLimit,
  });
  await fastify.ready();
  return {
    fastify,
    beginShutdown: () => {
      shuttingDown = true;
    },
  };
}
