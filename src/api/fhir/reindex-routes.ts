/**
 * `$reindex` over HTTP, at the three levels of an operation (http://hl7.org/fhir/R4/operations.html):
 * `POST /$reindex` (every stored type, or those named by `_type` in the URL or `type`
 * parameters in a Parameters body), `POST /:type/$reindex` and `POST /:type/:id/$reindex`.
 * A thin adapter over record/reindex.ts, which decides, audits and does the work; it answers
 * a Parameters resource with the number of resources reindexed, in all and per type.
 */
import type { Parameters } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../platform/db/db.ts';
import { errorAt } from '../../platform/errors.ts';
import { reindexRecord, type ReindexResult, type ReindexScope } from '../../record/reindex.ts';
import type { FhirSearchIndexer } from '../../record/search/index.ts';
import type { AccessContext } from '../../trust/access-context.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import { accessContextOf } from '../request-context.ts';

export interface ReindexRoutesOptions {
  db: Db;
  audit: AuditLog;
  indexer: FhirSearchIndexer;
}

const fhirJson = 'application/fhir+json; charset=utf-8';

/** Registers the $reindex routes on the (authenticated) FHIR plugin instance. */
export function registerReindexRoutes(app: FastifyInstance, options: ReindexRoutesOptions): void {
  const run = (ctx: AccessContext, scope: ReindexScope) => reindexRecord(options, ctx, scope);

  app.post<{ Querystring: { _type?: string | string[] }; Body: unknown }>('/$reindex', async (request, reply) => {
    const ctx = accessContextOf(request);
    const types = [...typesOfQuery(request.query._type), ...typesOfBody(request.body)];
    const result = await run(ctx, types.length > 0 ? { types } : {});
    return reply.type(fhirJson).send(reindexParameters(result));
  });

  app.post<{ Params: { type: string } }>('/:type/$reindex', async (request, reply) => {
    const result = await run(accessContextOf(request), { types: [request.params.type] });
    return reply.type(fhirJson).send(reindexParameters(result));
  });

  app.post<{ Params: { type: string; id: string } }>('/:type/:id/$reindex', async (request, reply) => {
    const result = await run(accessContextOf(request), { types: [request.params.type], id: request.params.id });
    return reply.type(fhirJson).send(reindexParameters(result));
  });
}

function typesOfQuery(value: string | string[] | undefined): string[] {
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return values.flatMap((v) => v.split(',')).map((t) => t.trim()).filter((t) => t !== '');
}

/** `type` parameters of a Parameters body (valueCode or valueString); no body names none. */
function typesOfBody(body: unknown): string[] {
  if (body === undefined || body === null || body === '') return [];
  const parameters = body as Parameters;
  if (parameters.resourceType !== 'Parameters') {
    throw errorAt('LNG_BAD_REQUEST', '$reindex takes a Parameters resource (or no body)', 'resourceType');
  }
  return (parameters.parameter ?? [])
    .filter((p) => p.name === 'type')
    .map((p) => {
      const type = p.valueCode ?? p.valueString;
      if (!type) throw errorAt('LNG_BAD_REQUEST', 'a type parameter needs a valueCode', 'Parameters.parameter');
      return type;
    });
}

function reindexParameters(result: ReindexResult): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'count', valueInteger: result.total },
      ...[...result.byType]
        .filter(([, count]) => count > 0 || result.byType.size === 1)
        .map(([type, count]) => ({ name: 'type', part: [{ name: 'type', valueCode: type }, { name: 'count', valueInteger: count }] })),
    ],
  };
}
