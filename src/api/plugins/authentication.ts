/**
 * Bearer-token authentication for a group of routes. A missing or bad token answers 401
 * with an OperationOutcome (and a WWW-Authenticate header, RFC 6750 section 3) and leaves a
 * failed-login audit entry with the caller's address.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LongitudeError } from '../../platform/errors.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import { verifyToken, type TokenKeys } from '../../trust/tokens.ts';

export interface AuthenticationOptions {
  tokenKeys: TokenKeys;
  audit: AuditLog;
  /** Routes under the prefix that answer without a token (e.g. FHIR `metadata`). */
  publicPaths?: readonly string[];
}

export function requireBearerToken(app: FastifyInstance, options: AuthenticationOptions): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.routeOptions.url ?? '';
    if (options.publicPaths?.some((p) => path.endsWith(p))) return;
    const source = sourceOf(request);
    const header = request.headers.authorization;
    const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    try {
      if (!token) throw new LongitudeError('LNG_UNAUTHENTICATED', header ? 'the Authorization header is not "Bearer <token>"' : 'this request needs a bearer token (Authorization: Bearer <token>)');
      request.accessContext = await verifyToken(options.tokenKeys, token, source);
    } catch (err) {
      await options.audit.record({
        interaction: 'login',
        outcome: 'failure',
        source,
        description: err instanceof LongitudeError ? err.message : 'token refused',
      });
      void reply.header('WWW-Authenticate', 'Bearer realm="longitude", error="invalid_token"');
      throw err;
    }
  });
}

export function sourceOf(request: FastifyRequest): { address?: string; userAgent?: string } {
  return {
    address: request.ip,
    ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
  };
}
