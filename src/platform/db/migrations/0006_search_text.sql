-- Full-text search (http://hl7.org/fhir/R4/search.html#text): `_text` over the narrative
-- (text.div without its markup), `_content` over every string value of the resource. One row
-- per current, non-deleted resource, replaced by the indexer (src/record/search/search-text.ts)
-- in the transaction that writes each version, like the other search tables.
--
-- The vectors are built with the 'simple' configuration (lower-cased words, no stemming, no
-- stop words) from text the indexer has already folded to unaccented form: see search-text.ts
-- for why. tsvector, tsquery and GIN are core PostgreSQL, so PGlite has them too.
--
-- Resources stored before this migration have no row here until `longitude reindex` (or
-- POST /fhir/R4/$reindex) indexes them.

create table search_text (
  resource_type text not null,
  id text not null,
  -- narrative only; empty when the resource has none
  text_vector tsvector not null,
  -- every string value, narrative included
  content_vector tsvector not null,
  -- led by id, like the per-resource indexes of 0004: led by resource_type it would also offer
  -- the planner "every row of this type" scans
  primary key (id, resource_type)
);
create index search_text_text_idx on search_text using gin (text_vector);
create index search_text_content_idx on search_text using gin (content_vector);
