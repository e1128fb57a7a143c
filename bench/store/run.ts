/**
 * Store throughput: create and read of Patients through the full store path (validation,
 * policy, audit, outbox), sequentially and with 8 concurrent clients, on the embedded
 * database (on disk) and on PostgreSQL.
 *
 *   node --import tsx bench/store/run.ts [--count N] [--postgres URL]
 *
 * PostgreSQL is measured when --postgres or DATABASE_URL names a server; each run uses a
 * schema of its own and drops it afterwards.
 */
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import type { Patient } from '@medplum/fhirtypes';
import type { Db } from '../../src/platform/db/db.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { ResourceStore } from '../../src/record/resource-store.ts';
import { createAccessContext } from '../../src/trust/access-context.ts';
import { AuditLog } from '../../src/trust/audit/audit-log.ts';
import { withPgliteOnDisk, withPostgresSchema } from '../bench-databases.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '2000' }, postgres: { type: 'string' } } });
const count = Number(values.count);
const postgresUrl = values.postgres ?? process.env.DATABASE_URL;
const ctx = createAccessContext({ actor: { type: 'system', id: 'bench' }, role: 'system' });

function patient(i: number): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: 'urn:bench:mrn', value: `MRN${i}` }],
    name: [{ family: `Family${i % 977}`, given: [`Given${i % 313}`] }],
    gender: i % 2 ? 'female' : 'male',
    birthDate: `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`,
    telecom: [{ system: 'phone', value: `555-01${String(i % 100).padStart(2, '0')}` }],
    address: [{ line: [`${i} Main St`], city: 'Springfield', state: 'IL', postalCode: '62701' }],
  };
}

interface Figure {
  operation: string;
  clients: number;
  ops: number;
  seconds: number;
  p50: number;
  p95: number;
}

/** Runs `total` operations spread over `clients` concurrent loops; latency per operation. */
async function measure(operation: string, clients: number, total: number, op: (i: number) => Promise<unknown>): Promise<Figure> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { operation, clients, ops: total, seconds, p50: at(0.5), p95: at(0.95) };
}

async function benchBackend(name: string, db: Db): Promise<Figure[]> {
  await migrate(db);
  const audit = new AuditLog(db);
  const store = new ResourceStore({ db, audit });
  // Warm up: definitions, JIT, connections.
  for (let i = 0; i < 50; i++) await store.create(ctx, patient(i));
  const ids: string[] = [];
  const figures: Figure[] = [];
  for (const clients of [1, 8]) {
    figures.push(
      await measure('create', clients, count, async (i) => {
        ids.push((await store.create(ctx, patient(i))).resource.id!);
      }),
    );
  }
  for (const clients of [1, 8]) {
    figures.push(await measure('read', clients, count * 2, (i) => store.read(ctx, 'Patient', ids[(i * 7919) % ids.length]!)));
  }
  await audit.flush();
  for (const f of figures) {
    console.log(
      `${name.padEnd(10)} ${f.operation.padEnd(6)} clients=${f.clients} ops=${f.ops} ${(f.ops / f.seconds).toFixed(0).padStart(6)} ops/s  p50 ${f.p50.toFixed(2)} ms  p95 ${f.p95.toFixed(2)} ms`,
    );
  }
  return figures;
}

async function main(): Promise<void> {
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; count=${count}`);
  const results: Record<string, Figure[]> = {};

  results.PGlite = await withPgliteOnDisk((db) => benchBackend('PGlite', db));
  if (postgresUrl) results.PostgreSQL = await withPostgresSchema(postgresUrl, (db) => benchBackend('PostgreSQL', db));

  console.log('\n| backend | operation | clients | ops/s | p50 ms | p95 ms |\n|---|---|---|---|---|---|');
  for (const [backend, figures] of Object.entries(results)) {
    for (const f of figures) {
      console.log(`| ${backend} | ${f.operation} | ${f.clients} | ${(f.ops / f.seconds).toFixed(0)} | ${f.p50.toFixed(2)} | ${f.p95.toFixed(2)} |`);
    }
  }
}

await main();
