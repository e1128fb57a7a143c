-- The match model of the last batch relink (m and u per comparison level, the prior, the
-- household class, term frequencies), so online matching scores a new source Patient with the
-- same weights a relink would, without estimating the model again. A relink replaces the row:
-- the newest model is the one in use.
create table identity_model (
  id bigserial primary key,
  created_at timestamptz not null default now(),
  records integer not null,
  model jsonb not null
);
