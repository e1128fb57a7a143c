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
