-- Search index, second step (http://hl7.org/fhir/R4/search.html#quantity, #composite):
-- UCUM-normalized quantities and composite search parameters.
--
-- Quantities: beside the value as written, a UCUM quantity (system http://unitsofmeasure.org,
-- or a unit that parses as UCUM when no system is given) keeps its value in canonical base
-- units and the canonical unit (7.5 % -> 0.075 "1"; 5.5 mg/dL -> 55 "g.m-3"), computed by
-- src/record/search/ucum.ts at index time. A search whose unit converts compares in canonical
-- units against rows that have them and falls back to the as-written comparison for rows that
-- do not (no unit, another system, a unit UCUM cannot convert). Rows indexed before this
-- migration get canonical values, composite tuples and implied code systems when their
-- resource is written again or reindexed ($reindex).
alter table search_quantity
  add column canonical_value numeric,
  add column canonical_unit text;
create index search_quantity_canonical_idx on search_quantity (resource_type, code, canonical_unit, canonical_value);

-- Composites (code-value-quantity=http://loinc.org|8480-6$gt100): both parts must match the
-- SAME element (the same Observation.component), not any code and any value of the resource.
-- Each tuple (one element the composite's expression yields) is stored as ordinary rows of its
-- components' types, in the existing per-type tables, under the code "<composite>$<n>" (n the
-- component's position; `$` never occurs in a parameter code) and with the element's ordinal
-- in `tuple_ordinal`; plain parameter rows leave it null. A search joins the components on
-- (id, tuple_ordinal).
--
-- Trade-off against a dedicated search_composite table (one row per tuple, a column set per
-- component type): reusing the typed tables means every component type (token, quantity with
-- its UCUM columns, date ranges, string, reference, number, uri) is matched by the same SQL
-- and the same (resource_type, code, value...) btrees as a plain parameter, with no second
-- copy of each type's columns and tests; the cost is one extra nullable column per table and
-- a semi-join per extra component instead of a single-row test. Composite rows repeat values
-- the plain parameters already index: on two Synthea patients (182 Observations) they are 832
-- of 5,167 index rows, about 4.6 per Observation.
alter table search_string add column tuple_ordinal integer;
alter table search_token add column tuple_ordinal integer;
alter table search_date add column tuple_ordinal integer;
alter table search_number add column tuple_ordinal integer;
alter table search_quantity add column tuple_ordinal integer;
alter table search_reference add column tuple_ordinal integer;
alter table search_uri add column tuple_ordinal integer;
