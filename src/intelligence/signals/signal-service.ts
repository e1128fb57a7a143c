/**
 * The signals as staff see them: list (by person, kind, status; highest priority and earliest
 * due first), get one, and the lifecycle transitions. Every call goes through the store or
 * FHIR search with the caller's access context, so the policy decides and the audit records.
 */
import type { DetectedIssue } from '@medplum/fhirtypes';
import type { Queryable } from '../../platform/db/db.ts';
import { LongitudeError } from '../../platform/errors.ts';
import type { ResourceStore } from '../../record/resource-store.ts';
import { SearchService, type SearchParameterRegistry } from '../../record/search/index.ts';
import type { AccessContext } from '../../trust/access-context.ts';
import type { AuditLog } from '../../trust/audit/audit-log.ts';
import { fromDetectedIssue, SIGNAL_IDENTIFIER_SYSTEM, SIGNAL_KIND_SYSTEM, SIGNAL_STATUS_TAG } from './detected-issue.ts';
import { assignSignal, transitionSignal, type SignalAction } from './signal-lifecycle.ts';
import { compareSignals, type LifecycleStatus, type Signal, type SignalKindId } from './signal.ts';

export interface SignalFilter {
  /** A source Patient id (today the person id). */
  patient?: string;
  kind?: SignalKindId;
  status?: LifecycleStatus[];
  /** Only those assigned to this actor (`user:<id>`). */
  assignee?: string;
  /** At most this many (default 200, at most 1000). */
  limit?: number;
}

export class SignalService {
  private readonly search: SearchService;

  constructor(private readonly deps: { db: Queryable; store: ResourceStore; audit: AuditLog; searchParameters: SearchParameterRegistry }) {
    this.search = new SearchService({ db: deps.db, audit: deps.audit, parameters: deps.searchParameters });
  }

  async list(ctx: AccessContext, filter: SignalFilter = {}): Promise<Signal[]> {
    const limit = Math.min(filter.limit ?? 200, 1000);
    const query: [string, string][] = [
      ['identifier', `${SIGNAL_IDENTIFIER_SYSTEM}|`],
      ...(filter.patient ? ([['patient', `Patient/${filter.patient}`]] as [string, string][]) : []),
      ...(filter.kind ? ([['code', `${SIGNAL_KIND_SYSTEM}|${filter.kind}`]] as [string, string][]) : []),
      ...(filter.status?.length ? ([['_tag', filter.status.map((s) => `${SIGNAL_STATUS_TAG}|${s}`).join(',')]] as [string, string][]) : []),
      ['_count', '1000'],
    ];
    const signals: Signal[] = [];
    let cursor: string | undefined;
    // Sorting is by priority and due date, which FHIR search cannot express: collect, then sort.
    do {
      const page = await this.search.search(ctx, 'DetectedIssue', cursor ? [...query, ['_cursor', cursor]] : query);
      signals.push(...(page.resources as DetectedIssue[]).map(fromDetectedIssue));
      cursor = page.next;
    } while (cursor && signals.length < 10_000);
    const wanted = filter.assignee ? signals.filter((sig) => sig.lifecycle.assignee === filter.assignee) : signals;
    return wanted.sort(compareSignals).slice(0, limit);
  }

  async get(ctx: AccessContext, id: string): Promise<Signal> {
    return fromDetectedIssue(await this.readSignalIssue(ctx, id));
  }

  /** acknowledge / resolve / dismiss, as the context's actor. */
  async transition(ctx: AccessContext, id: string, action: SignalAction, reason?: string): Promise<Signal> {
    const updated = await this.deps.store.transaction(ctx, async (tx) => {
      const issue = await tx.read<DetectedIssue>('DetectedIssue', id);
      assertSignal(issue);
      const next = transitionSignal(issue, action, actorOf(ctx), new Date().toISOString(), reason);
      return (await tx.update(next)).resource;
    });
    return fromDetectedIssue(updated);
  }

  /** Assigns the signal to the context's actor. */
  async assignToMe(ctx: AccessContext, id: string): Promise<Signal> {
    const updated = await this.deps.store.transaction(ctx, async (tx) => {
      const issue = await tx.read<DetectedIssue>('DetectedIssue', id);
      assertSignal(issue);
      return (await tx.update(assignSignal(issue, actorOf(ctx), new Date().toISOString()))).resource;
    });
    return fromDetectedIssue(updated);
  }

  private async readSignalIssue(ctx: AccessContext, id: string): Promise<DetectedIssue> {
    const issue = await this.deps.store.read<DetectedIssue>(ctx, 'DetectedIssue', id);
    assertSignal(issue);
    return issue;
  }
}

/** How an actor is named in a signal's lifecycle (`user:casey`, `system:signals`). */
export function actorOf(ctx: AccessContext): string {
  return `${ctx.actor.type}:${ctx.actor.id}`;
}

function assertSignal(issue: DetectedIssue): void {
  if (!issue.identifier?.some((i) => i.system === SIGNAL_IDENTIFIER_SYSTEM)) {
    throw new LongitudeError('LNG_NOT_FOUND', `DetectedIssue/${issue.id} is not a signal`);
  }
}
