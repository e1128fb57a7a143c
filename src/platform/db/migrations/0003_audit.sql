-- Tamper-evident audit trail. Each row holds the hash of the row before it; the head row
-- holds the newest sequence number and hash. Rows are append-only: the trigger refuses
-- updates, deletes and truncation, and `longitude audit verify` catches what gets past it
-- (a superuser disabling the trigger, edits to the files underneath).

create table audit_chain_head (
  singleton boolean primary key default true check (singleton),
  seq bigint not null,
  hash text not null
);

insert into audit_chain_head (singleton, seq, hash)
values (true, 0, '0000000000000000000000000000000000000000000000000000000000000000');

create table audit_event (
  seq bigint primary key,
  recorded timestamptz not null,
  -- a FHIR R4 AuditEvent resource
  event jsonb not null,
  prev_hash text not null,
  hash text not null
);

create index audit_event_recorded_idx on audit_event (recorded);

create function audit_event_append_only() returns trigger
language plpgsql as $$
begin
  raise exception 'audit_event is append-only (% refused)', tg_op;
end
$$;

create trigger audit_event_no_change
before update or delete on audit_event
for each row execute function audit_event_append_only();

create trigger audit_event_no_truncate
before truncate on audit_event
for each statement execute function audit_event_append_only();
