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
  /** Shared by every route group of one app, so a session logs in once. */
  sessions: SeenSessions;
  /** Routes under the prefix that answer without a token (e.g. FHIR `metadata`). */
  publicPaths?: readonly string[];
}

/**
 * Token ids already seen by this process. The first request with a token is its login: it is
 * audited as one (a token is issued offline by `longitude token`, so first use is the moment
 * the hub learns of the session). Bounded: the oldest ids are forgotten first, and a
 * forgotten token's next use is audited as a login again, which errs on the side of more
 * audit, not less.
 */
export class SeenSessions {
  private readonly ids = new Set<string>();
  constructor(private readonly max = 10_000) {}
  /** True the first time an id is seen. */
  firstSight(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value!);
    return true;
  }
}

export function requireBearerToken(app: FastifyInstance, options: AuthenticationOptions): void {
  const { sessions } = options;
  app.addHook('onRequest', async (request, reply) => {
    const path = request.routeOptions.url ?? '';
    if (options.publicPaths?.some((p) => path.endsWith(p))) return;
    const source = sourceOf(request);
    const header = request.headers.authorization;
    const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    try {
      if (!token) throw new LongitudeError('LNG_UNAUTHENTICATED', header ? 'the Authorization header is not "Bearer <token>"' : 'this request needs a bearer token (Authorization: Bearer <token>)');
      const ctx = await verifyToken(options.tokenKeys, token, source);
      request.accessContext = ctx;
      if (ctx.sessionId && sessions.firstSight(ctx.sessionId)) {
        await options.audit.record({ ctx, interaction: 'login', outcome: 'success', description: `session ${ctx.sessionId}` });
      }
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
