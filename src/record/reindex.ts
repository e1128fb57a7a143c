/**
 * $reindex: rebuilds the search index rows of current (non-deleted) versions, for the whole
 * record, some types, or one resource. Needed after a custom SearchParameter is added (the
 * rows of resources stored before it), after one is retired, and after an upgrade adds an
 * index (migration 0006: full-text rows). Writes do not wait for it: each batch is its own
 * short transaction, and a write between batches indexes itself.
 *
 * Batches walk (resource_type, id) by keyset on the primary key, a few hundred resources per
 * transaction, read FOR SHARE: a concurrent update of a resource in the batch waits for the
 * batch to commit (or the batch for it), so a batch never writes rows of a version that has
 * already been replaced. Allowed to whoever the policy lets `reindex` those types (admin, the
 * hub itself); audited once, like every interaction.
 */
import type { Resource } from '@medplum/fhirtypes';
import { resourceTypes } from '../fhir/index.ts';
import type { Db } from '../platform/db/db.ts';
import { errorAt, LongitudeError } from '../platform/errors.ts';
import { requireAccessContext, type AccessContext } from '../trust/access-context.ts';
import type { AuditEntry } from '../trust/audit/audit-event.ts';
import type { AuditLog } from '../trust/audit/audit-log.ts';
import { decide } from '../trust/policy.ts';
import type { ResourceRow } from './resource-rows.ts';
import type { FhirSearchIndexer } from './search/search-indexer.ts';

export interface ReindexDeps {
  db: Db;
  audit: AuditLog;
  indexer: FhirSearchIndexer;
}

/** What to reindex: every stored type (no types), the listed types, or one resource. */
export interface ReindexScope {
  types?: readonly string[];
  /** With exactly one type: only this resource (instance-level $reindex). */
  id?: string;
}

export interface ReindexOptions {
  /** Resources per transaction. */
  batchSize?: number;
  /** After each batch: resources done, and the total counted at the start. */
  onProgress?: (done: number, total: number) => void;
}

export interface ReindexResult {
  /** Resources reindexed. */
  total: number;
  /** Per type, every type asked for (zero included). */
  byType: Map<string, number>;
}

export const defaultReindexBatchSize = 250;

/** Types whose resources live in the record (AuditEvents live in the audit chain). */
function storedTypes(): string[] {
  return [...resourceTypes()].filter((t) => t !== 'AuditEvent').sort();
}

export async function reindexRecord(deps: ReindexDeps, ctx: AccessContext, scope: ReindexScope, options: ReindexOptions = {}): Promise<ReindexResult> {
  requireAccessContext(ctx);
  const types = scope.types ? [...new Set(scope.types)].sort() : storedTypes();
  const entity: NonNullable<AuditEntry['entity']> =
    scope.id !== undefined ? { reference: `${types[0]}/${scope.id}`, resourceType: types[0]! } : { resourceType: scope.types ? types.join(',') : 'system' };
  const fail = async (err: LongitudeError): Promise<never> => {
    await deps.audit.record({ ctx, interaction: 'operation', outcome: 'failure', description: `$reindex refused: ${err.message}`, entity });
    throw err;
  };

  const known = new Set(storedTypes());
  const unknown = types.find((t) => !known.has(t));
  if (unknown !== undefined) {
    await fail(scope.id !== undefined ? new LongitudeError('LNG_NOT_FOUND', `unknown resource type ${unknown}`) : errorAt('LNG_BAD_REQUEST', `_type: unknown resource type ${unknown}`, '_type'));
  }
  if (scope.id !== undefined && types.length !== 1) throw new LongitudeError('LNG_INTERNAL', 'an instance-level reindex names exactly one type');
  for (const type of types) {
    const decision = decide(ctx, 'reindex', type);
    if (!decision.allowed) await fail(new LongitudeError('LNG_FORBIDDEN', decision.reason));
  }

  const counts = await countCurrent(deps.db, types, scope.id);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (scope.id !== undefined && total === 0) await fail(new LongitudeError('LNG_NOT_FOUND', `${entity.reference} is not known or was deleted`));

  const batchSize = options.batchSize ?? defaultReindexBatchSize;
  const byType = new Map(types.map((t): [string, number] => [t, 0]));
  let done = 0;
  let after = { resourceType: '', id: '' };
  options.onProgress?.(0, total);
  for (;;) {
    const batch = await deps.db.transaction(async (tx) => {
      const rows = await selectBatch(tx, types, scope.id, after, batchSize);
      await deps.indexer.reindex(tx, rows);
      return rows;
    });
    for (const row of batch) byType.set(row.resourceType, (byType.get(row.resourceType) ?? 0) + 1);
    done += batch.length;
    options.onProgress?.(done, Math.max(total, done));
    const last = batch.at(-1);
    if (!last || batch.length < batchSize) break;
    after = { resourceType: last.resourceType, id: last.id };
  }
  await deps.audit.record({ ctx, interaction: 'operation', outcome: 'success', description: `$reindex: ${done} resources`, entity });
  return { total: done, byType };
}

async function countCurrent(db: Db, types: readonly string[], id: string | undefined): Promise<Map<string, number>> {
  const { rows } = await db.query<{ resource_type: string; n: number }>(
    `select resource_type, count(*)::int as n from resource
      where resource_type = any($1::text[]) and not deleted ${id !== undefined ? 'and id = $2' : ''}
      group by resource_type`,
    id !== undefined ? [types, id] : [types],
  );
  return new Map(rows.map((r) => [r.resource_type, r.n]));
}

/** The next batch of current versions after `after`, in primary-key order, locked against updates. */
async function selectBatch(
  tx: Pick<Db, 'query'>,
  types: readonly string[],
  id: string | undefined,
  after: { resourceType: string; id: string },
  limit: number,
): Promise<ResourceRow[]> {
  const { rows } = await tx.query<{ resource_type: string; id: string; version_id: number; last_updated: Date; content: Resource }>(
    `select resource_type, id, version_id, last_updated, content from resource
      where resource_type = any($1::text[]) and not deleted and (resource_type, id) > ($2::text, $3::text)
        ${id !== undefined ? 'and id = $5' : ''}
      order by resource_type, id
      limit $4
      for share`,
    [types, after.resourceType, after.id, limit, ...(id !== undefined ? [id] : [])],
  );
  return rows.map((r) => ({ resourceType: r.resource_type, id: r.id, versionId: r.version_id, lastUpdated: r.last_updated, deleted: false, content: r.content }));
}
