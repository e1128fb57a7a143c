/**
 * The SQL of the versioned resource store, one function per statement. Every version goes to
 * resource_history; resource holds the newest (a tombstone when deleted).
 */
import type { Resource } from '@medplum/fhirtypes';
import type { Queryable } from '../platform/db/db.ts';

export interface ResourceRow {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  content: Resource | null;
}

interface Row {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Date;
  deleted: boolean;
  content: Resource | null;
}

function toRow(r: Row): ResourceRow {
  return {
    resourceType: r.resource_type,
    id: r.id,
    versionId: r.version_id,
    lastUpdated: new Date(r.last_updated),
    deleted: r.deleted,
    content: r.content,
  };
}

const columns = 'resource_type, id, version_id, last_updated, deleted, content';

export async function selectCurrent(
  db: Queryable,
  resourceType: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<ResourceRow | undefined> {
  const { rows } = await db.query<Row>(
    `select ${columns} from resource where resource_type = $1 and id = $2${options.forUpdate ? ' for update' : ''}`,
    [resourceType, id],
  );
  return rows[0] ? toRow(rows[0]) : undefined;
}

export async function selectVersion(
  db: Queryable,
  resourceType: string,
  id: string,
  versionId: number,
): Promise<ResourceRow | undefined> {
  const { rows } = await db.query<Row>(
    `select ${columns} from resource_history where resource_type = $1 and id = $2 and version_id = $3`,
    [resourceType, id, versionId],
  );
  return rows[0] ? toRow(rows[0]) : undefined;
}

export async function selectHistory(
  db: Queryable,
  resourceType: string,
  id: string,
  options: { since?: Date; count: number },
): Promise<ResourceRow[]> {
  const { rows } = await db.query<Row>(
    `select ${columns} from resource_history
      where resource_type = $1 and id = $2 and ($3::timestamptz is null or last_updated >= $3)
      order by version_id desc limit $4`,
    [resourceType, id, options.since?.toISOString() ?? null, options.count],
  );
  return rows.map(toRow);
}

/** A position in type- or system-level history: the last version a page showed. */
export interface HistoryPosition {
  lastUpdated: string;
  resourceType: string;
  id: string;
  versionId: number;
}

/**
 * Versions of many resources, newest first, optionally of some types only, after `since`,
 * and before `position` (keyset paging: stable while new versions are written).
 */
export async function selectHistoryOfTypes(
  db: Queryable,
  options: { types: readonly string[]; since?: Date; count: number; position?: HistoryPosition },
): Promise<ResourceRow[]> {
  const p = options.position;
  const { rows } = await db.query<Row>(
    `select ${columns} from resource_history
      where resource_type = any($1::text[])
        and ($2::timestamptz is null or last_updated >= $2)
        and ($3::timestamptz is null or (last_updated, resource_type, id, version_id) < ($3, $4, $5, $6))
      order by last_updated desc, resource_type desc, id desc, version_id desc
      limit $7`,
    [options.types, options.since?.toISOString() ?? null, p?.lastUpdated ?? null, p?.resourceType ?? null, p?.id ?? null, p?.versionId ?? null, options.count],
  );
  return rows.map(toRow);
}

/**
 * Inserts version 1 of a new resource and its history row in one statement; false when the id
 * is already taken (then neither is written: the history insert reads only what was inserted).
 */
export async function insertFirstVersion(db: Queryable, row: ResourceRow): Promise<boolean> {
  const { rowCount } = await db.query(
    `with inserted as (
       insert into resource (${columns}) values ($1, $2, $3, $4, $5, $6::jsonb)
       on conflict (resource_type, id) do nothing
       returning ${columns})
     insert into resource_history (${columns}) select ${columns} from inserted`,
    rowParams(row),
  );
  return rowCount === 1;
}

/**
 * Replaces the current version (the caller holds the row lock) and records the new one in
 * history, in one statement: a write is several round trips already, and each costs more
 * than the statement it carries.
 */
export async function writeNextVersion(db: Queryable, row: ResourceRow): Promise<void> {
  await db.query(
    `with updated as (
       update resource set version_id = $3, last_updated = $4, deleted = $5, content = $6::jsonb
        where resource_type = $1 and id = $2)
     insert into resource_history (${columns}) values ($1, $2, $3, $4, $5, $6::jsonb)`,
    rowParams(row),
  );
}

function rowParams(row: ResourceRow): unknown[] {
  return [
    row.resourceType,
    row.id,
    row.versionId,
    row.lastUpdated.toISOString(),
    row.deleted,
    row.content === null ? null : JSON.stringify(row.content),
  ];
}

/** A version a unit of work wrote, waiting to be stored (pending-writes.ts). */
export interface PendingVersion {
  row: ResourceRow;
  /** The resource did not exist before this unit of work: its newest version is inserted, not updated. */
  isNew: boolean;
  /** The newest version of its resource among those written together. */
  latest: boolean;
}

/**
 * Stores the versions of several resources in one statement: every version into history, the
 * newest of each resource into `resource` (inserted for a new resource, replacing the current
 * row, whose lock the caller holds, otherwise). Returns the new resources whose id was taken
 * meanwhile (`on conflict do nothing`): the caller refuses the write; none of their versions
 * reach history.
 */
export async function writeVersions(db: Queryable, versions: readonly PendingVersion[]): Promise<{ resourceType: string; id: string }[]> {
  if (versions.length === 0) return [];
  const rows = versions.map((v) => v.row);
  const { rows: taken } = await db.query<{ resource_type: string; id: string }>(
    `with v as (
       select * from unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[], $5::boolean[], $6::jsonb[], $7::boolean[], $8::boolean[])
         as v(resource_type, id, version_id, last_updated, deleted, content, is_new, latest)),
     inserted as (
       insert into resource (${columns}) select ${columns} from v where v.is_new and v.latest
       on conflict (resource_type, id) do nothing
       returning resource_type, id),
     updated as (
       update resource r set version_id = v.version_id, last_updated = v.last_updated, deleted = v.deleted, content = v.content
         from v where not v.is_new and v.latest and r.resource_type = v.resource_type and r.id = v.id),
     history as (
       insert into resource_history (${columns})
       select ${columns} from v
        where not v.is_new or exists (select 1 from inserted i where i.resource_type = v.resource_type and i.id = v.id))
     select v.resource_type, v.id from v
      where v.is_new and v.latest and not exists (select 1 from inserted i where i.resource_type = v.resource_type and i.id = v.id)`,
    [
      rows.map((r) => r.resourceType),
      rows.map((r) => r.id),
      rows.map((r) => r.versionId),
      rows.map((r) => r.lastUpdated.toISOString()),
      rows.map((r) => r.deleted),
      rows.map((r) => (r.content === null ? null : JSON.stringify(r.content))),
      versions.map((v) => v.isNew),
      versions.map((v) => v.latest),
    ],
  );
  return taken.map((t) => ({ resourceType: t.resource_type, id: t.id }));
}

/** The current rows of several resources (locked for update when asked), in one statement. */
export async function selectCurrentOfMany(
  db: Queryable,
  keys: readonly { resourceType: string; id: string }[],
  options: { forUpdate?: boolean } = {},
): Promise<ResourceRow[]> {
  if (keys.length === 0) return [];
  const { rows } = await db.query<Row>(
    `select ${columns.split(', ').map((c) => `r.${c}`).join(', ')}
       from resource r join unnest($1::text[], $2::text[]) as k(resource_type, id) on r.resource_type = k.resource_type and r.id = k.id
      order by r.resource_type, r.id${options.forUpdate ? ' for update of r' : ''}`,
    [keys.map((k) => k.resourceType), keys.map((k) => k.id)],
  );
  return rows.map(toRow);
}
