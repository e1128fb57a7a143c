/**
 * Replaces every index row of one resource in one statement: the deletes and the set-based
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

/**
 * @param firstVersion - true when the resource has never been indexed (version 1): no deletes.
 */
export async function replaceIndexRows(tx: Queryable, resourceType: string, id: string, rows: IndexRows, firstVersion = false): Promise<void> {
  const values: unknown[] = [resourceType, id];
  const ctes: string[] = [];
  if (!firstVersion) {
    for (const t of tables) ctes.push(`d_${t} as (delete from ${layouts[t].table} where resource_type = $1 and id = $2)`);
  }
  for (const t of tables) {
    const list = rows[t] as unknown as Record<string, unknown>[];
    if (list.length === 0) continue;
    const layout = layouts[t];
    const arrays = layout.fields.map((field, i) => {
      // Optional fields (a plain parameter's tuple) are absent from the row: null in the column.
      values.push(list.map((row) => row[field as string] ?? null));
      return `$${values.length}::${layout.casts[i]}`;
    });
    ctes.push(`i_${t} as (insert into ${layout.table} (resource_type, id, ${layout.columns.join(', ')})
      select $1, $2, * from unnest(${arrays.join(', ')}))`);
  }
  if (ctes.length === 0) return;
  await tx.query(`with ${ctes.join(',\n')}\nselect 1`, values);
}
