-- Versioned FHIR resource store. `resource` holds the current version of each resource (a
-- deleted one keeps a tombstone row), `resource_history` every version ever written.
-- Search indexes arrive with the FHIR API (their own tables, derived from SearchParameters).

create table resource (
  resource_type text not null,
  id text not null,
  version_id integer not null,
  last_updated timestamptz not null,
  deleted boolean not null default false,
  -- null for a tombstone
  content jsonb,
  primary key (resource_type, id)
);

create table resource_history (
  resource_type text not null,
  id text not null,
  version_id integer not null,
  last_updated timestamptz not null,
  deleted boolean not null,
  content jsonb,
  primary key (resource_type, id, version_id)
);

create index resource_history_last_updated_idx on resource_history (last_updated);
create index resource_type_last_updated_idx on resource (resource_type, last_updated);
