-- Data quality at entry: each resource checked (one row per resource per message, whether it
-- passed or not, so a report can say what share of a feed passes) and what was found about it.
-- Written by src/integration/quality/quality-store.ts in the transaction that processes the
-- message; reprocessing a message replaces its rows, so counts do not double. A message
-- removed from the store leaves its checks (the report keeps counting them) without the link.

create table data_quality_check (
  id bigserial primary key,
  -- the source system (lab code table name, HL7 sender, CSV feed)
  source text not null,
  channel text,
  -- the inbound message the resource came from (null for resources checked outside the store)
  message_id bigint references inbound_message (id) on delete set null,
  resource_type text not null,
  -- the resource id, or its Bundle fullUrl before it has one
  resource_ref text not null,
  checked_at timestamptz not null default now(),
  errors integer not null default 0,
  warnings integer not null default 0,
  informations integer not null default 0
);
create index data_quality_check_source_idx on data_quality_check (source, checked_at);
create index data_quality_check_message_idx on data_quality_check (message_id) where message_id is not null;

create table data_quality_finding (
  check_id bigint not null references data_quality_check (id) on delete cascade,
  ordinal integer not null,
  rule_id text not null,
  severity text not null check (severity in ('error', 'warning', 'information')),
  -- FHIRPath-like location inside the resource: Observation.component[1].valueQuantity.value
  location text not null,
  message text not null,
  primary key (check_id, ordinal)
);
create index data_quality_finding_rule_idx on data_quality_finding (rule_id, severity);
