-- The master person index (issue 6): persons, the links of source Patients to them, the
-- pairs people decided are different, the review queue, and every decision taken.
-- A person's id is stable: it is also the id of its golden Patient in the record. Source
-- Patients are referenced as 'Patient/<id>' and are never modified by identity.

create table identity_person (
  id text primary key,
  -- active: has linked records; merged: replaced_by names the survivor; retired: no records left
  status text not null default 'active' check (status in ('active', 'merged', 'retired')),
  replaced_by text references identity_person (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((status = 'merged') = (replaced_by is not null))
);

create index identity_person_replaced_by_idx on identity_person (replaced_by) where replaced_by is not null;

-- One row per source Patient: the person it belongs to and why.
create table identity_link (
  record_ref text primary key,
  person_id text not null references identity_person (id),
  -- the system the record comes from (meta.source channel, or its identifier system)
  source text not null,
  -- match weight (log2 odds) and posterior to the best other member; null when alone or manual
  score double precision,
  probability double precision,
  -- auto-link | auto-single | manual-link | manual-unlink | review-link | merge | unmerge
  rule text not null,
  -- per-field weights of the strongest pair [{ comparison, level, weight }], or the decision's note
  reasons jsonb not null default '[]',
  decided_by text not null check (decided_by in ('auto', 'user')),
  -- the actor id (a user name, or cli:identity, outbox:identity)
  decided_by_id text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index identity_link_person_idx on identity_link (person_id);

-- "Not a match": two source records a person said are different people; never proposed or
-- linked automatically again. Stored once per pair, smaller reference first.
create table identity_not_match (
  record_a text not null,
  record_b text not null,
  decided_by_id text not null,
  decided_at timestamptz not null default now(),
  primary key (record_a, record_b),
  check (record_a < record_b)
);

-- Possible matches for a person to decide, with the per-field weights shown side by side.
create table identity_review (
  id bigserial primary key,
  record_a text not null,
  record_b text not null,
  score double precision not null,
  probability double precision not null,
  weights jsonb not null,
  status text not null default 'open' check (status in ('open', 'linked', 'not-a-match', 'superseded')),
  created_at timestamptz not null default now(),
  decided_at timestamptz,
  decided_by_id text,
  check (record_a < record_b)
);

-- One open item per pair at a time.
create unique index identity_review_open_pair_idx on identity_review (record_a, record_b) where status = 'open';

-- Every decision, automatic or human: who, when, what, score and reasons (append-only).
create table identity_decision (
  id bigserial primary key,
  decided_at timestamptz not null default now(),
  decided_by text not null check (decided_by in ('auto', 'user')),
  decided_by_id text not null,
  -- relink | link | unlink | not-a-match | merge | unmerge | review-link | review-not-a-match
  action text not null,
  person_id text,
  other_person_id text,
  record_refs text[] not null default '{}',
  score double precision,
  reasons jsonb not null default '[]'
);

create index identity_decision_person_idx on identity_decision (person_id, id);

-- Source Patients created or changed since their person's golden record was last built. The
-- outbox consumer `identity` adds a row in the transaction that advances its position (so no
-- change is lost); the identity worker rebuilds the person's golden record and deletes the row
-- unless a newer event arrived meanwhile (event_id moved on), as signal_pending_person does.
create table identity_pending_record (
  record_ref text primary key,
  event_id bigint not null,
  enqueued_at timestamptz not null default now()
);
