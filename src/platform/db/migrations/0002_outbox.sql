-- Transactional outbox: an event row commits in the same transaction as the write it
-- announces. Ids are drawn under the commit-order lock, so id order is commit order and a
-- consumer's position is one number.

create table outbox_event (
  id bigserial primary key,
  topic text not null,
  resource_type text,
  resource_id text,
  version_id integer,
  payload jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);

create table outbox_consumer (
  name text primary key,
  -- every event with id <= last_event_id has been handled (or dead-lettered)
  last_event_id bigint not null default 0,
  -- failed attempts at the event just after last_event_id
  attempts integer not null default 0,
  last_error text,
  retry_at timestamptz,
  updated_at timestamptz not null default now()
);

create table outbox_dead_letter (
  consumer text not null,
  event_id bigint not null references outbox_event (id),
  error text not null,
  attempts integer not null,
  failed_at timestamptz not null default now(),
  primary key (consumer, event_id)
);
