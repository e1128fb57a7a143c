/**
 * Import of a simulated organization: simulates N people into a temporary directory, imports
 * it (`importDirectory`, what `longitude import` runs) into PGlite on disk and, with
 * --postgres URL or DATABASE_URL, into PostgreSQL (a schema of its own); prints per silo the
 * items read, stored, processed, rejected, items/s and time, and checks that every item of the
 * files reached the message store (zero lost). With --reimport, imports the directory a
 * second time and prints what that added (nothing, if re-import is idempotent).
 *
 *   node --import tsx bench/integration/import.ts [--people 10000] [--seed 1] [--postgres URL] [--reimport] [--skip-pglite] [--concurrency 4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { shippedMappings } from '../../src/integration/csv/index.ts';
import { formatSummary, importDirectory, type ImportResult } from '../../src/integration/import/index.ts';
import type { Db } from '../../src/platform/db/db.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { writeOrganization } from '../../src/simulator/index.ts';
import { wireRecordParts } from '../../src/test-support/hub-parts.ts';
import { systemContext } from '../../src/trust/access-context.ts';
import { withPgliteOnDisk, withPostgresSchema } from '../bench-databases.ts';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    postgres: { type: 'string' },
    reimport: { type: 'boolean', default: false },
    'skip-pglite': { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '4' },
  },
});
const people = Number(values.people);
const postgresUrl = values.postgres ?? process.env.DATABASE_URL;

async function run(name: string, db: Db, dir: string): Promise<void> {
  await migrate(db);
  const parts = wireRecordParts(db);
  const deps = { db, store: parts.store, ctx: systemContext('bench:import'), fhirBaseUrl: 'http://localhost:8080/fhir/R4', mappings: shippedMappings() };
  const options = { concurrency: Number(values.concurrency) };
  const first = await importDirectory(deps, dir, options);
  report(`${name}: first import`, first);
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from inbound_message');
  const read = first.silos.reduce((n, s) => n + s.read, 0);
  console.log(`${name}: ${read} items read, ${rows[0]!.n} messages in the store, lost: ${read - rows[0]!.n - first.silos.reduce((n, s) => n + s.duplicates, 0)}`);
  const { rows: resources } = await db.query<{ resource_type: string; n: number }>(
    'select resource_type, count(*)::int as n from resource where not deleted group by 1 order by 2 desc',
  );
  console.log(`${name}: resources ${resources.map((r) => `${r.resource_type} ${r.n}`).join(', ')}`);
  if (values.reimport) report(`${name}: second import`, await importDirectory(deps, dir, options));
  await parts.audit.flush();
}

function report(title: string, result: ImportResult): void {
  const items = result.silos.reduce((n, s) => n + s.read, 0);
  console.log(`\n${title}: ${items} items in ${(result.ms / 1000).toFixed(1)} s, ${Math.round((items * 1000) / result.ms)} items/s`);
  for (const line of formatSummary(result.silos)) console.log(line);
  for (const s of result.silos) console.log(`  ${s.silo.padEnd(12)} ${(s.ms / 1000).toFixed(1).padStart(7)} s`);
}

console.log(`machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; concurrency on PostgreSQL ${values.concurrency}`);
const dir = mkdtempSync(join(tmpdir(), 'lng-import-org-'));
try {
  const simStarted = performance.now();
  const summary = await writeOrganization({ outDir: dir, people, seed: Number(values.seed) });
  console.log(`simulated ${people} people in ${((performance.now() - simStarted) / 1000).toFixed(1)} s:`);
  for (const [silo, s] of Object.entries(summary.silos)) console.log(`  ${silo.padEnd(11)} ${String(s.items).padStart(8)} ${s.itemName}`);
  if (!values['skip-pglite']) await withPgliteOnDisk((db) => run('PGlite (on disk)', db, dir));
  if (postgresUrl) await withPostgresSchema(postgresUrl, (db) => run('PostgreSQL', db, dir));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
