/**
 * Console sign-in (under /auth). On a demo hub (config `demoUsers`, turned on by `npm start`'s
 * simulated organization) four demo users of four roles sign in with the password `demo` and
 * get the same signed bearer token `longitude token` prints. `/auth/me` tells the console what
 * the caller's role may do, so it can leave out pages that would only answer 403; the server
 * still decides every request (policy.ts), the console's menu is a convenience, not a guard.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LongitudeError, errorAt } from '../../platform/errors.ts';
import type { AccessContext, Role } from '../../trust/access-context.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import { actions, decide, inboundMessageType } from '../../trust/policy.ts';
import { issueToken, type TokenKeys } from '../../trust/tokens.ts';
import { accessContextOf } from '../request-context.ts';
import { requireBearerToken, sourceOf, type SeenSessions } from './authentication.ts';

export interface DemoUser {
  username: string;
  role: Role;
  name: string;
}

/** Synthetic staff of the simulated organization; one per role the console serves. */
export const demoUsers: readonly DemoUser[] = [
  { username: 'care.manager', role: 'care-manager', name: 'Casey Morgan (care manager)' },
  { username: 'service.agent', role: 'service-agent', name: 'Sam Ortiz (service agent)' },
  { username: 'admin', role: 'admin', name: 'Alex Kim (administrator)' },
  { username: 'auditor', role: 'auditor', name: 'Robin Lee (auditor)' },
];

const demoPassword = Buffer.from('demo');
/** A console session lasts a working day. */
const sessionSeconds = 8 * 3600;

const loginBody = z.object({ username: z.string().min(1).max(100), password: z.string().max(200) }).strict();

/** Resource types the console shows, for `/auth/me` permissions. */
const consoleTypes = ['Patient', 'Coverage', 'Communication', 'Encounter', 'Observation', 'Condition', 'MedicationRequest', 'Immunization', 'Procedure', 'Claim', 'ExplanationOfBenefit', 'DetectedIssue', 'AuditEvent', inboundMessageType] as const;

/** Console pages and the permission each needs; the same decision the API makes behind the page. */
const pageNeeds: Record<string, (ctx: AccessContext) => boolean> = {
  search: (ctx) => decide(ctx, 'search', 'Patient').allowed,
  person: (ctx) => decide(ctx, 'read', 'Patient').allowed,
  'work-queue': (ctx) => decide(ctx, 'search', 'DetectedIssue').allowed,
  // Identity decisions change which record is whose: they need update on Patient (identity-service.ts).
  'identity-review': (ctx) => decide(ctx, 'update', 'Patient').allowed,
  interfaces: (ctx) => decide(ctx, 'search', inboundMessageType).allowed,
  quality: (ctx) => decide(ctx, 'search', inboundMessageType).allowed,
  audit: (ctx) => decide(ctx, 'search', 'AuditEvent').allowed,
};

export function permissionsOf(ctx: AccessContext): { permissions: Record<string, string[]>; pages: string[] } {
  const permissions: Record<string, string[]> = {};
  for (const type of consoleTypes) permissions[type] = actions.filter((a) => decide(ctx, a, type).allowed);
  return { permissions, pages: Object.entries(pageNeeds).filter(([, may]) => may(ctx)).map(([page]) => page) };
}

function samePassword(given: string): boolean {
  const bytes = Buffer.from(given);
  return bytes.length === demoPassword.length && timingSafeEqual(bytes, demoPassword);
}

export async function authPlugin(app: FastifyInstance, options: { demoUsers: boolean; tokenKeys: TokenKeys; audit: AuditLog; sessions: SeenSessions }): Promise<void> {
  const users = options.demoUsers ? demoUsers : [];

  app.get('/demo-users', async () => {
    if (users.length === 0) throw new LongitudeError('LNG_NOT_FOUND', 'this hub has no demo users (they come with the simulated organization of `npm start`)');
    return { users };
  });

  app.post('/login', async (request) => {
    const parsed = loginBody.safeParse(request.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const name = String((issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path[0]) ?? 'body');
      throw errorAt('LNG_BAD_REQUEST', `${name}: ${issue.message}`, name);
    }
    const user = users.find((u) => u.username === parsed.data.username);
    if (!user || !samePassword(parsed.data.password)) {
      await options.audit.record({ interaction: 'login', outcome: 'failure', source: sourceOf(request), description: `console sign-in refused for ${parsed.data.username.slice(0, 100)}` });
      throw new LongitudeError('LNG_UNAUTHENTICATED', 'unknown user or wrong password');
    }
    const token = await issueToken(options.tokenKeys, { role: user.role, subject: `demo:${user.username}`, ttlSeconds: sessionSeconds });
    return { token, username: user.username, role: user.role, name: user.name, expiresAt: new Date(Date.now() + sessionSeconds * 1000).toISOString() };
  });

  await app.register(async (me) => {
    requireBearerToken(me, { tokenKeys: options.tokenKeys, audit: options.audit, sessions: options.sessions });
    me.get('/me', async (request) => {
      const ctx = accessContextOf(request);
      const user = demoUsers.find((u) => `demo:${u.username}` === ctx.actor.id);
      return { username: user?.username ?? ctx.actor.id, role: ctx.role, name: user?.name ?? ctx.actor.id, ...permissionsOf(ctx) };
    });
  });
}
