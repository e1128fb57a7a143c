/** The access context a request acts under, set by the authentication hook. */
import type { FastifyRequest } from 'fastify';
import { LongitudeError } from '../platform/errors.ts';
import type { AccessContext } from '../trust/access-context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    accessContext: AccessContext | null;
  }
}

export function accessContextOf(request: FastifyRequest): AccessContext {
  if (!request.accessContext) throw new LongitudeError('LNG_UNAUTHENTICATED', 'this request needs a bearer token');
  return request.accessContext;
}
