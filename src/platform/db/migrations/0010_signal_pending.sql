-- Signals (issue 7): people whose record changed and whose signals are due for a recompute.
-- The outbox consumer `signals` adds a row in the transaction that advances its position, so
-- a change is never lost; the signal worker recomputes the person and deletes the row unless
-- a newer event arrived meanwhile (event_id moved on).
create table signal_pending_person (
  patient_id text primary key,
  event_id bigint not null,
  enqueued_at timestamptz not null default now()
);

create index signal_pending_person_enqueued_idx on signal_pending_person (enqueued_at);
