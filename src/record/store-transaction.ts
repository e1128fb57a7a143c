/**
 * A unit of work on the record: several creates, updates, deletes and reads in one database
 * transaction (a FHIR transaction Bundle, an import batch). Outbox events and audit entries
 * are collected as the work goes and appended at the end, so the commit-order lock is held
 * only for the last statements of the transaction (see lockCommitOrder).
 *
 * Versions written are stored together (pending-writes.ts): their resource, history, search
 * index and text rows in three statements per flush instead of three per resource. A flush
 * comes before anything that could read them through SQL: a version read, another module's
 * SQL (`alongside`), a conditional search whose criteria memory cannot answer for them
 * (search/pending-match.ts) and the end of the work; the current row of a resource this unit
 * has locked or written is answered from memory.
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
import { parseSearchRequest, type SearchRequest } from './search/search-request.ts';
import { pageStatement } from './search/search-sql.ts';
import { batchLookupStatement } from './search/batch-lookup.ts';
import { PendingWrites, type PendingMark } from './pending-writes.ts';
import { matchPending } from './search/pending-match.ts';
import { selectCurrent, selectVersion, type ResourceRow } from './resource-rows.ts';

/** A resource's newest version to index; `firstVersion`: it has never been indexed (nothing to delete). */
export interface IndexedVersion extends ResourceRow {
  firstVersion: boolean;
}

/** Maintains the search index rows of resources; `content` null means deleted. */
export interface SearchIndexer {
  index(tx: Queryable, rows: readonly IndexedVersion[]): Promise<void>;
}

export interface WriteResult<T extends Resource> {
  resource: T;
  /** True when this write made a new resource (create, or update-as-create). */
  created: boolean;
  /** False when an update carried no change and no new version was written. */
  changed: boolean;
}

/** Conditional criteria checked and parsed, ready to run (StoreTransaction.matchAll). */
export interface PreparedMatch {
  resourceType: string;
  criteria: string;
  request: SearchRequest;
}

/** Where a unit's work stood (StoreTransaction.mark). */
export interface UnitMark {
  pending: PendingMark;
  events: number;
  audits: number;
  deferred: number;
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
  private readonly pending: PendingWrites;
  private readonly deferred: (() => Promise<void>)[] = [];
  /** Stored matches of criteria looked up ahead (`prefetchMatches`), valid until the next flush. */
  private prefetched: { flushes: number; ids: Map<string, string[]> } | undefined;
  /** Refusals, audited by the caller once the transaction has ended (whatever its outcome). */
  readonly refusals: AuditEntry[] = [];

  constructor(
    private readonly tx: Queryable,
    private readonly ctx: AccessContext,
    private readonly deps: StoreTransactionDeps,
  ) {
    this.pending = new PendingWrites(tx, deps.searchIndex);
  }

  /**
   * Runs another module's SQL in this unit of work (a message marked processed with the
   * resources it wrote): it commits or rolls back with them. Not for the record's own tables.
   */
  async alongside<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    await this.pending.flush();
    return work(this.tx);
  }

  /**
   * A search of stored resources by another module's SQL (same-fact.ts), authorized and audited
   * like any search, that does NOT store this unit's waiting versions first: it sees earlier
   * units and what this one already stored, not versions still waiting. Storing them for every
   * message of an import batch cost the 2,000-person start's hl7 stage 38 → 106 s (the batch's
   * writes went out message by message instead of together).
   */
  async searchStored<T>(resourceType: string, query: string, work: (tx: Queryable) => Promise<T>): Promise<T> {
    this.deps.guard.begin(this.ctx, resourceType);
    await this.authorize({ action: 'search', interaction: 'search', resourceType });
    this.audits.push({ ctx: this.ctx, interaction: 'search', outcome: 'success', entity: { resourceType, query } });
    return work(this.tx);
  }

  /**
   * Runs another module's SQL at the end of the unit, after its versions are stored, in the
   * order given (a message marked processed): unlike `alongside`, it does not store the waiting
   * versions now, so many messages' versions go to the database together. Resolves with what
   * `work` returned once it ran (await it after the unit, not inside it); a failure fails the unit.
   */
  later<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const done = new Promise<T>((resolve, reject) =>
      this.deferred.push(() =>
        work(this.tx).then(resolve, (err: unknown) => {
          reject(err);
          throw err;
        }),
      ),
    );
    // The unit's own failure is the one reported; whoever awaits this (after commit) still sees it.
    done.catch(() => undefined);
    return done;
  }

  /**
   * Notes where the work stands, so that a part that fails can be undone in memory
   * (`rollbackToMark`) while the rest of the unit commits: a database savepoint would first
   * have to store everything waiting, one flush per part.
   */
  mark(): UnitMark {
    return { pending: this.pending.mark(), events: this.events.length, audits: this.audits.length, deferred: this.deferred.length };
  }

  /**
   * Undoes what was written since `mark` (its versions, events, audit entries, deferred SQL);
   * false when some of it was stored meanwhile (a conditional search needed it), so only
   * rolling back the database transaction can undo it.
   */
  rollbackToMark(mark: UnitMark): boolean {
    if (!this.pending.restore(mark.pending)) return false;
    this.events.length = mark.events;
    this.audits.length = mark.audits;
    this.deferred.length = mark.deferred;
    return true;
  }

  /** Versions written (the caller wakes the outbox dispatcher when there are any). */
  get written(): number {
    return this.events.length;
  }

  /** Versions written per resource type (planner statistics follow how each type grows). */
  writtenByType(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { resourceType } of this.events) if (resourceType) counts.set(resourceType, (counts.get(resourceType) ?? 0) + 1);
    return counts;
  }

  /** Creates a resource; the id is assigned here unless `id` is given (ids pre-assigned for urn:uuid resolution). */
  async create<T extends Resource>(resource: T, options: { id?: string } = {}): Promise<WriteResult<T>> {
    this.deps.guard.begin(this.ctx, resource?.resourceType);
    await this.authorize({ action: 'create', interaction: 'create', resourceType: resource.resourceType, resource });
    const prepared = prepareForWrite({ ...resource, id: options.id ?? randomUUID() });
    const row = toRow(prepared, 1, new Date());
    // Taken before this unit (found when the versions are stored) or by it: a conflict either way.
    if (this.pending.current(row.resourceType, row.id)) throw new LongitudeError('LNG_CONFLICT', `${row.resourceType}/${row.id} already exists`);
    await this.pending.add(row, true, `${row.resourceType}/${row.id} already exists`);
    return this.recordWrite(row, 'create', true, true);
  }

  /** Updates, or for an unknown id creates, a resource; `ifMatch` makes it version-aware. */
  async update<T extends Resource>(resource: T, options: { ifMatch?: string } = {}): Promise<WriteResult<T>> {
    this.deps.guard.begin(this.ctx, resource?.resourceType);
    if (!resource.id) throw new LongitudeError('LNG_INVALID_RESOURCE', 'an update needs the resource id');
    const prepared = prepareForWrite(resource);
    const { resourceType, id } = prepared as Resource & { id: string };
    await this.authorize({ action: 'update', interaction: 'update', resourceType, resource: prepared });
    const current = await this.pending.lock(resourceType, id);
    checkIfMatch(current, options.ifMatch, `${resourceType}/${id}`);
    if (!current) {
      const row = toRow(prepared, 1, new Date());
      await this.pending.add(row, true, `${resourceType}/${id} was created concurrently; retry the update`);
      return this.recordWrite(row, 'update', true, true);
    }
    if (current.content && !current.deleted && sameContent(current.content, prepared)) {
      return this.recordWrite(current, 'update', false, false);
    }
    const row = toRow(prepared, current.versionId + 1, new Date());
    await this.pending.add(row, false);
    return this.recordWrite(row, 'update', current.deleted, true);
  }

  /** Deletes: a tombstone version; deleting a deleted resource changes nothing. */
  async delete(resourceType: string, id: string): Promise<{ deleted: boolean }> {
    this.deps.guard.begin(this.ctx, resourceType);
    const current = await this.pending.lock(resourceType, id);
    await this.authorize({ action: 'delete', interaction: 'delete', resourceType, resource: current?.content ?? undefined, reference: `${resourceType}/${id}` });
    if (!current) throw new LongitudeError('LNG_NOT_FOUND', `${resourceType}/${id} is not known`);
    if (current.deleted) return { deleted: false };
    const row: ResourceRow = { resourceType, id, versionId: current.versionId + 1, lastUpdated: new Date(), deleted: true, content: null };
    await this.pending.add(row, false);
    await this.recordWrite(row, 'delete', false, true);
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
        ? (this.pending.current(resourceType, id) ?? (await selectCurrent(this.tx, resourceType, id)))
        : Number.isSafeInteger(version) && version > 0
          ? await this.pending.flush().then(() => selectVersion(this.tx, resourceType, id, version))
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
    return (await this.matchAll([await this.prepareMatch(resourceType, criteria)]))[0]!;
  }

  /** Checks and parses one conditional criteria (errors belong to it); run with `matchAll`. */
  async prepareMatch(resourceType: string, criteria: string): Promise<PreparedMatch> {
    this.deps.guard.begin(this.ctx, resourceType);
    await this.authorize({ action: 'search', interaction: 'search', resourceType });
    return this.parseMatch(resourceType, criteria);
  }

  private parseMatch(resourceType: string, criteria: string): PreparedMatch {
    const query = [...new URLSearchParams(criteria)];
    if (query.length === 0) throw errorAt('LNG_BAD_REQUEST', `a conditional ${resourceType} interaction needs search criteria`, resourceType);
    // Golden Patients (identity/golden-record.ts) carry every source's identifiers so a person
    // is found by any of them; a source writing its own record by identifier must never land
    // on the golden one, so conditional interactions leave them out unless asked about tags.
    if (resourceType === 'Patient' && !query.some(([name]) => name.startsWith('_tag'))) query.push(['_tag:not', goldenTagToken]);
    return { resourceType, criteria, request: { ...parseSearchRequest(resourceType, query, { strict: true }), count: 2, sort: [] } };
  }

  /**
   * Runs several prepared criteria in one statement (a Bundle's conditional entries: one
   * round trip instead of one each); the ids each matches, at most two, in their order.
   */
  async matchAll(matches: readonly PreparedMatch[]): Promise<string[][]> {
    if (matches.length === 0) return [];
    // Versions this unit has not stored yet count too. Plain token criteria are answered for
    // them in memory (search/pending-match.ts): SQL finds the stored ones, a waiting version
    // replaces its stored one. Other criteria store the waiting versions first.
    const waiting = this.pending.waitingRows();
    const fromWaiting = matches.map((m) => matchPending(m.request, waiting));
    if (fromWaiting.some((ids) => ids === undefined)) {
      await this.pending.flush();
      fromWaiting.fill([]);
    }
    const replaced = new Set(this.pending.waitingRows().map((row) => `${row.resourceType}/${row.id}`));
    let rows = await this.storedMatches(matches);
    // SQL returns two matches at most: if one of two is replaced, a third stored one may hide.
    const perMatch = (k: number) => rows.filter((row) => Number(row.k) === k);
    if (replaced.size > 0 && matches.some((m, k) => perMatch(k).length >= 2 && perMatch(k).some((row) => replaced.has(`${m.resourceType}/${row.id}`)))) {
      await this.pending.flush();
      replaced.clear();
      fromWaiting.fill([]);
      rows = await this.queryMatches(matches);
    }
    const found = fromWaiting.map((ids) => [...ids!]);
    for (const row of rows) {
      const ids = found[Number(row.k)]!;
      if (!replaced.has(`${matches[Number(row.k)]!.resourceType}/${row.id}`) && !ids.includes(row.id)) ids.push(row.id);
    }
    for (const m of matches) {
      this.audits.push({ ctx: this.ctx, interaction: 'search', outcome: 'success', description: 'conditional interaction', entity: { resourceType: m.resourceType, query: m.criteria } });
    }
    return found.map((ids) => ids.slice(0, 2));
  }

  /**
   * Looks up, in one statement, the stored matches of criteria that work to come will ask
   * about (the conditional entries of an import batch's Bundles), so that each message's
   * lookup costs no statement of its own. Valid until versions are next stored: `matchAll`
   * counts the unstored ones itself. Criteria that cannot be prepared are left to `matchAll`.
   */
  async prefetchMatches(criteria: readonly { resourceType: string; criteria: string }[]): Promise<void> {
    const unique = [...new Map(criteria.map((c) => [`${c.resourceType}?${c.criteria}`, c])).values()];
    const prepared: PreparedMatch[] = [];
    for (const c of unique) {
      // Only what this unit may search for; the lookup itself is audited when its entry runs.
      if (this.deps.guard.check(this.ctx, { action: 'search', interaction: 'search', resourceType: c.resourceType })) continue;
      try {
        prepared.push(this.parseMatch(c.resourceType, c.criteria));
      } catch {
        // Refused when the entry runs, with the error pointing at it.
      }
    }
    if (prepared.length === 0) return;
    const ids = new Map(prepared.map((m) => [`${m.resourceType}?${m.criteria}`, [] as string[]]));
    const rows = (await this.queryMatches(prepared)).map((row) => ({ match: prepared[Number(row.k)]!, id: row.id }));
    for (const { match, id } of rows) ids.get(`${match.resourceType}?${match.criteria}`)!.push(id);
    // The resources matched are the ones the entries will update: their rows locked and read
    // now, in one statement, rather than one statement per message (lockCurrent).
    await this.pending.lockMany(rows.map(({ match, id }) => ({ resourceType: match.resourceType, id })));
    this.prefetched = { flushes: this.pending.flushCount, ids };
  }

  /** Stored matches: looked up ahead where still valid, the rest in one statement. */
  private async storedMatches(matches: readonly PreparedMatch[]): Promise<{ k: number; id: string }[]> {
    const ahead = this.prefetched?.flushes === this.pending.flushCount ? this.prefetched.ids : undefined;
    const known = matches.map((m) => ahead?.get(`${m.resourceType}?${m.criteria}`));
    const missing = matches.flatMap((m, k) => (known[k] ? [] : [{ m, k }]));
    const rows = known.flatMap((ids, k) => (ids ?? []).map((id) => ({ k, id })));
    if (missing.length === 0) return rows;
    for (const row of await this.queryMatches(missing.map((x) => x.m))) rows.push({ k: missing[Number(row.k)]!.k, id: row.id });
    return rows;
  }

  private async queryMatches(matches: readonly PreparedMatch[]): Promise<{ k: number; id: string }[]> {
    const statement = batchLookupStatement(matches.map((m) => pageStatement(m.request, {}, undefined)));
    return (await this.tx.query<{ k: number; id: string }>(statement.text, statement.values)).rows;
  }

  /**
   * Resources about to be written under ids this unit minted (random UUIDs): none has a row
   * to lock or read. Should one exist after all, storing the version refuses it (LNG_CONFLICT).
   */
  noteMinted(keys: readonly { resourceType: string; id: string }[]): void {
    this.pending.noteAbsent(keys);
  }

  /** Locks the current rows of resources about to be updated or deleted, in one statement. */
  lockCurrent(keys: readonly { resourceType: string; id: string }[]): Promise<void> {
    return this.pending.lockMany(keys);
  }

  /** Appends the collected events and audit entries; the last work before commit. */
  async finish(): Promise<void> {
    await this.pending.flush();
    for (const run of this.deferred.splice(0)) await run();
    await appendEvents(this.tx, this.events);
    await this.deps.audit.appendInTransaction(this.tx, this.audits);
  }

  private async recordWrite<T extends Resource>(
    row: ResourceRow,
    interaction: 'create' | 'update' | 'delete',
    created: boolean,
    changed: boolean,
  ): Promise<WriteResult<T>> {
    if (changed) {
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
