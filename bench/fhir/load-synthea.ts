/**
 * Loads the 80 Synthea transaction Bundles through the FHIR transaction path and reports
 * resources per second, on the embedded database (on disk) and, with --postgres URL or
 * DATABASE_URL, on PostgreSQL (a schema of its own, dropped afterwards).
 *
 *   node --import tsx bench/fhir/load-synthea.ts [--dir ../shared/data/fhir/synthea-r4] [--postgres URL]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Bundle } from '@medplum/fhirtypes';
import type { Db } from '../../src/platform/db/db.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { processBundle } from '../../src/record/bundle-processor.ts';
import { wireRecordParts } from '../../src/test-support/hub-parts.ts';
import { createAccessContext } from '../../src/trust/access-context.ts';
import { withPgliteOnDisk, withPostgresSchema } from '../bench-databases.ts';

const { values } = parseArgs({
  options: { dir: { type: 'string', default: new URL('../../../shared/data/fhir/synthea-r4', import.meta.url).pathname }, postgres: { type: 'string' } },
});
const postgresUrl = values.postgres ?? process.env.DATABASE_URL;
const ctx = createAccessContext({ actor: { type: 'system', id: 'bench-loader' }, role: 'system' });

async function load(name: string, db: Db): Promise<void> {
  await migrate(db);
  const { store, audit } = wireRecordParts(db);
  const files = readdirSync(values.dir).filter((f) => f.endsWith('.json')).sort();
  let resources = 0;
  let failures = 0;
  const started = performance.now();
  for (const file of files) {
    const bundle = JSON.parse(readFileSync(join(values.dir, file), 'utf8')) as Bundle;
    try {
      const response = await processBundle(store, ctx, bundle, { baseUrl: 'http://localhost:8080/fhir/R4', returnMinimal: true });
      resources += response.entry?.length ?? 0;
    } catch (err) {
      failures += 1;
      console.error(`${file}: ${(err as Error).message}`);
    }
  }
  await audit.flush();
  const seconds = (performance.now() - started) / 1000;
  console.log(`${name}: ${files.length} bundles, ${resources} resources, ${failures} failed, ${seconds.toFixed(1)} s, ${(resources / seconds).toFixed(0)} resources/s`);
}

console.log(`machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}`);
await withPgliteOnDisk((db) => load('PGlite', db));
if (postgresUrl) await withPostgresSchema(postgresUrl, (db) => load('PostgreSQL', db));
