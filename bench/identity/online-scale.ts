/**
 * Online matching at scale (issue 6: "online match of one new record against 1,000,000 source
 * records: p95 under 20 ms"), on PostgreSQL. The person-level records of a simulated
 * organization are stored as source Patients with their persons, golden Patients and a stored
 * model; then K new records of known people are matched one by one exactly as the identity
 * worker matches them (`IdentityService.refreshRecords`, after the record is written through
 * the store), timed per phase.
 *
 *   node --import tsx bench/identity/online-scale.ts --dir SIMDIR       (an organization already written)
 *   node --import tsx bench/identity/online-scale.ts --people 20000     (simulates into /tmp first)
 *   ... --online 500 --warmup 20 --sample 50000 --persons truth|batch --database URL --keep
 *
 * The database (default postgres://postgres@127.0.0.1:5432/longitude_bench_online) is dropped
 * and created at the start and dropped at the end unless `--keep`.
 *
 * Setup:
 * - Held out: one source record of each of K + warm-up people with two records or more, picked
 *   with a seeded generator; every other record is loaded.
 * - Records become FHIR Patients (`toPatient` below: the fields `patientToSourceRecord` reads
 *   back, the silo as the meta.source channel; a birth date that is not a FHIR date is left
 *   out, as validation would refuse it; an HL7 YYYYMMDD birth date is written YYYY-MM-DD as the
 *   HL7 mapping writes it; phones and SSNs stay as sent, as the integration stores them).
 * - Persons: `--persons truth` (default) takes membership from the simulator's labels, a
 *   latency-only setup (the 1,000,000-record batch link takes ~16 min and more memory than this
 *   bench may use); `--persons batch` links every loaded record with the batch engine and keeps
 *   its clusters and model. Each person gets its golden Patient (`buildGoldenPatient`, the
 *   survivorship rules), so the candidate searches filter golden Patients out as they would.
 * - Model: the batch engine (`linkRecords`) on a sample of whole people (`--sample` records,
 *   read back from their Patients), stored with `saveModel` as a relink stores it. Term
 *   frequencies are the sample's, coarser than a full relink's.
 *
 * Bulk load: batches of resources (sources and golden Patients) go through the store's own
 * write path below the unit of work: `prepareForWrite` (validation), `PendingWrites.flush`
 * (resource and history rows in one unnest statement, then `FhirSearchIndexer.index`: the
 * full-text rows and every search-index row from the hub's SearchParameters), with the
 * persons and links of the batch (`insertPersons`, `upsertLinks`) in the same transaction;
 * then ANALYZE. Bypassed for the load: the access policy check, the outbox events and the
 * per-resource audit rows of the load itself, and the commit-order lock they need. None of
 * them is read by a match: the candidate searches read the resource and search-index tables,
 * identity reads its own tables; the audit and outbox tables only grow (their writes during
 * the matches are measured, as the worker pays them).
 *
 * Phases of one match (the wrappers below time the service's own calls; nothing is re-run):
 * search = `OnlineLinker.candidates` (one FHIR search per block, the persons and links of
 * the candidates, every member read); decision = `decideOnline` (from the candidates to the
 * write); write = the link, decision row and golden rebuild (`place`'s transaction and its
 * audit); total = all of `refreshRecords` (also the link lookup, the record read, the model
 * id, source-merge searches). The issue's "online match" is search + decision.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Patient } from '@medplum/fhirtypes';
import pg from 'pg';
import { canonicalJson } from '../../src/platform/canonical-json.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { createPgDb } from '../../src/platform/db/pg-db.ts';
import type { Queryable } from '../../src/platform/db/db.ts';
import { PendingWrites } from '../../src/record/pending-writes.ts';
import { prepareForWrite } from '../../src/record/record-guard.ts';
import { resolveIdentityConfig } from '../../src/identity/config.ts';
import { patientToSourceRecord, SSN_SYSTEM } from '../../src/identity/from-fhir-patient.ts';
import { buildGoldenPatient } from '../../src/identity/golden-record.ts';
import { IdentityService } from '../../src/identity/identity-service.ts';
import { linkRecords, readDataset } from '../../src/identity/index.ts';
import { saveModel } from '../../src/identity/model-store.ts';
import { normalizeSex } from '../../src/identity/normalize/sex.ts';
import type { OnlineLinker } from '../../src/identity/online-linker.ts';
import * as sql from '../../src/identity/person-store.ts';
import { createRandom } from '../../src/identity/random.ts';
import { loadSurvivorshipRules } from '../../src/identity/survivorship.ts';
import type { SourceRecord } from '../../src/identity/types.ts';
import { writeOrganization } from '../../src/simulator/index.ts';
import { wireRecordParts } from '../../src/test-support/hub-parts.ts';
import { systemContext } from '../../src/trust/access-context.ts';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    people: { type: 'string', default: '433000' },
    seed: { type: 'string', default: '1' },
    online: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '20' },
    sample: { type: 'string', default: '50000' },
    persons: { type: 'string', default: 'truth' },
    database: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/longitude_bench_online' },
    batch: { type: 'string', default: '2000' },
    keep: { type: 'boolean', default: false },
  },
});
if (values.persons !== 'truth' && values.persons !== 'batch') throw new Error('--persons is truth or batch');

const seconds = (from: number) => (performance.now() - from) / 1000;
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const peak = { rss: 0 };
const sampler = setInterval(() => (peak.rss = Math.max(peak.rss, process.memoryUsage().rss)), 200);

// ------------------------------------------------------------------ organization and database

async function organizationDir(): Promise<{ dir: string; cleanup: () => void }> {
  if (values.dir) return { dir: values.dir, cleanup: () => undefined };
  const root = mkdtempSync(join(tmpdir(), 'longitude-bench-online-scale-'));
  const started = performance.now();
  await writeOrganization({ outDir: join(root, 'org'), people: Number(values.people), seed: Number(values.seed) });
  log(`simulated ${values.people} people in ${seconds(started).toFixed(0)} s`);
  return { dir: join(root, 'org'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Runs one statement on the server's maintenance database (create / drop the bench database). */
async function admin(statement: string): Promise<void> {
  const url = new URL(values.database);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const dbName = new URL(values.database).pathname.slice(1);
if (!/^[a-z_][a-z0-9_]*$/.test(dbName) || dbName === 'test' || dbName === 'postgres') throw new Error(`refusing database ${dbName}`);

// ------------------------------------------------------------------ records as FHIR Patients

const FHIR_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const fhirGender = { male: 'male', female: 'female', other: 'other' } as const;

/** A simulator record as the source Patient the integration would store (what patientToSourceRecord reads back). */
function toPatient(r: SourceRecord): Patient {
  const id = r.recordId.replace(/[^A-Za-z0-9\-.]/g, '-');
  // PID-7 is YYYYMMDD; the HL7 mapping writes it as a FHIR date.
  const birthDate = r.birthDate?.replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3');
  const sex = normalizeSex(r.sex);
  const phones = (r.phones ?? []).filter((p): p is string => !!p);
  const given = [r.givenName, r.middleName].filter((g): g is string => !!g);
  const address = r.address && Object.values(r.address).some((v) => !!v)
    ? [{ ...(r.address.line ? { line: [r.address.line] } : {}), ...(r.address.city ? { city: r.address.city } : {}), ...(r.address.state ? { state: r.address.state } : {}), ...(r.address.postalCode ? { postalCode: r.address.postalCode } : {}) }]
    : [];
  const identifier = [...(r.identifiers ?? []).map((i) => ({ system: i.system, value: i.value })), ...(r.ssn ? [{ system: SSN_SYSTEM, value: r.ssn }] : [])];
  const telecom = [...phones.map((value) => ({ system: 'phone' as const, value })), ...(r.email ? [{ system: 'email' as const, value: r.email }] : [])];
  return {
    resourceType: 'Patient',
    id,
    meta: { source: `urn:longitude:channel/${encodeURIComponent(r.source)}#bench` },
    ...(identifier.length > 0 ? { identifier } : {}),
    ...(r.familyName || given.length > 0 ? { name: [{ use: 'official' as const, ...(r.familyName ? { family: r.familyName } : {}), ...(given.length > 0 ? { given } : {}) }] } : {}),
    ...(telecom.length > 0 ? { telecom } : {}),
    ...(sex ? { gender: fhirGender[sex] } : {}),
    ...(birthDate && FHIR_DATE.test(birthDate) ? { birthDate } : {}),
    ...(address.length > 0 ? { address } : {}),
  };
}

// ------------------------------------------------------------------ bulk load through the store's row code

/** Versions 1 of these resources, validated, stored and indexed as a unit of work's flush stores them. */
async function storeResources(tx: Queryable, indexer: ConstructorParameters<typeof PendingWrites>[1], resources: readonly Patient[]): Promise<void> {
  const pending = new PendingWrites(tx, indexer);
  const now = new Date();
  for (const resource of resources) {
    const prepared = prepareForWrite(resource);
    const content = { ...prepared, meta: { ...prepared.meta, versionId: '1', lastUpdated: now.toISOString() } } as Patient;
    await pending.add({ resourceType: 'Patient', id: prepared.id!, versionId: 1, lastUpdated: now, deleted: false, content }, true);
  }
  await pending.flush();
}

const pct = (xs: readonly number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
};

const { dir, cleanup } = await organizationDir();
try {
  let started = performance.now();
  const dataset = readDataset(dir, 'simulator');
  log(`read ${dataset.records.length} records in ${seconds(started).toFixed(1)} s (rss ${mib(process.memoryUsage().rss)} MiB)`);

  // Held out: one record of each of K + warm-up people with two records or more.
  const random = createRandom(Number(values.seed) * 7919);
  const recordsOf = new Map<string, number[]>();
  dataset.entities.forEach((e, i) => (recordsOf.get(e) ?? recordsOf.set(e, []).get(e)!).push(i));
  const eligible = [...recordsOf.keys()].filter((e) => recordsOf.get(e)!.length >= 2);
  const online = Number(values.online);
  const warmup = Number(values.warmup);
  const heldOut: number[] = [];
  const seen = new Set<string>();
  while (heldOut.length < online + warmup && seen.size < eligible.length) {
    const person = eligible[Math.floor(random() * eligible.length)]!;
    if (seen.has(person)) continue;
    seen.add(person);
    const own = recordsOf.get(person)!;
    heldOut.push(own[Math.floor(random() * own.length)]!);
  }
  const held = new Set(heldOut);
  const loaded = dataset.records.map((_, i) => i).filter((i) => !held.has(i));

  // Persons of the loaded records, and the model.
  const config = resolveIdentityConfig();
  const contentOrder = (records: SourceRecord[]) =>
    records.map((r) => ({ r, key: canonicalJson({ ...r, recordId: '' }) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.r.recordId < b.r.recordId ? -1 : 1)).map((k) => k.r);
  let personOf: Map<number, string>; // loaded record index → person id
  let model: ReturnType<typeof linkRecords>['model'];
  let modelRecords: number;
  started = performance.now();
  if (values.persons === 'batch') {
    const input = contentOrder(loaded.map((i) => patientToSourceRecord(toPatient(dataset.records[i]!))));
    const indexOfRef = new Map(loaded.map((i) => [`Patient/${toPatient(dataset.records[i]!).id}`, i]));
    const result = linkRecords(input, { config });
    const cluster = new Map<number, string>();
    personOf = new Map();
    result.records.forEach((r, k) => {
      const c = result.clusterOf[k]!;
      if (!cluster.has(c)) cluster.set(c, randomUUID());
      personOf.set(indexOfRef.get(r.recordId)!, cluster.get(c)!);
    });
    model = result.model;
    modelRecords = input.length;
    log(`batch link of ${input.length} records: ${cluster.size} persons, ${result.pairsCompared} pairs, ${seconds(started).toFixed(1)} s`);
  } else {
    const personOfEntity = new Map<string, string>();
    personOf = new Map(loaded.map((i) => {
      const e = dataset.entities[i]!;
      if (!personOfEntity.has(e)) personOfEntity.set(e, randomUUID());
      return [i, personOfEntity.get(e)!];
    }));
    // The model from a sample of whole people (EM needs the pairs of one person together).
    const people = [...new Set(loaded.map((i) => dataset.entities[i]!))];
    for (let k = people.length - 1; k > 0; k--) {
      const j = Math.floor(random() * (k + 1));
      [people[k], people[j]] = [people[j]!, people[k]!];
    }
    const loadedOf = new Map<string, number[]>();
    for (const i of loaded) (loadedOf.get(dataset.entities[i]!) ?? loadedOf.set(dataset.entities[i]!, []).get(dataset.entities[i]!)!).push(i);
    const sample: SourceRecord[] = [];
    for (const p of people) {
      if (sample.length >= Number(values.sample)) break;
      for (const i of loadedOf.get(p)!) sample.push(patientToSourceRecord(toPatient(dataset.records[i]!)));
    }
    const result = linkRecords(contentOrder(sample), { config });
    model = result.model;
    modelRecords = sample.length;
    log(`model from a sample of ${sample.length} records (${result.pairsCompared} pairs) in ${seconds(started).toFixed(1)} s; persons from the labels`);
  }
  const modelSeconds = seconds(started);

  // The database.
  await admin(`drop database if exists ${dbName}`);
  await admin(`create database ${dbName}`);
  const db = createPgDb({ connectionString: values.database, max: 6 });
  await migrate(db);
  const parts = wireRecordParts(db);
  await parts.searchParameters.load();
  const rules = loadSurvivorshipRules();
  const ctx = systemContext('bench:identity-online');

  // Load: persons in batches of about `--batch` resources (their sources and golden Patient), two at a time.
  const membersOf = new Map<string, number[]>();
  for (const i of loaded) (membersOf.get(personOf.get(i)!) ?? membersOf.set(personOf.get(i)!, []).get(personOf.get(i)!)!).push(i);
  const personIds = [...membersOf.keys()];
  const batchSize = Number(values.batch);
  const loadAverageAtLoad = load();
  started = performance.now();
  const batches: string[][] = [];
  for (let k = 0, current: string[] = [], size = 0; k < personIds.length; k++) {
    current.push(personIds[k]!);
    size += membersOf.get(personIds[k]!)!.length + 1;
    if (size >= batchSize || k === personIds.length - 1) {
      batches.push(current);
      current = [];
      size = 0;
    }
  }
  let done = 0;
  let resourcesStored = 0;
  const loadBatch = async (persons: string[]) => {
    const resources: Patient[] = [];
    const links: sql.LinkRow[] = [];
    for (const personId of persons) {
      const sources = membersOf.get(personId)!.map((i) => {
        const patient = toPatient(dataset.records[i]!);
        return { ref: `Patient/${patient.id}`, patient, source: dataset.records[i]!.source };
      });
      resources.push(...sources.map((s) => s.patient), buildGoldenPatient({ id: personId, status: 'active', replacedBy: null }, sources, rules).patient);
      for (const s of sources) {
        links.push({ recordRef: s.ref, personId, source: s.source, score: null, probability: null, rule: sources.length > 1 ? 'auto-link' : 'auto-single', reasons: [], decidedBy: 'auto', decidedById: ctx.actor.id });
      }
    }
    await db.transaction(async (tx) => {
      await sql.insertPersons(tx, persons);
      await sql.upsertLinks(tx, links);
      await storeResources(tx, parts.searchIndexer, resources);
    });
    resourcesStored += resources.length;
    if (++done % 50 === 0) log(`  ${resourcesStored} resources (${(resourcesStored / seconds(started)).toFixed(0)}/s), rss ${mib(process.memoryUsage().rss)} MiB, load ${load()}`);
  };
  let next = 0;
  await Promise.all([0, 1].map(async () => {
    while (next < batches.length) await loadBatch(batches[next++]!);
  }));
  await db.transaction((tx) => saveModel(tx, model, modelRecords));
  const storeSeconds = seconds(started);
  started = performance.now();
  await db.query('analyze');
  const analyzeSeconds = seconds(started);
  const { rows: [size] } = await db.query<{ bytes: string }>('select pg_database_size(current_database())::text as bytes');
  const { rows: tables } = await db.query<{ name: string; bytes: string }>(
    `select c.relname as name, pg_total_relation_size(c.oid)::text as bytes from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' order by pg_total_relation_size(c.oid) desc limit 8`);
  log(`stored ${loaded.length} source Patients + ${personIds.length} golden Patients in ${storeSeconds.toFixed(0)} s, analyze ${analyzeSeconds.toFixed(0)} s; database ${(Number(size!.bytes) / 2 ** 30).toFixed(2)} GiB (${tables.map((t) => `${t.name} ${mib(Number(t.bytes))} MiB`).join(', ')})`);

  // Online: each held-out record written through the store, then placed as the identity worker places it.
  const identity = new IdentityService(parts);
  const linker = (identity as unknown as { online: OnlineLinker }).online;
  const access = (linker as unknown as { deps: { access: { authorize: (...args: unknown[]) => Promise<void> } } }).deps.access;
  interface Timing { searchMs: number; searchEnd?: number; decisionEnd?: number; placeEnd?: number }
  let current: Timing | undefined;
  const candidates = linker.candidates.bind(linker);
  linker.candidates = async (...args) => {
    const t0 = performance.now();
    try {
      return await candidates(...args);
    } finally {
      if (current) {
        current.searchMs += performance.now() - t0;
        current.searchEnd = performance.now();
      }
    }
  };
  const endOfDecision = () => {
    if (current?.searchEnd !== undefined && current.decisionEnd === undefined) current.decisionEnd = performance.now();
  };
  const authorize = access.authorize.bind(access);
  access.authorize = (...args) => {
    endOfDecision();
    return authorize(...args);
  };
  const transaction = parts.store.transaction.bind(parts.store);
  parts.store.transaction = ((...args: Parameters<typeof transaction>) => {
    endOfDecision();
    return transaction(...args);
  }) as typeof parts.store.transaction;
  const place = linker.place.bind(linker);
  linker.place = async (...args) => {
    try {
      return await place(...args);
    } finally {
      if (current) current.placeEnd = performance.now();
    }
  };

  const expected = (record: number) => {
    // The person holding most of the true person's loaded records.
    const count = new Map<string, number>();
    for (const i of recordsOf.get(dataset.entities[record]!)!) if (personOf.has(i)) count.set(personOf.get(i)!, (count.get(personOf.get(i)!) ?? 0) + 1);
    return [...count].sort((a, b) => b[1] - a[1])[0]?.[0];
  };
  const totals: number[] = [];
  const searches: number[] = [];
  const decisions: number[] = [];
  const writes: number[] = [];
  const outcome = { joined: 0, wrong: 0, single: 0 };
  const outcomeOf = new Map<string, typeof outcome>();
  const loadAverageAtMatch = load();
  const matchStarted = performance.now();
  for (const [k, record] of heldOut.entries()) {
    const patient = toPatient(dataset.records[record]!);
    await parts.store.transaction(ctx, (tx) => tx.update(patient));
    current = { searchMs: 0 };
    const t0 = performance.now();
    const [person] = await identity.refreshRecords(ctx, [`Patient/${patient.id}`]);
    const total = performance.now() - t0;
    const t = current;
    current = undefined;
    if (k < warmup) continue;
    totals.push(total);
    searches.push(t.searchMs);
    decisions.push((t.decisionEnd ?? t.placeEnd ?? t0) - (t.searchEnd ?? t0));
    writes.push((t.placeEnd ?? t0) - (t.decisionEnd ?? t.placeEnd ?? t0));
    const want = expected(record);
    const silo = dataset.records[record]!.source;
    const bySilo = outcomeOf.get(silo) ?? outcomeOf.set(silo, { joined: 0, wrong: 0, single: 0 }).get(silo)!;
    const kind = person === want ? 'joined' : person !== undefined && membersOf.has(person) ? 'wrong' : 'single';
    outcome[kind]++;
    bySilo[kind]++;
    if (process.env['BENCH_MISSES'] && kind !== 'joined') {
      console.log(`miss (${kind}): ${JSON.stringify(dataset.records[record])}\n  true person: ${recordsOf.get(dataset.entities[record]!)!.filter((i) => i !== record).map((i) => JSON.stringify(dataset.records[i])).join('\n               ')}`);
    }
  }
  const matchSeconds = seconds(matchStarted);
  const matches = searches.map((s, k) => s + decisions[k]!);
  const row = (label: string, xs: number[]) => `| ${label} | ${pct(xs, 0.5).toFixed(1)} | ${pct(xs, 0.95).toFixed(1)} | ${pct(xs, 0.99).toFixed(1)} | ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1)} |`;
  console.log(`\nmachine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${mib(totalmem())} MiB, Node ${process.version}; load average at load ${loadAverageAtLoad}, at matching ${loadAverageAtMatch}, at end ${load()}`);
  console.log(`records: ${dataset.records.length} (${recordsOf.size} people); loaded ${loaded.length} source Patients + ${personIds.length} golden Patients, persons from ${values.persons}; model from ${modelRecords} records (${modelSeconds.toFixed(0)} s)`);
  console.log(`load: ${storeSeconds.toFixed(0)} s (${(resourcesStored / storeSeconds).toFixed(0)} resources/s) + analyze ${analyzeSeconds.toFixed(0)} s; database ${(Number(size!.bytes) / 2 ** 30).toFixed(2)} GiB`);
  console.log(`online: ${totals.length} new records after ${warmup} warm-up, ${matchSeconds.toFixed(1)} s; joined their true person ${outcome.joined} (${((100 * outcome.joined) / totals.length).toFixed(1)} %), another person ${outcome.wrong}, a person of their own ${outcome.single}`);
  console.log(`  by silo of the new record: ${[...outcomeOf].sort().map(([silo, o]) => `${silo} ${o.joined}/${o.joined + o.wrong + o.single}${o.wrong ? ` (${o.wrong} to another person)` : ''}`).join(', ')}`);
  console.log('| per new record (ms) | p50 | p95 | p99 | mean |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(row('match = search + decision', matches));
  console.log(row('candidate search', searches));
  console.log(row('decision', decisions));
  console.log(row('write (link, golden record)', writes));
  console.log(row('total (refreshRecords)', totals));
  console.log(`peak RSS ${mib(peak.rss)} MiB`);
  await parts.close();
  if (!values.keep) await admin(`drop database ${dbName}`);
} finally {
  clearInterval(sampler);
  cleanup();
}
