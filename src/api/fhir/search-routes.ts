/**
 * FHIR search over HTTP (http://hl7.org/fhir/R4/http.html#search): `GET /:type?...`,
 * system-level `GET /?_type=A,B&...`, and `POST /:type/_search` with a form-encoded body (the spec's way to keep parameters out of
 * URLs and logs). A thin adapter over SearchService: it reads the parameters in order with
 * repeats kept, the `Prefer: handling` header, and answers a searchset Bundle.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../../platform/db/db.ts';
import { buildSearchBundle, searchBundleText, SearchService, type SearchParameterRegistry } from '../../record/search/index.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import { accessContextOf } from '../request-context.ts';

export interface SearchRoutesOptions {
  db: Queryable;
  audit: AuditLog;
  /** The hub's search parameters, custom SearchParameters included. */
  parameters: SearchParameterRegistry;
  /** Base URL of the FHIR endpoint as clients see it, e.g. http://localhost:8080/fhir/R4. */
  fhirBaseUrl: string;
  bodyLimit?: number;
}

const fhirJson = 'application/fhir+json; charset=utf-8';

/** Registers the search routes on the (authenticated) FHIR plugin instance. */
export function registerSearchRoutes(app: FastifyInstance, options: SearchRoutesOptions): void {
  const service = new SearchService({ db: options.db, audit: options.audit, parameters: options.parameters });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}) },
    (_request, body, done) => done(null, body),
  );

  /** `type` undefined: a system-level search across the types named in _type. */
  const answer = async (request: FastifyRequest, reply: FastifyReply, type: string | undefined, query: [string, string][]) => {
    const ctx = accessContextOf(request);
    const searchOptions = { strict: isStrict(request.headers.prefer) };
    const result = type ? await service.search(ctx, type, query, searchOptions) : await service.searchSystem(ctx, query, searchOptions);
    const bundleOptions = { baseUrl: options.fhirBaseUrl, ...(type ? { resourceType: type } : {}), query };
    return reply.type(fhirJson).send(searchBundleText(result, bundleOptions) ?? buildSearchBundle(result, bundleOptions));
  };

  app.get('/', async (request, reply) => answer(request, reply, undefined, queryOf(request.url)));

  app.get<{ Params: { type: string } }>('/:type', async (request, reply) =>
    answer(request, reply, request.params.type, queryOf(request.url)),
  );

  // search.html#search-post: parameters from the body and the URL together.
  app.post<{ Params: { type: string }; Body: unknown }>('/:type/_search', async (request, reply) => {
    const body = typeof request.body === 'string' ? [...new URLSearchParams(request.body)] : [];
    return answer(request, reply, request.params.type, [...queryOf(request.url), ...body]);
  });
}

function queryOf(url: string): [string, string][] {
  const at = url.indexOf('?');
  return at < 0 ? [] : [...new URLSearchParams(url.slice(at + 1))];
}

/** `Prefer: handling=strict` (http://hl7.org/fhir/R4/search.html#errors); lenient otherwise. */
function isStrict(prefer: string | string[] | undefined): boolean {
  const values = Array.isArray(prefer) ? prefer : prefer ? [prefer] : [];
  return values.some((v) => v.split(/[;,]/).some((part) => part.trim().toLowerCase() === 'handling=strict'));
}
