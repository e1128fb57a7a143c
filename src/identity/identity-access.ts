/**
 * How identity decides and audits who may do what: by the access policy on Patient data, each
 * call audited with its who/what and, for decisions, score and reasons (field names, levels
 * and weights, never values).
 */
import { LongitudeError } from '../platform/errors.ts';
import { requireAccessContext, type AccessContext } from '../trust/access-context.ts';
import type { AuditLog } from '../trust/audit/audit-log.ts';
import type { Interaction } from '../trust/audit/audit-event.ts';
import { decide, type Action } from '../trust/policy.ts';
import type { FieldWeight } from './fellegi-sunter.ts';

export interface IdentityAccess {
  /** Refuses (audited) before anything is looked up, so a refused caller learns nothing about persons. */
  permit(ctx: AccessContext, query: string): Promise<void>;
  /** Decides with the policy on Patient data and audits the call, with the decision's who/what/score/reasons. */
  authorize(ctx: AccessContext, action: Action, interaction: Interaction, entity: { reference?: string; query?: string }, description?: string): Promise<void>;
}

export function identityAccess(audit: AuditLog): IdentityAccess {
  return {
    async permit(ctx, query) {
      requireAccessContext(ctx);
      const decision = decide(ctx, 'update', 'Patient');
      if (decision.allowed) return;
      await audit.record({ ctx, interaction: 'update', outcome: 'failure', description: `refused: ${decision.reason}`, entity: { resourceType: 'Patient', query } });
      throw new LongitudeError('LNG_FORBIDDEN', decision.reason);
    },
    async authorize(ctx, action, interaction, entity, description) {
      requireAccessContext(ctx);
      const decision = decide(ctx, action, 'Patient');
      const auditEntity = { resourceType: 'Patient', ...entity };
      if (!decision.allowed) {
        await audit.record({ ctx, interaction, outcome: 'failure', description: `refused: ${decision.reason}`, entity: auditEntity });
        throw new LongitudeError('LNG_FORBIDDEN', decision.reason);
      }
      await audit.record({ ctx, interaction, outcome: 'success', entity: auditEntity, ...(description ? { description } : {}) });
    },
  };
}

/** Per-field weights as an audit line: `familyName:exact +9.1, birthDate:exact +7.0`. */
export const describeReasons = (reasons: readonly FieldWeight[]) =>
  reasons.filter((r) => r.level !== 'missing').map((r) => `${r.comparison}:${r.level} ${r.weight >= 0 ? '+' : ''}${r.weight.toFixed(1)}`).join(', ');
