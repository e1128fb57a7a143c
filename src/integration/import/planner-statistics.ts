/**
 * Keeps the query planner's statistics current while an import fills empty tables.
 *
 * Every entry an import writes is conditional, so each message runs identifier searches
 * (`search_token` by resource type, code, value and system). Without statistics the planner
 * cannot tell the (type, code, value, system) index from the (type, code, system) one and may
 * take the latter, reading every identifier of that system: measured on PostgreSQL during a
 * 1,000-person import, 10 ms per match before ANALYZE and 0.1 ms after, so the import slowed
 * down as it grew; a fresh schema waits for autovacuum to analyze it. So on PostgreSQL the
 * importer analyzes the tables it fills at growing intervals (after 500, 1,000, 2,000 …
 * messages): a handful of runs per import, each a sample of at most 30,000 rows.
 *
 * Not on the embedded database: there the hub's statistics keeper analyzes as soon as a
 * resource type is new to the statistics or has doubled (platform/db/statistics-keeper.ts),
 * which is what a load into PGlite needs (a 1,000-person import with these fixed intervals used
 * more CPU on PGlite than without them: over 16 CPU-minutes against about 7).
 */
import type { Db } from '../../platform/db/db.ts';

const TABLES = ['resource', 'search_token', 'search_reference', 'search_string', 'search_date', 'search_uri', 'inbound_message'];

export class PlannerStatistics {
  private sinceLast = 0;
  private next = 500;

  constructor(private readonly db: Db) {}

  /** Counts processed messages; analyzes when the next threshold is reached. */
  async processed(count: number): Promise<void> {
    this.sinceLast += count;
    if (this.db.kind !== 'postgres' || this.sinceLast < this.next) return;
    await this.db.query(`analyze ${TABLES.join(', ')}`);
    this.next = Math.min(this.next * 2, 50_000);
    this.sinceLast = 0;
  }
}
