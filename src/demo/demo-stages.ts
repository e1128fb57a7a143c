/**
 * The stages of the demo load, each a plain function over the hub that returns its counts and
 * one summary line: write the simulated organization, feed its HL7 v2 silos over MLLP, import
 * its CSV extracts and FHIR Bundles, link identities, compute signals. Each reuses what the
 * corresponding command does (`simulate`, `import`, `identity relink --all`, `signals run`).
 */
import { mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Hub } from '../hub.ts';
import { IDENTITY_CONSUMER } from '../identity/identity-consumer.ts';
import { IdentityService, type RelinkProgress } from '../identity/identity-service.ts';
import { createSignalServices, identityPersons, runSignals, SignalRunner } from '../intelligence/signals/index.ts';
import { SIGNALS_CONSUMER } from '../intelligence/signals/signal-consumer.ts';
import { shippedMappings } from '../integration/csv/index.ts';
import { createEntryChecks } from '../integration/entry-checks.ts';
import { sameFactFinder } from '../integration/same-fact.ts';
import { recordsOfSamePerson } from '../identity/person-store.ts';
import { importDirectory } from '../integration/import/index.ts';
import { publicBaseUrl } from '../platform/config.ts';
import { writeOrganization } from '../simulator/index.ts';
import { systemContext } from '../trust/access-context.ts';
import { countHl7Messages, feedMllp, type MllpTarget } from './mllp-feed.ts';
import { catchUpConsumers } from './outbox-catch-up.ts';
import type { DemoParameters } from './demo-state.ts';

export type DemoStage = 'simulate' | 'hl7' | 'files' | 'identity' | 'signals';

export interface StageSummary {
  stage: DemoStage;
  seconds: number;
  /** CPU seconds the process spent (wall seconds alone mislead on a busy machine). */
  cpuSeconds?: number;
  counts: Record<string, number>;
  /** One line for a person: what the stage did, with counts and seconds. */
  line: string;
}

/** Told as a stage moves on (`step` names a part of it: identity's "comparing pairs"). */
export type StageProgress = (done: number, total: number, step?: string) => void;

/** The silos fed over MLLP (HL7 v2 day files); every other silo goes through the importer. */
const MLLP_SILOS = ['hospital', 'labs'];
const FILE_SILOS = ['ehr-clinic', 'payer', 'crm'];
/** The outbox consumers whose whole work the identity and signals stages do in batch. */
export const BATCHED_CONSUMERS = [IDENTITY_CONSUMER, SIGNALS_CONSUMER];

const since = (started: number) => (performance.now() - started) / 1000;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export async function simulateStage(orgDir: string, params: DemoParameters, progress: StageProgress): Promise<StageSummary> {
  const started = performance.now();
  // The directory is the demo's own: a load that was interrupted left it half written.
  rmSync(orgDir, { recursive: true, force: true });
  const sim = await writeOrganization({
    outDir: orgDir, people: params.people, seed: params.seed, startDate: params.startDate,
    onProgress: (done) => progress(done, params.people),
  });
  const items = (silo: keyof typeof sim.silos) => sim.silos[silo]?.items ?? 0;
  const counts = {
    people: sim.people, hl7Messages: items('hospital') + items('labs'), claimRows: items('payer'),
    bundles: items('ehr-clinic'), crmRows: items('crm'), injectedErrors: sim.errors,
  };
  const seconds = since(started);
  const line =
    `simulate  ${counts.people} people (${sim.measurementPeriod.start}..${sim.measurementPeriod.end}): ${counts.hl7Messages} HL7 messages, ` +
    `${counts.claimRows} claims, ${counts.bundles} FHIR bundles, ${counts.crmRows} CRM rows, ${counts.injectedErrors} injected errors in ${seconds.toFixed(1)} s`;
  return { stage: 'simulate', seconds, counts, line };
}

/** The HL7 v2 day files of a silo folder, in date order (none when the silo was not written). */
function hl7FilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith('.hl7')).sort().map((n) => join(dir, n));
}

/** Hospital ADT and lab ORU over real TCP to the hub's MLLP listener, one connection per silo. */
export async function hl7Stage(hub: Hub, orgDir: string, target: MllpTarget, progress: StageProgress): Promise<StageSummary> {
  const started = performance.now();
  const bySilo = MLLP_SILOS.map((silo) => hl7FilesIn(join(orgDir, silo)));
  const total = await countHl7Messages(bySilo.flat());
  const answered = bySilo.map(() => 0);
  const report = () => progress(answered.reduce((a, b) => a + b, 0), total);
  progress(0, total);
  const results = await Promise.all(
    bySilo.map((files, i) => feedMllp(files, target, { onAck: (n) => { answered[i] = n; report(); } })),
  );
  // ACK after processing is the hub's default; a channel with `ackAfter: stored` left them
  // queued, and they are processed now (the background worker starts after the load).
  await hub.integration.processor.drain();
  const acks: Record<string, number> = {};
  for (const r of results) for (const [code, n] of Object.entries(r.acks)) acks[code] = (acks[code] ?? 0) + n;
  const sent = results.reduce((n, r) => n + r.sent, 0);
  const counts = { sent, accepted: acks.AA ?? 0, errored: sent - (acks.AA ?? 0), ...Object.fromEntries(Object.entries(acks).map(([k, v]) => [`ack${k}`, v])) };
  const seconds = since(started);
  const codes = Object.entries(acks).sort().map(([code, n]) => `${n} ${code}`).join(', ');
  const first = results.flatMap((r) => r.notAccepted)[0];
  const line =
    `hl7       ${plural(sent, 'message')} over MLLP to port ${target.port}: ${codes || 'no answers'}` +
    `${first ? ` (first ${first.code}: ${first.file}:${first.line} ${first.text})` : ''} in ${seconds.toFixed(1)} s`;
  return { stage: 'hl7', seconds, counts, line };
}

/**
 * The CSV extracts and FHIR Bundles through the importer. The importer takes a directory and
 * would read the HL7 files too, so it is given a folder of links to the other silos (the silo
 * is the first folder's name, so control ids and provenance are as for `longitude import`).
 */
export async function filesStage(hub: Hub, orgDir: string, progress: StageProgress): Promise<StageSummary> {
  const started = performance.now();
  const linked = join(orgDir, '.import-files');
  rmSync(linked, { recursive: true, force: true });
  mkdirSync(linked);
  for (const silo of FILE_SILOS) symlinkSync(join('..', silo), join(linked, silo), 'dir');
  const result = await importDirectory(
    {
      db: hub.db, store: hub.store, ctx: systemContext('demo:import'), fhirBaseUrl: `${publicBaseUrl(hub.config)}/fhir/R4`,
      mappings: shippedMappings(), entryChecks: createEntryChecks({}), sameAs: sameFactFinder(recordsOfSamePerson), logger: hub.logger,
    },
    linked,
    {
      batchSize: 500,
      onDetected: (d) => progress(0, Math.ceil(d.sources.reduce((n, s) => n + s.files.reduce((m, f) => m + f.bytes, 0), 0) / 1e3), 'kB'),
      onProgress: (p) => progress(Math.floor(p.bytes / 1e3), Math.ceil(p.totalBytes / 1e3), 'kB'),
    },
  );
  const sum = (key: 'read' | 'processed' | 'filtered' | 'rejected' | 'queued' | 'duplicates') => result.silos.reduce((n, s) => n + s[key], 0);
  const counts = { read: sum('read'), processed: sum('processed'), filtered: sum('filtered'), rejected: sum('rejected'), queued: sum('queued'), alreadyStored: sum('duplicates') };
  const seconds = since(started);
  const perSilo = result.silos.map((s) => `${s.silo} ${s.read}`).join(', ');
  const line =
    `files     ${counts.read} rows and bundles (${perSilo}): ${counts.processed} processed, ${counts.filtered} filtered, ` +
    `${counts.rejected} rejected${counts.alreadyStored ? `, ${counts.alreadyStored} already stored` : ''} in ${seconds.toFixed(1)} s`;
  return { stage: 'files', seconds, counts, line };
}

const IDENTITY_STEPS: Record<Parameters<RelinkProgress>[0], string> = {
  read: 'reading', normalize: 'normalizing', block: 'blocking', compare: 'comparing pairs',
  estimate: 'estimating', cluster: 'clustering', store: 'storing persons',
};

/** Every source Patient linked into persons, with golden records (`identity relink --all`). */
export async function identityStage(hub: Hub, progress: StageProgress): Promise<StageSummary> {
  const started = performance.now();
  const summary = await new IdentityService(hub).relinkAll(systemContext('demo:identity'), {
    onProgress: (step, done, total) => progress(done, total, IDENTITY_STEPS[step]),
  });
  const counts = {
    sourceRecords: summary.sourceRecords, persons: summary.persons, merged: summary.personsMerged,
    reviewOpened: summary.reviewOpened, goldenWritten: summary.goldenWritten, pairsCompared: summary.pairsCompared,
    sameFactCopiesRemoved: summary.sameFactCopiesRemoved,
  };
  const seconds = since(started);
  const line =
    `identity  ${counts.sourceRecords} source records → ${counts.persons} persons, ${counts.reviewOpened} review items, ` +
    `${counts.pairsCompared} pairs compared, ${counts.sameFactCopiesRemoved} results reported twice made one, in ${seconds.toFixed(1)} s`;
  return { stage: 'identity', seconds, counts, line };
}

/**
 * Signals for every person (`signals run --all`), with the same services the running hub
 * recomputes with afterwards (its measures, the calendar year of the run), then the outbox
 * consumers of identity and signals moved past what this load wrote: the batch did their work.
 */
export async function signalsStage(hub: Hub, asOf: Date | undefined, progress: StageProgress): Promise<StageSummary> {
  const started = performance.now();
  // Care gaps are CQL evaluated in JavaScript: one worker thread per core runs them beside the
  // thread that reads records and writes signals.
  const { services, notes, close } = createSignalServices({ measuresDir: hub.config.measuresDir, workers: availableParallelism() });
  const runner = new SignalRunner({ ...hub, services, logger: hub.logger });
  const run = await runSignals({ runner, directory: identityPersons(hub.db) }, systemContext('demo:signals'), {
    ...(asOf ? { asOf } : {}),
    onProgress: (done, total) => progress(done, total),
  }).finally(close);
  await catchUpConsumers(hub.db, BATCHED_CONSUMERS);
  const counts: Record<string, number> = { persons: run.persons, failures: run.failures.length };
  let open = 0;
  for (const [kind, t] of run.byKind) {
    counts[kind] = t.raised + t.stillOpen;
    open += t.raised + t.stillOpen;
  }
  counts.open = open;
  const seconds = since(started);
  const byKind = [...run.byKind].filter(([, t]) => t.raised + t.stillOpen > 0).map(([kind, t]) => `${t.raised + t.stillOpen} ${kind}`).join(', ');
  const line =
    `signals   ${run.persons} persons: ${open} open (${byKind || 'none'})` +
    `${run.failures.length ? `, ${run.failures.length} kind runs failed (first: ${run.failures[0]!.kind}: ${run.failures[0]!.message})` : ''}${notes.length ? ` [${notes.join('; ')}]` : ''} in ${seconds.toFixed(1)} s`;
  return { stage: 'signals', seconds, counts, line };
}
