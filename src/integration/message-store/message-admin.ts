/**
 * What people do with the message store (the admin API and `longitude messages`): search,
 * open a message with what it produced, reprocess one or a whole query, and watch the
 * channels. Transport-free; each call is decided by the access policy and audited, like every
 * read and write of the record.
 */
import type { Queryable } from '../../platform/db/db.ts';
import { LongitudeError } from '../../platform/errors.ts';
import { requireAccessContext, type AccessContext } from '../../trust/access-context.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import type { Interaction } from '../../trust/audit/audit-event.ts';
import { decide, inboundMessageType, type Action } from '../../trust/policy.ts';
import { channelThroughput, type ThroughputBucket } from './channel-throughput.ts';
import { qualityReport, type QualityReportQuery, type SourceQualityReport } from '../quality/quality-store.ts';
import { channelStats, matchingMessageIds, searchMessages, type ChannelStats, type MessageQuery } from './message-query.ts';
import { getMessage, messageOutputs, requeueMessages, type ResourceOutput, type StoredMessage } from './message-store.ts';

export interface MessageDetail {
  message: StoredMessage;
  outputs: ResourceOutput[];
}

export class MessageAdmin {
  constructor(private readonly deps: { db: Queryable; audit: AuditLog; onRequeued?: () => void }) {}

  async search(ctx: AccessContext, query: MessageQuery): Promise<StoredMessage[]> {
    await this.authorize(ctx, 'search', 'search', { query: describeQuery(query) });
    return searchMessages(this.deps.db, query);
  }

  async get(ctx: AccessContext, id: number): Promise<MessageDetail> {
    const reference = `${inboundMessageType}/${id}`;
    await this.authorize(ctx, 'read', 'read', { reference });
    const message = await getMessage(this.deps.db, id);
    if (!message) throw new LongitudeError('LNG_NOT_FOUND', `message ${id} does not exist`);
    return { message, outputs: await messageOutputs(this.deps.db, id) };
  }

  /** Puts one message back in its channel's queue. */
  async reprocess(ctx: AccessContext, id: number): Promise<void> {
    await this.authorize(ctx, 'update', 'update', { reference: `${inboundMessageType}/${id}` });
    if ((await requeueMessages(this.deps.db, [id])) === 0) throw new LongitudeError('LNG_NOT_FOUND', `message ${id} does not exist`);
    this.deps.onRequeued?.();
  }

  /** Puts every message a query matches back in the queue; returns how many. */
  async reprocessMatching(ctx: AccessContext, query: Omit<MessageQuery, 'limit' | 'before'>): Promise<number> {
    await this.authorize(ctx, 'update', 'update', { query: describeQuery(query) });
    const ids = await matchingMessageIds(this.deps.db, query);
    const count = ids.length === 0 ? 0 : await requeueMessages(this.deps.db, ids);
    if (count > 0) this.deps.onRequeued?.();
    return count;
  }

  async channels(ctx: AccessContext): Promise<ChannelStats[]> {
    await this.authorize(ctx, 'search', 'search', { query: 'channels' });
    return channelStats(this.deps.db);
  }

  /** Per minute and channel over the last `minutes`, for the monitor's chart. */
  async throughput(ctx: AccessContext, minutes: number): Promise<ThroughputBucket[]> {
    await this.authorize(ctx, 'search', 'search', { query: `throughput?minutes=${minutes}` });
    return channelThroughput(this.deps.db, minutes);
  }

  /** The data-quality report per source (aggregates only: counts and rule ids, no content). */
  async quality(ctx: AccessContext, query: QualityReportQuery = {}): Promise<SourceQualityReport[]> {
    await this.authorize(ctx, 'search', 'search', { query: 'data quality report' });
    return qualityReport(this.deps.db, query);
  }

  private async authorize(ctx: AccessContext, action: Action, interaction: Interaction, entity: { reference?: string; query?: string }): Promise<void> {
    requireAccessContext(ctx);
    const decision = decide(ctx, action, inboundMessageType);
    const auditEntity = { resourceType: inboundMessageType, ...entity };
    if (!decision.allowed) {
      await this.deps.audit.record({ ctx, interaction, outcome: 'failure', description: `refused: ${decision.reason}`, entity: auditEntity });
      throw new LongitudeError('LNG_FORBIDDEN', decision.reason);
    }
    await this.deps.audit.record({ ctx, interaction, outcome: 'success', entity: auditEntity });
  }
}

/** The query as audit text: which filters, never message content. */
function describeQuery(query: MessageQuery): string {
  return new URLSearchParams(
    Object.entries(query)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]): [string, string] => [k, v instanceof Date ? v.toISOString() : String(v)]),
  ).toString();
}
