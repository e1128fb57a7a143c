/**
 * Replaces every index row of resources in one statement: the deletes and the set-based
 * inserts are data-modifying CTEs, which all see the statement's starting snapshot, so the
 * deletes never touch the rows inserted beside them. One round trip per write, whatever the
 * number of parameters. Only tables with rows to insert get an insert, and a first version
 * (nothing indexed yet) skips the deletes: parsing and planning the statement is most of its
 * cost, so a smaller statement is a faster write. An empty `rows` removes the resource from
 * the index (deleted).
 */
import type { Queryable } from '../../platform/db/db.ts';
import type { IndexRows } from './index-rows.ts';

type Table = keyof IndexRows;

/** Per table: its SQL name, columns after (resource_type, id), their array casts, and the row fields. */
const layouts: { [T in Table]: { table: string; columns: string[]; casts: string[]; fields: (keyof IndexRows[T][number])[] } } = {
  string: {
    table: 'search_string',
    columns: ['code', 'value_normalized', 'value_exact', 'tuple_ordinal'],
    casts: ['text[]', 'text[]', 'text[]', 'integer[]'],
    fields: ['code', 'normalized', 'exact', 'tuple'],
  },
  token: {
    table: 'search_token',
    columns: ['code', 'system', 'value', 'display_text', 'type_system', 'type_code', 'tuple_ordinal'],
    casts: ['text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'integer[]'],
    fields: ['code', 'system', 'value', 'display', 'typeSystem', 'typeCode', 'tuple'],
  },
  date: {
    table: 'search_date',
    columns: ['code', 'low', 'high', 'tuple_ordinal'],
    casts: ['text[]', 'timestamptz[]', 'timestamptz[]', 'integer[]'],
    fields: ['code', 'low', 'high', 'tuple'],
  },
  number: { table: 'search_number', columns: ['code', 'value', 'tuple_ordinal'], casts: ['text[]', 'numeric[]', 'integer[]'], fields: ['code', 'value', 'tuple'] },
  quantity: {
    table: 'search_quantity',
    columns: ['code', 'value', 'system', 'unit_code', 'unit', 'canonical_value', 'canonical_unit', 'tuple_ordinal'],
    casts: ['text[]', 'numeric[]', 'text[]', 'text[]', 'text[]', 'numeric[]', 'text[]', 'integer[]'],
    fields: ['code', 'value', 'system', 'unitCode', 'unit', 'canonicalValue', 'canonicalUnit', 'tuple'],
  },
  reference: {
    table: 'search_reference',
    columns: ['code', 'target_type', 'target_id', 'reference_text', 'identifier_system', 'identifier_value', 'tuple_ordinal'],
    casts: ['text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'integer[]'],
    fields: ['code', 'targetType', 'targetId', 'text', 'identifierSystem', 'identifierValue', 'tuple'],
  },
  uri: { table: 'search_uri', columns: ['code', 'value', 'tuple_ordinal'], casts: ['text[]', 'text[]', 'integer[]'], fields: ['code', 'value', 'tuple'] },
};

const tables = Object.keys(layouts) as Table[];

/** One resource's index rows; `firstVersion`: never indexed before (version 1), nothing to delete. */
export interface ResourceIndexRows {
  resourceType: string;
  id: string;
  rows: IndexRows;
  firstVersion?: boolean;
}

/**
 * @param firstVersion - true when the resource has never been indexed (version 1): no deletes.
 */
export function replaceIndexRows(tx: Queryable, resourceType: string, id: string, rows: IndexRows, firstVersion = false): Promise<void> {
  return replaceIndexRowsOfMany(tx, [{ resourceType, id, rows, firstVersion }]);
}

/**
 * Replaces the index rows of several resources in one statement (a unit of work's writes):
 * on the embedded database each statement costs a fixed ~0.5 ms of protocol, parse and plan
 * whatever it carries, and a row inside it ~0.01 ms (docs/benchmarks.md, import), so the rows
 * of a whole message go together.
 */
export async function replaceIndexRowsOfMany(tx: Queryable, resources: readonly ResourceIndexRows[]): Promise<void> {
  const values: unknown[] = [];
  const ctes: string[] = [];
  const reindexed = resources.filter((r) => !r.firstVersion);
  if (reindexed.length > 0) {
    values.push(reindexed.map((r) => r.resourceType), reindexed.map((r) => r.id));
    for (const t of tables) {
      ctes.push(`d_${t} as (delete from ${layouts[t].table} x using unnest($1::text[], $2::text[]) as k(resource_type, id)
        where x.id = k.id and x.resource_type = k.resource_type)`);
    }
  }
  for (const t of tables) {
    const owners: { resourceType: string; id: string }[] = [];
    const list: Record<string, unknown>[] = [];
    for (const r of resources) {
      for (const row of r.rows[t] as unknown as Record<string, unknown>[]) {
        owners.push(r);
        list.push(row);
      }
    }
    if (list.length === 0) continue;
    const layout = layouts[t];
    values.push(owners.map((o) => o.resourceType), owners.map((o) => o.id));
    const arrays = [`$${values.length - 1}::text[]`, `$${values.length}::text[]`];
    layout.fields.forEach((field, i) => {
      // Optional fields (a plain parameter's tuple) are absent from the row: null in the column.
      values.push(list.map((row) => row[field as string] ?? null));
      arrays.push(`$${values.length}::${layout.casts[i]}`);
    });
    ctes.push(`i_${t} as (insert into ${layout.table} (resource_type, id, ${layout.columns.join(', ')})
      select * from unnest(${arrays.join(', ')}))`);
  }
  if (ctes.length === 0) return;
  await tx.query(`with ${ctes.join(',\n')}\nselect 1`, values);
}
