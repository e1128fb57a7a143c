/**
 * Replaces every index row of one resource in one statement: the deletes and the set-based
 * inserts are data-modifying CTEs, which all see the statement's starting snapshot, so the
 * deletes never touch the rows inserted beside them. One round trip per write, whatever the
 * number of parameters. An empty `rows` removes the resource from the index (deleted).
 */
import type { Queryable } from '../../platform/db/db.ts';
import type { IndexRows } from './index-rows.ts';

const statement = `
with d_string as (delete from search_string where resource_type = $1 and id = $2),
     d_token as (delete from search_token where resource_type = $1 and id = $2),
     d_date as (delete from search_date where resource_type = $1 and id = $2),
     d_number as (delete from search_number where resource_type = $1 and id = $2),
     d_quantity as (delete from search_quantity where resource_type = $1 and id = $2),
     d_reference as (delete from search_reference where resource_type = $1 and id = $2),
     d_uri as (delete from search_uri where resource_type = $1 and id = $2),
     i_string as (
       insert into search_string (resource_type, id, code, value_normalized, value_exact)
       select $1, $2, * from unnest($3::text[], $4::text[], $5::text[])),
     i_token as (
       insert into search_token (resource_type, id, code, system, value, display_text, type_system, type_code)
       select $1, $2, * from unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])),
     i_date as (
       insert into search_date (resource_type, id, code, low, high)
       select $1, $2, * from unnest($12::text[], $13::timestamptz[], $14::timestamptz[])),
     i_number as (
       insert into search_number (resource_type, id, code, value)
       select $1, $2, * from unnest($15::text[], $16::numeric[])),
     i_quantity as (
       insert into search_quantity (resource_type, id, code, value, system, unit_code, unit)
       select $1, $2, * from unnest($17::text[], $18::numeric[], $19::text[], $20::text[], $21::text[])),
     i_reference as (
       insert into search_reference (resource_type, id, code, target_type, target_id, reference_text, identifier_system, identifier_value)
       select $1, $2, * from unnest($22::text[], $23::text[], $24::text[], $25::text[], $26::text[], $27::text[])),
     i_uri as (
       insert into search_uri (resource_type, id, code, value)
       select $1, $2, * from unnest($28::text[], $29::text[]))
select 1`;

export async function replaceIndexRows(tx: Queryable, resourceType: string, id: string, rows: IndexRows): Promise<void> {
  const { string: s, token: t, date: d, number: n, quantity: q, reference: r, uri: u } = rows;
  await tx.query(statement, [
    resourceType,
    id,
    s.map((x) => x.code), s.map((x) => x.normalized), s.map((x) => x.exact),
    t.map((x) => x.code), t.map((x) => x.system), t.map((x) => x.value), t.map((x) => x.display), t.map((x) => x.typeSystem), t.map((x) => x.typeCode),
    d.map((x) => x.code), d.map((x) => x.low), d.map((x) => x.high),
    n.map((x) => x.code), n.map((x) => x.value),
    q.map((x) => x.code), q.map((x) => x.value), q.map((x) => x.system), q.map((x) => x.unitCode), q.map((x) => x.unit),
    r.map((x) => x.code), r.map((x) => x.targetType), r.map((x) => x.targetId), r.map((x) => x.text), r.map((x) => x.identifierSystem), r.map((x) => x.identifierValue),
    u.map((x) => x.code), u.map((x) => x.value),
  ]);
}
