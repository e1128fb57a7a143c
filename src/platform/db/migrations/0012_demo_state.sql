-- The simulated organization `longitude start` loads on first start (src/demo/). One row at
-- most: `loading` from the moment the load begins, `ready` once every stage committed. A start
-- that finds `loading` was interrupted and redoes the load with the recorded parameters (the
-- imports are idempotent); one that finds `ready` skips it. A database without a row and
-- holding data was filled some other way and never gets the demo.
create table demo_state (
  singleton boolean primary key default true check (singleton),
  status text not null check (status in ('loading', 'ready')),
  people integer not null,
  seed bigint not null,
  start_date date not null,
  started_at timestamptz not null default now(),
  completed_at timestamptz,
  summary jsonb
);
