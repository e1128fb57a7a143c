/**
 * Whether this database holds the demo organization (table demo_state, migration 0012): no
 * row, `loading` (a load began and has not finished: the next start redoes it with the same
 * parameters) or `ready` (every stage committed: later starts skip the load).
 */
import type { Queryable } from '../platform/db/db.ts';

export interface DemoParameters {
  people: number;
  seed: number;
  /** First day of the simulated one-year period, YYYY-MM-DD. */
  startDate: string;
}

export interface DemoState extends DemoParameters {
  status: 'loading' | 'ready';
  startedAt: Date;
  completedAt?: Date;
}

interface DemoStateRow {
  status: 'loading' | 'ready';
  people: number;
  seed: string | number;
  start_date: string;
  started_at: Date;
  completed_at: Date | null;
}

export async function readDemoState(db: Queryable): Promise<DemoState | undefined> {
  const { rows } = await db.query<DemoStateRow>(
    `select status, people, seed, to_char(start_date, 'YYYY-MM-DD') as start_date, started_at, completed_at from demo_state`,
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    status: row.status,
    people: Number(row.people),
    seed: Number(row.seed),
    startDate: row.start_date,
    startedAt: new Date(row.started_at),
    ...(row.completed_at ? { completedAt: new Date(row.completed_at) } : {}),
  };
}

/** Records that a load begins (or begins again, after an interruption, with these parameters). */
export async function markDemoLoading(db: Queryable, params: DemoParameters): Promise<void> {
  await db.query(
    `insert into demo_state (status, people, seed, start_date) values ('loading', $1, $2, $3::date)
     on conflict (singleton) do update
       set status = 'loading', people = excluded.people, seed = excluded.seed, start_date = excluded.start_date,
           started_at = now(), completed_at = null, summary = null`,
    [params.people, params.seed, params.startDate],
  );
}

/** Records that every stage committed; `summary` is what each stage did (kept for the record). */
export async function markDemoReady(db: Queryable, summary: unknown): Promise<void> {
  await db.query(`update demo_state set status = 'ready', completed_at = now(), summary = $1::jsonb`, [JSON.stringify(summary)]);
}

/**
 * Whether the database holds nothing a demo load could collide with: no record resources and
 * no inbound messages. A hub filled by other means (an import, a live feed) never gets the demo.
 */
export async function holdsNoData(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ used: boolean }>(
    `select exists (select 1 from resource) or exists (select 1 from inbound_message) as used`,
  );
  return rows[0]?.used === false;
}
