/**
 * The versioned FHIR R4 resource store. Every call takes an access context, is decided by
 * the access policy and leaves an audit entry; a write, its outbox event and its audit entry
 * commit in one transaction. Resources are validated against their StructureDefinition
 * before they are stored; `meta.versionId` and `meta.lastUpdated` belong to the store.
 *
 * Semantics follow the FHIR RESTful API (http://hl7.org/fhir/R4/http.html): update of an
 * unknown id creates it (update-as-create), update honours If-Match (version-aware
 * updates), delete leaves a tombstone version and keeps history, reads of a deleted resource
 * answer "gone".
 */
import { randomUUID } from 'node:crypto';
import type { Meta, Resource } from '@medplum/fhirtypes';
import { assertValidResource, resourceTypes } from '../fhir/index.ts';
import { canonicalJson } from '../platform/canonical-json.ts';
import type { Db, Queryable } from '../platform/db/db.ts';
import { LongitudeError, errorAt } from '../platform/errors.ts';
import { appendEvents, type NewEvent } from '../platform/outbox/events.ts';
import { requireAccessContext, type AccessContext } from '../trust/access-context.ts';
import type { AuditEntry, Interaction } from '../trust/audit/audit-event.ts';
import type { AuditLog } from '../trust/audit/audit-log.ts';
import { decide, type Action } from '../trust/policy.ts';
import {
  insertFirstVersion,
  selectCurrent,
  selectHistory,
  selectVersion,
  writeNextVersion,
  type ResourceRow,
} from './resource-rows.ts';

export type { ResourceRow } from './resource-rows.ts';

export interface ResourceStoreDeps {
  db: Db;
  audit: AuditLog;
  /** Called after each committed write (wakes the outbox dispatcher). */
  onCommit?: () => void;
  /** Keeps search indexes in step with each written version, inside the writing transaction. */
  searchIndex?: SearchIndexer;
}

/** Maintains the search index rows of a resource; `content` null means deleted. */
export interface SearchIndexer {
  index(tx: Queryable, row: ResourceRow): Promise<void>;
}

export interface HistoryEntry {
  resourceType: string;
  id: string;
  versionId: string;
  lastUpdated: string;
  deleted: boolean;
  resource?: Resource;
}

export interface WriteResult<T extends Resource> {
  resource: T;
  /** True when this write made a new resource (create, or update-as-create). */
  created: boolean;
  /** False when an update carried no change and no new version was written. */
  changed: boolean;
}

export const resourceTopics = {
  created: 'resource.created',
  updated: 'resource.updated',
  deleted: 'resource.deleted',
} as const;

export class ResourceStore {
  private readonly knownTypes = resourceTypes();

  constructor(private readonly deps: ResourceStoreDeps) {}

  /** Creates a resource with a new server-assigned id. */
  async create<T extends Resource>(ctx: AccessContext, resource: T): Promise<WriteResult<T>> {
    this.begin(ctx, resource?.resourceType);
    await this.authorize(ctx, 'create', 'create', resource.resourceType, resource);
    const prepared = this.prepare({ ...resource, id: randomUUID() });
    return this.write(ctx, 'create', prepared.resourceType, async (tx) => {
      const row = toRow(prepared, 1, new Date());
      await insertFirstVersion(tx, row);
      return { row, created: true, changed: true };
    });
  }

  /**
   * Updates (or, for an unknown id, creates) a resource. With `ifMatch`, the update applies
   * only while the current version is that one; otherwise LNG_VERSION_CONFLICT.
   */
  async update<T extends Resource>(ctx: AccessContext, resource: T, options: { ifMatch?: string } = {}): Promise<WriteResult<T>> {
    this.begin(ctx, resource?.resourceType);
    if (!resource.id) throw errorAt('LNG_INVALID_RESOURCE', 'an update needs the resource id', `${resource.resourceType}.id`);
    const prepared = this.prepare(resource);
    const { resourceType, id } = prepared as Resource & { id: string };
    await this.authorize(ctx, 'update', 'update', resourceType, prepared);
    return this.write(ctx, 'update', resourceType, async (tx) => {
      const current = await selectCurrent(tx, resourceType, id, { forUpdate: true });
      checkIfMatch(current, options.ifMatch, `${resourceType}/${id}`);
      if (!current) {
        const row = toRow(prepared, 1, new Date());
        if (!(await insertFirstVersion(tx, row))) {
          throw new LongitudeError('LNG_CONFLICT', `${resourceType}/${id} was created concurrently; retry the update`);
        }
        return { row, created: true, changed: true };
      }
      if (current.content && !current.deleted && sameContent(current.content, prepared)) {
        return { row: current, created: false, changed: false };
      }
      const row = toRow(prepared, current.versionId + 1, new Date());
      await writeNextVersion(tx, row);
      return { row, created: current.deleted, changed: true };
    });
  }

  /** Deletes a resource: a tombstone version is written; earlier versions stay readable by vread. */
  async delete(ctx: AccessContext, resourceType: string, id: string): Promise<void> {
    this.begin(ctx, resourceType);
    const existing = await selectCurrent(this.deps.db, resourceType, id);
    await this.authorize(ctx, 'delete', 'delete', resourceType, existing?.content ?? undefined, `${resourceType}/${id}`);
    if (!existing) throw notFound(resourceType, id);
    if (existing.deleted) return;
    await this.write(ctx, 'delete', resourceType, async (tx) => {
      const current = await selectCurrent(tx, resourceType, id, { forUpdate: true });
      if (!current) throw notFound(resourceType, id);
      const row: ResourceRow = {
        resourceType,
        id,
        versionId: current.versionId + 1,
        lastUpdated: new Date(),
        deleted: true,
        content: null,
      };
      await writeNextVersion(tx, row);
      return { row, created: false, changed: true };
    });
  }

  /** Reads the current version; LNG_NOT_FOUND or LNG_GONE (deleted). */
  async read<T extends Resource = Resource>(ctx: AccessContext, resourceType: string, id: string): Promise<T> {
    this.begin(ctx, resourceType);
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
    this.begin(ctx, resourceType);
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
    this.begin(ctx, resourceType);
    const rows = await selectHistory(this.deps.db, resourceType, id, { count: options.count ?? 100, ...options });
    const reference = `${resourceType}/${id}`;
    const latest = rows.find((r) => r.content)?.content ?? undefined;
    await this.authorize(ctx, 'history', 'history', resourceType, latest, reference);
    if (rows.length === 0) {
      await this.auditRead(ctx, 'history', 'failure', reference, 'not found');
      throw notFound(resourceType, id);
    }
    await this.auditRead(ctx, 'history', 'success', reference);
    return rows.map((r) => ({
      resourceType: r.resourceType,
      id: r.id,
      versionId: String(r.versionId),
      lastUpdated: r.lastUpdated.toISOString(),
      deleted: r.deleted,
      ...(r.content ? { resource: r.content } : {}),
    }));
  }

  private begin(ctx: AccessContext, resourceType: string | undefined): void {
    requireAccessContext(ctx);
    if (typeof resourceType !== 'string' || !this.knownTypes.has(resourceType)) {
      throw errorAt('LNG_NOT_FOUND', `unknown resource type ${String(resourceType)}`, 'resourceType');
    }
  }

  private prepare<T extends Resource>(resource: T): T {
    const { versionId: _v, lastUpdated: _l, ...meta } = resource.meta ?? ({} as Meta);
    const prepared = { ...resource, ...(Object.keys(meta).length > 0 ? { meta } : {}) } as T;
    if (Object.keys(meta).length === 0) delete prepared.meta;
    assertValidResource(prepared);
    return prepared;
  }

  /** Decides with the policy; a refusal is audited and thrown as LNG_FORBIDDEN. */
  private async authorize(
    ctx: AccessContext,
    action: Action,
    interaction: Interaction,
    resourceType: string,
    resource?: Resource,
    reference?: string,
  ): Promise<void> {
    const decision = decide(ctx, action, resourceType, resource);
    if (decision.allowed) return;
    await this.deps.audit.record({
      ctx,
      interaction,
      outcome: 'failure',
      description: `refused: ${decision.reason}`,
      entity: { reference: reference ?? resourceType, resourceType },
    });
    throw new LongitudeError('LNG_FORBIDDEN', decision.reason);
  }

  private async answerRead<T extends Resource>(
    ctx: AccessContext,
    interaction: 'read' | 'vread',
    row: ResourceRow | undefined,
    reference: string,
  ): Promise<T> {
    const resourceType = reference.split('/')[0]!;
    await this.authorize(ctx, 'read', interaction, resourceType, row?.content ?? undefined, reference);
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

  /** Runs a write with its outbox event and audit entry in one transaction. */
  private async write<T extends Resource>(
    ctx: AccessContext,
    interaction: 'create' | 'update' | 'delete',
    resourceType: string,
    body: (tx: Queryable) => Promise<{ row: ResourceRow; created: boolean; changed: boolean }>,
  ): Promise<WriteResult<T>> {
    const result = await this.deps.db.transaction(async (tx) => {
      const outcome = await body(tx);
      const { row } = outcome;
      if (outcome.changed) {
        const topic = row.deleted ? resourceTopics.deleted : outcome.created ? resourceTopics.created : resourceTopics.updated;
        const event: NewEvent = { topic, resourceType, resourceId: row.id, versionId: row.versionId };
        await this.deps.searchIndex?.index(tx, row);
        await appendEvents(tx, [event]);
      }
      await this.deps.audit.appendInTransaction(tx, [
        {
          ctx,
          interaction,
          outcome: 'success',
          ...(outcome.changed ? {} : { description: 'no change; no new version written' }),
          entity: { reference: `${resourceType}/${row.id}/_history/${row.versionId}`, resourceType },
        },
      ]);
      return outcome;
    });
    if (result.changed) this.deps.onCommit?.();
    return { resource: result.row.content as T, created: result.created, changed: result.changed };
  }
}

function toRow(resource: Resource, versionId: number, lastUpdated: Date): ResourceRow {
  const content = {
    ...resource,
    meta: { ...resource.meta, versionId: String(versionId), lastUpdated: lastUpdated.toISOString() },
  } as Resource;
  return { resourceType: resource.resourceType, id: resource.id!, versionId, lastUpdated, deleted: false, content };
}

function checkIfMatch(current: ResourceRow | undefined, ifMatch: string | undefined, reference: string): void {
  if (ifMatch === undefined) return;
  if (!current || current.deleted) {
    throw new LongitudeError('LNG_VERSION_CONFLICT', `If-Match ${ifMatch}: ${reference} has no current version`);
  }
  if (String(current.versionId) !== ifMatch) {
    throw new LongitudeError(
      'LNG_VERSION_CONFLICT',
      `If-Match ${ifMatch}: ${reference} is at version ${current.versionId}; read it again and reapply the change`,
    );
  }
}

/** Equal ignoring the store's own meta fields (a re-sent identical resource makes no new version). */
function sameContent(current: Resource, next: Resource): boolean {
  const strip = (r: Resource) => {
    const { versionId: _v, lastUpdated: _l, ...meta } = r.meta ?? {};
    return canonicalJson({ ...r, meta: Object.keys(meta).length > 0 ? meta : undefined });
  };
  return strip(current) === strip(next);
}

function notFound(resourceType: string, id: string): LongitudeError {
  return new LongitudeError('LNG_NOT_FOUND', `${resourceType}/${id} is not known`);
}
