/**
 * GET /admin/audit/verify: walks the audit hash chain on the hub's own connection, so an
 * auditor can check it while the hub runs (the embedded database admits one process).
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../platform/db/db.ts';
import { LongitudeError } from '../../platform/errors.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import { verifyAuditChain } from '../../trust/audit/verify.ts';
import { decide } from '../../trust/policy.ts';
import type { TokenKeys } from '../../trust/tokens.ts';
import { accessContextOf } from '../request-context.ts';
import { requireBearerToken, type SeenSessions } from './authentication.ts';

export async function auditAdminPlugin(
  app: FastifyInstance,
  options: { db: Db; audit: AuditLog; tokenKeys: TokenKeys; sessions: SeenSessions },
): Promise<void> {
  requireBearerToken(app, { tokenKeys: options.tokenKeys, audit: options.audit, sessions: options.sessions });
  app.get('/audit/verify', async (request) => {
    const ctx = accessContextOf(request);
    const decision = decide(ctx, 'export', 'AuditEvent');
    if (!decision.allowed) {
      await options.audit.record({ ctx, interaction: 'export', outcome: 'failure', description: `refused: ${decision.reason}`, entity: { resourceType: 'AuditEvent' } });
      throw new LongitudeError('LNG_FORBIDDEN', decision.reason);
    }
    await options.audit.flush();
    const result = await verifyAuditChain(options.db);
    await options.audit.record({ ctx, interaction: 'export', outcome: 'success', description: `audit chain verified: ${result.ok ? 'intact' : 'broken'}`, entity: { resourceType: 'AuditEvent' } });
    return result;
  });
}
