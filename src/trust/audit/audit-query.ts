/**
 * Reading the audit trail, for auditors and administrators. Reading it is itself an access
 * decided by the policy and audited.
 */
import type { AuditEvent } from '@medplum/fhirtypes';
import type { Queryable } from '../../platform/db/db.ts';
import { LongitudeError } from '../../platform/errors.ts';
import { requireAccessContext, type AccessContext } from '../access-context.ts';
import { decide } from '../policy.ts';
import type { AuditLog } from './audit-log.ts';

export interface AuditSearch {
  count: number;
  /** Only events recorded at or after this time. */
  since?: Date;
  /** Only events with a sequence number below this (paging backwards). */
  beforeSeq?: number;
}

export class AuditQuery {
  constructor(
    private readonly db: Queryable,
    private readonly audit: AuditLog,
  ) {}

  /** Newest first. */
  async search(ctx: AccessContext, search: AuditSearch): Promise<AuditEvent[]> {
    await this.authorize(ctx, 'search', 'AuditEvent');
    const { rows } = await this.db.query<{ event: AuditEvent }>(
      `select event from audit_event
        where ($1::timestamptz is null or recorded >= $1) and ($2::bigint is null or seq < $2)
        order by seq desc limit $3`,
      [search.since?.toISOString() ?? null, search.beforeSeq ?? null, search.count],
    );
    await this.audit.record({ ctx, interaction: 'search', outcome: 'success', entity: { resourceType: 'AuditEvent', query: `_count=${search.count}` } });
    return rows.map((r) => r.event);
  }

  async read(ctx: AccessContext, id: string): Promise<AuditEvent> {
    await this.authorize(ctx, 'read', `AuditEvent/${id}`);
    const seq = Number(id);
    const { rows } = Number.isSafeInteger(seq)
      ? await this.db.query<{ event: AuditEvent }>('select event from audit_event where seq = $1', [seq])
      : { rows: [] };
    await this.audit.record({ ctx, interaction: 'read', outcome: rows[0] ? 'success' : 'failure', entity: { reference: `AuditEvent/${id}`, resourceType: 'AuditEvent' } });
    if (!rows[0]) throw new LongitudeError('LNG_NOT_FOUND', `AuditEvent/${id} is not known`);
    return rows[0].event;
  }

  private async authorize(ctx: AccessContext, action: 'read' | 'search', reference: string): Promise<void> {
    requireAccessContext(ctx);
    const decision = decide(ctx, action, 'AuditEvent');
    if (decision.allowed) return;
    await this.audit.record({ ctx, interaction: action, outcome: 'failure', description: `refused: ${decision.reason}`, entity: { reference, resourceType: 'AuditEvent' } });
    throw new LongitudeError('LNG_FORBIDDEN', decision.reason);
  }
}
