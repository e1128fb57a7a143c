-- FHIR search indexes (http://hl7.org/fhir/R4/search.html), derived from the R4 and US Core
-- SearchParameter definitions by src/record/search. One shared table per search-parameter
-- type, keyed by (resource_type, id, code); the indexer deletes and re-inserts a resource's
-- rows in the transaction that writes each version, so they always match `resource`.
--
-- Trade-off: shared tables per parameter type (as HAPI's HFJ_SPIDX_* tables) rather than
-- per-resource-type tables with one column per parameter (as medplum). Shared tables need no
-- DDL when a parameter is added (custom SearchParameter + $reindex later), keep multi-valued
-- parameters as plain rows (no arrays, one btree per type), and `search_reference` is one
-- table chaining, _include and _revinclude can join on. The cost: every filter is an EXISTS
-- probe instead of a column test (measured in record/search/search-sql.ts), and the tables
-- hold about 12 rows per resource (Synthea).
-- Every value btree leads with (resource_type, code) so one search parameter on one type is one
-- contiguous index range. The per-resource indexes (for replacing a resource's rows and for
-- probes from a resource row) lead with id: led by resource_type they would also offer the
-- planner "every row of this type" scans, which it picks over the value indexes.
-- _id and _lastUpdated are answered from `resource` itself (primary key and
-- resource_type_last_updated_idx).

create table search_string (
  resource_type text not null,
  id text not null,
  code text not null,
  -- lower case, diacritics removed (NFD, combining marks dropped): the default starts-with
  -- match and :contains. Collation "C" so a prefix is a plain btree range.
  value_normalized text collate "C" not null,
  -- as written, for :exact
  value_exact text not null
);
create index search_string_value_idx on search_string (resource_type, code, value_normalized);
create index search_string_resource_idx on search_string (id, resource_type);

create table search_token (
  resource_type text not null,
  id text not null,
  code text not null,
  system text,
  value text,
  -- Coding.display / CodeableConcept.text / Identifier.type.text, normalized like strings: :text
  display_text text collate "C",
  -- Identifier.type coding, for :of-type
  type_system text,
  type_code text
);
create index search_token_value_idx on search_token (resource_type, code, value, system);
create index search_token_system_idx on search_token (resource_type, code, system);
create index search_token_resource_idx on search_token (id, resource_type);

-- Dates, dateTimes, instants and Periods as half-open ranges [low, high): a value's implicit
-- precision becomes its range (2024-03 is [2024-03-01, 2024-04-01)); an open Period end is
-- +/-infinity.
create table search_date (
  resource_type text not null,
  id text not null,
  code text not null,
  low timestamptz not null,
  high timestamptz not null
);
create index search_date_low_idx on search_date (resource_type, code, low, high);
create index search_date_high_idx on search_date (resource_type, code, high);
create index search_date_resource_idx on search_date (id, resource_type);

create table search_number (
  resource_type text not null,
  id text not null,
  code text not null,
  value numeric not null
);
create index search_number_value_idx on search_number (resource_type, code, value);
create index search_number_resource_idx on search_number (id, resource_type);

-- Quantities as written (no UCUM normalization yet): value with system|code and unit.
create table search_quantity (
  resource_type text not null,
  id text not null,
  code text not null,
  value numeric not null,
  system text,
  unit_code text,
  unit text
);
create index search_quantity_value_idx on search_quantity (resource_type, code, value);
create index search_quantity_resource_idx on search_quantity (id, resource_type);

-- References keep the target's type and id (for Type/id, :Type, chaining and _include joins)
-- and the reference text as written (absolute URLs, canonicals); a logical reference keeps its
-- identifier for :identifier.
create table search_reference (
  resource_type text not null,
  id text not null,
  code text not null,
  target_type text,
  target_id text,
  reference_text text,
  identifier_system text,
  identifier_value text
);
create index search_reference_target_idx on search_reference (resource_type, code, target_id, target_type);
create index search_reference_text_idx on search_reference (resource_type, code, reference_text);
create index search_reference_identifier_idx on search_reference (resource_type, code, identifier_value);
-- reverse direction: who points at this resource (_revinclude, _has, compartments)
create index search_reference_reverse_idx on search_reference (target_type, target_id);
create index search_reference_resource_idx on search_reference (id, resource_type);

create table search_uri (
  resource_type text not null,
  id text not null,
  code text not null,
  value text collate "C" not null
);
create index search_uri_value_idx on search_uri (resource_type, code, value);
create index search_uri_resource_idx on search_uri (id, resource_type);
