/**
 * The versioned FHIR R4 resource store. Every call takes an access context, is decided by
 * the access policy and leaves an audit entry; a write, its outbox event and its audit entry
 * commit in one transaction. Resources are validated against their StructureDefinition
 * before they are stored; `meta.versionId` and `meta.lastUpdated` belong to the store.
 *
 * Semantics follow the FHIR RESTful API (http://hl7.org/fhir/R4/http.html): update of an
 * unknown id creates it (update-as-create), update honours If-Match (version-aware
 * updates), delete leaves a tombstone version and keeps history, reads of a deleted resource
 * answer "gone". Several writes commit together through `transaction` (StoreTransaction).
 */
import type { Resource } from '@medplum/fhirtypes';
import { resourceTypes } from '../fhir/index.ts';
import type { Db } from '../platform/db/db.ts';
import { LongitudeError } from '../platform/errors.ts';
import { requireAccessContext, type AccessContext } from '../trust/access-context.ts';
import type { AuditEntry, Interaction } from '../trust/audit/audit-event.ts';
import type { AuditLog } from '../trust/audit/audit-log.ts';
import { decide, isScopedToOwnRecord } from '../trust/policy.ts';
import { RecordGuard } from './record-guard.ts';
import { selectCurrent, selectHistory, selectHistoryOfTypes, selectVersion, type HistoryPosition, type ResourceRow } from './resource-rows.ts';
import { StoreTransaction, type SearchIndexer, type WriteResult } from './store-transaction.ts';

export type { HistoryPosition, ResourceRow } from './resource-rows.ts';
export { resourceTopics, StoreTransaction, type IndexedVersion, type SearchIndexer, type WriteResult } from './store-transaction.ts';

export interface ResourceStoreDeps {
  db: Db;
  audit: AuditLog;
  /** Called after each committed write with the versions written, in all and per type (wakes the outbox dispatcher). */
  onCommit?: (written: number, byType: ReadonlyMap<string, number>) => void;
  /** Keeps search indexes in step with each written version, inside the writing transaction. */
  searchIndex?: SearchIndexer;
}

export interface HistoryEntry {
  resourceType: string;
  id: string;
  versionId: string;
  lastUpdated: string;
  deleted: boolean;
  resource?: Resource;
}

export class ResourceStore {
  private readonly guard: RecordGuard;
  private readonly knownTypes = resourceTypes();

  constructor(private readonly deps: ResourceStoreDeps) {
    this.guard = new RecordGuard(deps.audit, this.knownTypes);
  }

  /**
   * Runs work in one database transaction: all of it commits, with its outbox events and
   * audit entries, or none of it does.
   */
  async transaction<T>(ctx: AccessContext, work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    requireAccessContext(ctx);
    let unit: StoreTransaction | undefined;
    try {
      const result = await this.deps.db.transaction(async (tx) => {
        unit = new StoreTransaction(tx, ctx, {
          guard: this.guard,
          audit: this.deps.audit,
          ...(this.deps.searchIndex ? { searchIndex: this.deps.searchIndex } : {}),
        });
        const value = await work(unit);
        await unit.finish();
        return value;
      });
      if (unit && unit.written > 0) this.deps.onCommit?.(unit.written, unit.writtenByType());
      return result;
    } finally {
      for (const refusal of unit?.refusals ?? []) await this.deps.audit.record(refusal);
    }
  }

  /** Creates a resource with a new server-assigned id. */
  create<T extends Resource>(ctx: AccessContext, resource: T): Promise<WriteResult<T>> {
    return this.transaction(ctx, (tx) => tx.create(resource));
  }

  /**
   * Updates (or, for an unknown id, creates) a resource. With `ifMatch`, the update applies
   * only while the current version is that one; otherwise LNG_VERSION_CONFLICT.
   */
  update<T extends Resource>(ctx: AccessContext, resource: T, options: { ifMatch?: string } = {}): Promise<WriteResult<T>> {
    return this.transaction(ctx, (tx) => tx.update(resource, options));
  }

  /** Deletes a resource: a tombstone version is written; earlier versions stay readable by vread. */
  async delete(ctx: AccessContext, resourceType: string, id: string): Promise<void> {
    await this.transaction(ctx, (tx) => tx.delete(resourceType, id));
  }

  /** Reads the current version; LNG_NOT_FOUND or LNG_GONE (deleted). */
  async read<T extends Resource = Resource>(ctx: AccessContext, resourceType: string, id: string): Promise<T> {
    this.guard.begin(ctx, resourceType);
    const row = await selectCurrent(this.deps.db, resourceType, id);
    return this.answerRead<T>(ctx, 'read', row, `${resourceType}/${id}`);
  }

  /** Reads one version (`vread`). */
  async vread<T extends Resource = Resource>(
    ctx: AccessContext,
    resourceType: string,
    id: string,
    versionId: string,
  ): Promise<T> {
    this.guard.begin(ctx, resourceType);
    const version = Number(versionId);
    const row = Number.isSafeInteger(version) && version > 0 ? await selectVersion(this.deps.db, resourceType, id, version) : undefined;
    return this.answerRead<T>(ctx, 'vread', row, `${resourceType}/${id}/_history/${versionId}`);
  }

  /** Every version of one resource, newest first (tombstones included). */
  async history(
    ctx: AccessContext,
    resourceType: string,
    id: string,
    options: { since?: Date; count?: number } = {},
  ): Promise<HistoryEntry[]> {
    this.guard.begin(ctx, resourceType);
    const rows = await selectHistory(this.deps.db, resourceType, id, { count: options.count ?? 100, ...options });
    const reference = `${resourceType}/${id}`;
    const latest = rows.find((r) => r.content)?.content ?? undefined;
    await this.guard.authorize(ctx, { action: 'history', interaction: 'history', resourceType, resource: latest, reference });
    if (rows.length === 0) {
      await this.auditRead(ctx, 'history', 'failure', reference, 'not found');
      throw notFound(resourceType, id);
    }
    await this.auditRead(ctx, 'history', 'success', reference);
    return rows.map(toHistoryEntry);
  }

  /**
   * Type-level (`resourceType` given) or system-level history, newest first
   * (http://hl7.org/fhir/R4/http.html#history). System-level history covers only the types the
   * caller may read the history of; a grant limited to one's own record (a member) does not
   * reach type or system history.
   */
  async historyOfTypes(
    ctx: AccessContext,
    resourceType: string | undefined,
    options: { since?: Date; count: number; position?: HistoryPosition },
  ): Promise<{ entries: HistoryEntry[]; next?: HistoryPosition }> {
    requireAccessContext(ctx);
    if (resourceType !== undefined) this.guard.begin(ctx, resourceType);
    const candidates = resourceType ? [resourceType] : [...this.knownTypes].filter((t) => t !== 'AuditEvent');
    const types = candidates.filter((t) => !isScopedToOwnRecord(ctx, 'history', t) && decide(ctx, 'history', t).allowed);
    const query = `${options.since ? `_since=${options.since.toISOString()}&` : ''}_count=${options.count}`;
    if (types.length === 0) {
      const reason = `role ${ctx.role} may not read the history of ${resourceType ?? 'the record'}`;
      await this.deps.audit.record({ ctx, interaction: 'history', outcome: 'failure', description: `refused: ${reason}`, entity: { resourceType: resourceType ?? 'system', query } });
      throw new LongitudeError('LNG_FORBIDDEN', reason);
    }
    const rows = await selectHistoryOfTypes(this.deps.db, { ...options, types, count: options.count + 1 });
    await this.deps.audit.record({ ctx, interaction: 'history', outcome: 'success', entity: { resourceType: resourceType ?? 'system', query } });
    const page = rows.slice(0, options.count);
    const last = page.at(-1);
    return {
      entries: page.map(toHistoryEntry),
      ...(rows.length > options.count && last
        ? { next: { lastUpdated: last.lastUpdated.toISOString(), resourceType: last.resourceType, id: last.id, versionId: last.versionId } }
        : {}),
    };
  }

  private async answerRead<T extends Resource>(
    ctx: AccessContext,
    interaction: 'read' | 'vread',
    row: ResourceRow | undefined,
    reference: string,
  ): Promise<T> {
    const resourceType = reference.split('/')[0]!;
    await this.guard.authorize(ctx, { action: 'read', interaction, resourceType, resource: row?.content ?? undefined, reference });
    if (!row) {
      await this.auditRead(ctx, interaction, 'failure', reference, 'not found');
      throw new LongitudeError('LNG_NOT_FOUND', `${reference} is not known`);
    }
    if (row.deleted || !row.content) {
      await this.auditRead(ctx, interaction, 'failure', reference, 'deleted');
      throw new LongitudeError('LNG_GONE', `${reference} was deleted`);
    }
    await this.auditRead(ctx, interaction, 'success', `${row.resourceType}/${row.id}/_history/${row.versionId}`);
    return row.content as T;
  }

  private auditRead(
    ctx: AccessContext,
    interaction: Interaction,
    outcome: AuditEntry['outcome'],
    reference: string,
    description?: string,
  ): Promise<void> {
    return this.deps.audit.record({
      ctx,
      interaction,
      outcome,
      ...(description ? { description } : {}),
      entity: { reference, resourceType: reference.split('/')[0]! },
    });
  }
}

function toHistoryEntry(r: ResourceRow): HistoryEntry {
  return {
    resourceType: r.resourceType,
    id: r.id,
    versionId: String(r.versionId),
    lastUpdated: r.lastUpdated.toISOString(),
    deleted: r.deleted,
    ...(r.content ? { resource: r.content } : {}),
  };
}

function notFound(resourceType: string, id: string): LongitudeError {
  return new LongitudeError('LNG_NOT_FOUND', `${resourceType}/${id} is not known`);
}
