-- The message store: every inbound HL7 v2 message, file row or document, kept raw in the
-- transaction that acknowledges it, with its processing status. An interface engine's
-- first promise is "nothing lost": the ACK (or a file's "read" mark) only follows the
-- commit of this row, and every later stage (parse, map, store FHIR) can be replayed from it.
--
-- Status: received -> processed | filtered | errored; an errored message is retried with
-- backoff until max attempts, then dead. `reprocess` puts any message back to received.

create table inbound_message (
  id bigserial primary key,
  channel text not null,
  -- MSH-3^MSH-4 for HL7 v2, the file name for a file drop
  sender text,
  received_at timestamptz not null default now(),
  -- the bytes as they arrived (before any charset decoding)
  content bytea not null,
  -- sha256 of content, hex
  content_hash text not null,
  -- MSH-9 (ADT^A01) or the feed's kind (csv:claims)
  message_type text,
  -- MSH-10, or file name + row number
  control_id text,
  -- The patient the message is about (PID-3 first identifier, or the row's member id):
  -- messages with the same key are processed in arrival order.
  ordering_key text,
  status text not null default 'received'
    check (status in ('received', 'processed', 'filtered', 'errored', 'dead')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  -- { stage, code, message, element } of the last failure
  error jsonb,
  processed_at timestamptz,
  -- how long from receipt to ACK, measured by the listener
  ack_ms double precision,
  -- the same (channel, control id, content) received again: counted, not stored twice
  receipt_count integer not null default 1,
  last_received_at timestamptz not null default now()
);

-- Idempotent receipt: a sender resending a message it saw no ACK for gets the first row back.
create unique index inbound_message_receipt_idx on inbound_message (channel, control_id, content_hash)
  where control_id is not null;
-- The work queue: what is due, oldest first.
create index inbound_message_due_idx on inbound_message (next_attempt_at, id)
  where status in ('received', 'errored');
-- Per-patient ordering: is an earlier message for this key still waiting?
create index inbound_message_order_idx on inbound_message (ordering_key, id)
  where status in ('received', 'errored');
create index inbound_message_channel_idx on inbound_message (channel, received_at);
create index inbound_message_status_idx on inbound_message (status, received_at);
create index inbound_message_type_idx on inbound_message (message_type, received_at);
create index inbound_message_control_idx on inbound_message (control_id);

-- What each message produced: the resource versions written while processing it.
create table inbound_message_output (
  message_id bigint not null references inbound_message (id),
  resource_type text not null,
  resource_id text not null,
  version_id integer not null,
  primary key (message_id, resource_type, resource_id, version_id)
);
create index inbound_message_output_resource_idx on inbound_message_output (resource_type, resource_id);
