/**
 * A unit of work on the record: several creates, updates, deletes and reads in one database
 * transaction (a FHIR transaction Bundle, an import batch). Outbox events and audit entries
 * are collected as the work goes and appended at the end, so the commit-order lock is held
 * only for the last statements of the transaction (see lockCommitOrder).
 */
import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { canonicalJson } from '../platform/canonical-json.ts';
import type { Queryable } from '../platform/db/db.ts';
import { errorAt, LongitudeError } from '../platform/errors.ts';
import { appendEvents, type NewEvent } from '../platform/outbox/events.ts';
import type { AccessContext } from '../trust/access-context.ts';
import type { AuditEntry } from '../trust/audit/audit-event.ts';
import type { AuditLog } from '../trust/audit/audit-log.ts';
import { prepareForWrite, type Access, type RecordGuard } from './record-guard.ts';
import { parseSearchRequest } from './search/search-request.ts';
import { pageStatement } from './search/search-sql.ts';
import { insertFirstVersion, selectCurrent, selectVersion, writeNextVersion, type ResourceRow } from './resource-rows.ts';

/** Maintains the search index rows of a resource; `content` null means deleted. */
export interface SearchIndexer {
  index(tx: Queryable, row: ResourceRow): Promise<void>;
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

export interface StoreTransactionDeps {
  guard: RecordGuard;
  audit: AuditLog;
  searchIndex?: SearchIndexer;
}

export class StoreTransaction {
  private readonly events: NewEvent[] = [];
  private readonly audits: AuditEntry[] = [];
  /** Refusals, audited by the caller once the transaction has ended (whatever its outcome). */
  readonly refusals: AuditEntry[] = [];

  constructor(
    private readonly tx: Queryable,
    private readonly ctx: AccessContext,
    private readonly deps: StoreTransactionDeps,
  ) {}

  /**
   * Runs another module's SQL in this unit of work (a message marked processed with the
   * resources it wrote): it commits or rolls back with them. Not for the record's own tables.
   */
  alongside<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return work(this.tx);
  }

  /** Versions written (the caller wakes the outbox dispatcher when there are any). */
  get written(): number {
    return this.events.length;
  }

  /** Creates a resource; the id is assigned here unless `id` is given (ids pre-assigned for urn:uuid resolution). */
  async create<T extends Resource>(resource: T, options: { id?: string } = {}): Promise<WriteResult<T>> {
    this.deps.guard.begin(this.ctx, resource?.resourceType);
    await this.authorize({ action: 'create', interaction: 'create', resourceType: resource.resourceType, resource });
    const prepared = prepareForWrite({ ...resource, id: options.id ?? randomUUID() });
    const row = toRow(prepared, 1, new Date());
    if (!(await insertFirstVersion(this.tx, row))) {
      throw new LongitudeError('LNG_CONFLICT', `${row.resourceType}/${row.id} already exists`);
    }
    return this.recordWrite(row, 'create', true, true);
  }

  /** Updates, or for an unknown id creates, a resource; `ifMatch` makes it version-aware. */
  async update<T extends Resource>(resource: T, options: { ifMatch?: string } = {}): Promise<WriteResult<T>> {
    this.deps.guard.begin(this.ctx, resource?.resourceType);
    if (!resource.id) throw new LongitudeError('LNG_INVALID_RESOURCE', 'an update needs the resource id');
    const prepared = prepareForWrite(resource);
    const { resourceType, id } = prepared as Resource & { id: string };
    await this.authorize({ action: 'update', interaction: 'update', resourceType, resource: prepared });
    const current = await selectCurrent(this.tx, resourceType, id, { forUpdate: true });
    checkIfMatch(current, options.ifMatch, `${resourceType}/${id}`);
    if (!current) {
      const row = toRow(prepared, 1, new Date());
      if (!(await insertFirstVersion(this.tx, row))) {
        throw new LongitudeError('LNG_CONFLICT', `${resourceType}/${id} was created concurrently; retry the update`);
      }
      return this.recordWrite(row, 'update', true, true);
    }
    if (current.content && !current.deleted && sameContent(current.content, prepared)) {
      return this.recordWrite(current, 'update', false, false);
    }
    return this.recordWrite(toRow(prepared, current.versionId + 1, new Date()), 'update', current.deleted, true, true);
  }

  /** Deletes: a tombstone version; deleting a deleted resource changes nothing. */
  async delete(resourceType: string, id: string): Promise<{ deleted: boolean }> {
    this.deps.guard.begin(this.ctx, resourceType);
    const current = await selectCurrent(this.tx, resourceType, id, { forUpdate: true });
    await this.authorize({ action: 'delete', interaction: 'delete', resourceType, resource: current?.content ?? undefined, reference: `${resourceType}/${id}` });
    if (!current) throw new LongitudeError('LNG_NOT_FOUND', `${resourceType}/${id} is not known`);
    if (current.deleted) return { deleted: false };
    const row: ResourceRow = { resourceType, id, versionId: current.versionId + 1, lastUpdated: new Date(), deleted: true, content: null };
    await this.recordWrite(row, 'delete', false, true, true);
    return { deleted: true };
  }

  private async authorize(access: Access): Promise<void> {
    const refusal = this.deps.guard.check(this.ctx, access);
    if (!refusal) return;
    this.refusals.push(refusal.entry);
    throw refusal.error;
  }

  /** Reads the current version, or one version, inside the transaction. */
  async read<T extends Resource = Resource>(resourceType: string, id: string, versionId?: string): Promise<T> {
    this.deps.guard.begin(this.ctx, resourceType);
    const version = versionId === undefined ? undefined : Number(versionId);
    const row =
      version === undefined
        ? await selectCurrent(this.tx, resourceType, id)
        : Number.isSafeInteger(version) && version > 0
          ? await selectVersion(this.tx, resourceType, id, version)
          : undefined;
    const reference = `${resourceType}/${id}${versionId ? `/_history/${versionId}` : ''}`;
    await this.authorize({ action: 'read', interaction: versionId ? 'vread' : 'read', resourceType, resource: row?.content ?? undefined, reference });
    if (!row) throw new LongitudeError('LNG_NOT_FOUND', `${reference} is not known`);
    if (row.deleted || !row.content) throw new LongitudeError('LNG_GONE', `${reference} was deleted`);
    this.audits.push({ ctx: this.ctx, interaction: versionId ? 'vread' : 'read', outcome: 'success', entity: { reference: `${resourceType}/${id}/_history/${row.versionId}`, resourceType } });
    return row.content as T;
  }

  /**
   * The ids of the resources a conditional interaction's criteria match
   * (http://hl7.org/fhir/R4/http.html#ccreate), at most two: callers only tell none, one and
   * several apart. Runs in this transaction, so a conditional create and the create it
   * decides commit together. Unknown parameters are refused: a criterion silently dropped
   * would match everything.
   */
  async match(resourceType: string, criteria: string): Promise<string[]> {
    this.deps.guard.begin(this.ctx, resourceType);
    await this.authorize({ action: 'search', interaction: 'search', resourceType });
    const query = [...new URLSearchParams(criteria)];
    if (query.length === 0) throw errorAt('LNG_BAD_REQUEST', `a conditional ${resourceType} interaction needs search criteria`, resourceType);
    // Golden Patients (identity/golden-record.ts) carry every source's identifiers so a person
    // is found by any of them; a source writing its own record by identifier must never land
    // on the golden one, so conditional interactions leave them out unless asked about tags.
    if (resourceType === 'Patient' && !query.some(([name]) => name.startsWith('_tag'))) query.push(['_tag:not', goldenTagToken]);
    const request = { ...parseSearchRequest(resourceType, query, { strict: true }), count: 2, sort: [] };
    const statement = pageStatement(request, {}, undefined);
    const { rows } = await this.tx.query<{ id: string }>(statement.text, statement.values);
    this.audits.push({ ctx: this.ctx, interaction: 'search', outcome: 'success', description: 'conditional interaction', entity: { resourceType, query: criteria } });
    return rows.map((r) => r.id).slice(0, 2);
  }

  /** Appends the collected events and audit entries; the last work before commit. */
  async finish(): Promise<void> {
    await appendEvents(this.tx, this.events);
    await this.deps.audit.appendInTransaction(this.tx, this.audits);
  }

  private async recordWrite<T extends Resource>(
    row: ResourceRow,
    interaction: 'create' | 'update' | 'delete',
    created: boolean,
    changed: boolean,
    isNextVersion = false,
  ): Promise<WriteResult<T>> {
    if (isNextVersion) await writeNextVersion(this.tx, row);
    if (changed) {
      await this.deps.searchIndex?.index(this.tx, row);
      const topic = row.deleted ? resourceTopics.deleted : created ? resourceTopics.created : resourceTopics.updated;
      this.events.push({ topic, resourceType: row.resourceType, resourceId: row.id, versionId: row.versionId });
    }
    this.audits.push({
      ctx: this.ctx,
      interaction,
      outcome: 'success',
      ...(changed ? {} : { description: 'no change; no new version written' }),
      entity: { reference: `${row.resourceType}/${row.id}/_history/${row.versionId}`, resourceType: row.resourceType },
    });
    return { resource: row.content as T, created, changed };
  }
}

/** The identity layer's golden-record tag (identity/from-fhir-patient.ts GOLDEN_TAG), as a token. */
const goldenTagToken = 'urn:longitude:identity|golden';

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
