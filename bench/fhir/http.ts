/**
 * The FHIR API over HTTP under concurrent load: the hub runs in its own process
 * (bench/fhir/hub-server.ts), the Synthea patients are loaded through POST of their
 * transaction Bundles, then autocannon drives each scenario with 16 keep-alive connections
 * and a care manager's bearer token. Latency is taken per operation in this process, from
 * the moment a request is written to the moment its whole answer has arrived, so p50/p95/p99
 * are exact percentiles of every measured operation (not a histogram's approximation).
 *
 *   node --import tsx bench/fhir/http.ts [--backend pg|pglite|both] [--patients 80] [--duration 10]
 *        [--connections 16] [--postgres URL] [--scenario <part of a scenario's name>]
 *
 * PostgreSQL: --postgres, else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test
 * (a schema of its own, dropped afterwards). PGlite: on disk, as `npm start` uses it.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Bundle, BundleEntry, Patient } from '@medplum/fhirtypes';
import { syntheaDir, syntheaFiles } from '../../src/test-support/synthea-fixture.ts';
import type { HubServerReady } from './hub-server.ts';
import { ratioToTarget } from './latency.ts';
import { runOperations, type RunFigures } from './load-run.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'both' },
    patients: { type: 'string', default: '80' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    postgres: { type: 'string' },
    scenario: { type: 'string' },
  },
});
const backends = values.backend === 'both' ? ['pg', 'pglite'] : [values.backend];
if (!backends.every((b) => b === 'pg' || b === 'pglite')) throw new Error('--backend must be pg, pglite or both');
const patientCount = positiveInteger(values.patients, '--patients');
const duration = positiveInteger(values.duration, '--duration');
const connections = positiveInteger(values.connections, '--connections');
const postgresUrl = values.postgres ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const fhirPath = '/fhir/R4';

/** Targets from the design: single reads, US Core searches, a whole large record. */
const targets = { read: 10, search: 30, everything: 300 } as const;

interface Server extends HubServerReady {
  backend: string;
  /** Resolves once the server handles no request (those of closed connections included). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

interface LoadedPatient {
  id: string;
  family: string;
  /** Resources of the record: the bundle's entries other than shared Organizations, Practitioners... */
  recordSize: number;
  observationIds: string[];
}

interface Scenario {
  name: string;
  kind: keyof typeof targets;
  /** Each operation is the request paths of one answer: one, or every page of a $everything. */
  operations: string[][];
}

interface Figure extends RunFigures {
  scenario: string;
  backend: string;
  kind: keyof typeof targets;
}

function positiveInteger(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a whole number of at least 1`);
  return n;
}

function startServer(backend: string): Promise<Server> {
  const args = backend === 'pg' ? ['--backend', 'pg', '--postgres', postgresUrl] : ['--backend', 'pglite'];
  const child = fork(new URL('./hub-server.ts', import.meta.url).pathname, args, { execArgv: ['--import', 'tsx'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    void exited.then((code) => reject(new Error(`the ${backend} hub server exited (${code}) before it was ready`)));
    child.once('message', (message) => {
      const ready = message as HubServerReady;
      resolve({
        ...ready,
        backend,
        async drain() {
          const drained = new Promise((done) => child.once('message', done));
          child.send('drain');
          await drained;
        },
        async stop() {
          child.send('stop');
          const code = await exited;
          if (code !== 0) throw new Error(`the ${backend} hub server exited with ${code}`);
        },
      });
    });
  });
}

/** POSTs each Synthea transaction Bundle, in file order, as a client would; reports resources/s. */
async function loadSynthea(server: Server, files: readonly string[]): Promise<LoadedPatient[]> {
  const shared = new Set(['Organization', 'Practitioner', 'PractitionerRole', 'Location']);
  const patients: LoadedPatient[] = [];
  let resources = 0;
  const started = performance.now();
  for (const file of files) {
    const text = readFileSync(join(syntheaDir, file), 'utf8');
    const sent = JSON.parse(text) as Bundle;
    const res = await fetch(`http://127.0.0.1:${server.port}${fhirPath}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.tokens.loader}`, 'content-type': 'application/fhir+json', prefer: 'return=minimal' },
      body: text,
    });
    if (res.status !== 200) throw new Error(`${file}: ${res.status} ${(await res.text()).slice(0, 300)}`);
    const answer = (await res.json()) as Bundle;
    const entries = sent.entry ?? [];
    resources += answer.entry?.length ?? 0;
    // Transaction responses are in request order (http://hl7.org/fhir/R4/http.html#transaction-response).
    const idOf = (i: number) => answer.entry?.[i]?.response?.location?.split('/')[1];
    const patientAt = entries.findIndex((e) => e.resource?.resourceType === 'Patient');
    const observationAt = entries.flatMap((e: BundleEntry, i) => (e.resource?.resourceType === 'Observation' ? [i] : []));
    patients.push({
      id: idOf(patientAt)!,
      family: (entries[patientAt]?.resource as Patient).name?.[0]?.family ?? '',
      recordSize: entries.filter((e) => !shared.has(e.resource?.resourceType ?? '')).length,
      observationIds: observationAt.slice(0, 5).map((i) => idOf(i)!),
    });
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`${server.backend}: loaded ${files.length} bundles over HTTP, ${resources} resources in ${seconds.toFixed(1)} s, ${(resources / seconds).toFixed(0)} resources/s`);
  return patients;
}

async function get(server: Server, path: string): Promise<Bundle> {
  const res = await fetch(`http://127.0.0.1:${server.port}${path}`, { headers: { authorization: `Bearer ${server.tokens.reader}` } });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as Bundle;
}

/** The pages of the largest record's $everything at the largest page size, by following next links. */
async function everythingPages(server: Server, patientId: string): Promise<{ pages: string[]; resources: number }> {
  const pages = [`${fhirPath}/Patient/${patientId}/$everything?_count=1000`];
  let resources = 0;
  for (;;) {
    const bundle = await get(server, pages.at(-1)!);
    resources += bundle.entry?.length ?? 0;
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    if (!next) return { pages, resources };
    // Links carry the configured public base; the path and query are what we need.
    const url = new URL(next);
    pages.push(`${url.pathname}${url.search}`);
  }
}

async function scenariosFor(server: Server, patients: readonly LoadedPatient[]): Promise<Scenario[]> {
  const reads = patients.flatMap((p) => [[`${fhirPath}/Patient/${p.id}`], ...p.observationIds.map((id) => [`${fhirPath}/Observation/${id}`])]);
  const perPatient = (query: (p: LoadedPatient) => string) => patients.map((p) => [`${fhirPath}/${query(p)}`]);
  const largest = patients.reduce((a, b) => (b.recordSize > a.recordSize ? b : a));
  const everything = await everythingPages(server, largest.id);
  return [
    { name: 'read Patient/Observation by id', kind: 'read', operations: reads },
    { name: 'Observation?patient=X&category=laboratory', kind: 'search', operations: perPatient((p) => `Observation?patient=${p.id}&category=laboratory`) },
    { name: 'Condition?patient=X', kind: 'search', operations: perPatient((p) => `Condition?patient=${p.id}`) },
    { name: 'Encounter?patient=X&date=ge2015-01-01', kind: 'search', operations: perPatient((p) => `Encounter?patient=${p.id}&date=ge2015-01-01`) },
    {
      name: 'Patient?name=<prefix>',
      kind: 'search',
      operations: [...new Set(patients.map((p) => p.family.slice(0, 4).toLowerCase()))].map((prefix) => [`${fhirPath}/Patient?name=${encodeURIComponent(prefix)}`]),
    },
    {
      name: `Patient/<largest>/$everything (${everything.resources} resources, ${everything.pages.length} page${everything.pages.length > 1 ? 's' : ''} of _count=1000)`,
      kind: 'everything',
      operations: [everything.pages],
    },
  ];
}

/**
 * Before timing: every operation of the scenario answers 200 once, and the searches find
 * something (a benchmark of empty answers would flatter the server).
 */
async function check(server: Server, scenario: Scenario): Promise<void> {
  let entries = 0;
  for (const operation of scenario.operations) {
    for (const path of operation) {
      const body = await get(server, path);
      entries += body.resourceType === 'Bundle' ? (body.entry?.filter((e) => e.search?.mode !== 'outcome').length ?? 0) : 1;
    }
  }
  if (entries === 0) throw new Error(`${scenario.name}: no operation found anything`);
  if (scenario.kind === 'search') {
    console.log(`  ${scenario.name}: ${scenario.operations.length} distinct queries, ${(entries / scenario.operations.length).toFixed(1)} entries per first page on average`);
  }
}

/** One autocannon run of a scenario with the care manager's token. */
async function run(server: Server, scenario: Scenario, seconds: number): Promise<Figure> {
  const figures = await runOperations({
    url: `http://127.0.0.1:${server.port}`,
    headers: { authorization: `Bearer ${server.tokens.reader}`, accept: 'application/fhir+json' },
    operations: scenario.operations,
    connections,
    seconds,
  });
  return { scenario: scenario.name, backend: server.backend, kind: scenario.kind, ...figures };
}

async function benchBackend(backend: string, files: readonly string[]): Promise<Figure[]> {
  const server = await startServer(backend);
  try {
    const patients = await loadSynthea(server, files);
    const scenarios = await scenariosFor(server, patients);
    const figures: Figure[] = [];
    for (const scenario of scenarios.filter((s) => !values.scenario || s.name.includes(values.scenario))) {
      await check(server, scenario);
      await run(server, scenario, Math.min(2, duration)); // warm-up: JIT, caches, connections
      await server.drain();
      const figure = await run(server, scenario, duration);
      await server.drain();
      console.log(
        `  ${backend.padEnd(6)} ${scenario.name.padEnd(48)} ${figure.opsPerSecond.toFixed(0).padStart(6)} ops/s  p50 ${figure.p50.toFixed(1)}  p95 ${figure.p95.toFixed(1)}  p99 ${figure.p99.toFixed(1)} ms  failures ${figure.failures}`,
      );
      figures.push(figure);
    }
    return figures;
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const files = syntheaFiles().slice(0, patientCount);
  if (files.length === 0) throw new Error(`no Synthea bundles in ${syntheaDir}`);
  console.log(
    `machine: ${cpus().length} cores (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; ` +
      `${files.length} patients, ${connections} connections, ${duration} s per scenario`,
  );
  const figures: Figure[] = [];
  for (const backend of backends) figures.push(...(await benchBackend(backend, files)));

  console.log('\n| scenario | backend | ops/s | req/s | p50 ms | p95 ms | p99 ms | errors/non-2xx |\n|---|---|---|---|---|---|---|---|');
  for (const f of figures) {
    console.log(
      `| ${f.scenario} | ${f.backend} | ${f.opsPerSecond.toFixed(0)} | ${f.requestsPerSecond.toFixed(0)} | ${f.p50.toFixed(1)} | ${f.p95.toFixed(1)} | ${f.p99.toFixed(1)} | ${f.failures} |`,
    );
  }
  console.log(`\np95 against targets (read < ${targets.read} ms, US Core search < ${targets.search} ms, $everything of the largest patient < ${targets.everything} ms):`);
  for (const f of figures) console.log(`  ${f.backend.padEnd(6)} ${f.scenario.padEnd(48)} ${ratioToTarget(f.p95, targets[f.kind])}`);
  if (figures.some((f) => f.failures > 0 || f.ops === 0)) {
    console.error('\nsome requests failed, or a scenario completed no operation: the figures above are not valid');
    process.exitCode = 1;
  }
}

await main();
