/**
 * The demo `npm start` brings up on an empty database: a simulated organization written to
 * `<dataDir>/demo-org/`, its silos fed through the real connectors (HL7 v2 over the hub's own
 * MLLP listener, CSV and FHIR Bundles through the importer), identities linked and signals
 * computed, each stage reported as it goes and summed up in one line.
 *
 * Call it before the outbox dispatcher and the message worker start (the loader processes what
 * it stores itself): identity and signals are done in batch, and their outbox consumers are
 * then moved past everything the load wrote (outbox-catch-up.ts).
 * The state table makes it run once: `ready` is skipped; `loading` (an interrupted load) is
 * redone from the start with the recorded parameters, which is safe because the simulator is
 * deterministic, a message stored before is not processed again and relinking keeps person ids.
 */
import { join } from 'node:path';
import type { Hub } from '../hub.ts';
import { filesStage, hl7Stage, identityStage, signalsStage, simulateStage, type DemoStage, type StageProgress, type StageSummary } from './demo-stages.ts';
import { holdsNoData, markDemoLoading, markDemoReady, readDemoState, type DemoParameters, type DemoState } from './demo-state.ts';

export type { DemoStage, StageSummary } from './demo-stages.ts';

export const defaultDemoPeople = 2000;
export const defaultDemoSeed = 1;

export interface DemoProgress {
  /** A stage moved on; `step` names the part of it under way (identity's steps, `kB` read). */
  update(stage: DemoStage, done: number, total: number, step?: string): void;
  /** A stage finished. */
  done(summary: StageSummary): void;
}

export interface DemoOptions {
  /** Port of the hub's MLLP listener (from `hub.integration.listen()`): the HL7 silos go over TCP. */
  mllpPort: number;
  mllpHost?: string;
  /** People to simulate (default 2,000). */
  people?: number;
  /** Simulator seed (default 1): the same seed and start date give the same organization. */
  seed?: number;
  /** First day of the simulated year, YYYY-MM-DD; default one year before today, so the record is current. */
  startDate?: string;
  /** Where the organization is written (default `<dataDir>/demo-org`). */
  orgDir?: string;
  /** Signals as of this moment (default now). */
  asOf?: Date;
  progress?: DemoProgress;
}

export interface DemoResult {
  /** `loaded` now; `already-loaded` by an earlier start; `not-empty`: the database holds other data, left alone. */
  status: 'loaded' | 'already-loaded' | 'not-empty';
  /** The parameters loaded (for `loaded`, and `already-loaded`). */
  state?: DemoState;
  /** True when an interrupted load was found and redone. */
  resumed: boolean;
  stages: StageSummary[];
  seconds: number;
}

export async function bootstrapDemo(hub: Hub, options: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const existing = await readDemoState(hub.db);
  if (existing?.status === 'ready') return { status: 'already-loaded', state: existing, resumed: false, stages: [], seconds: 0 };
  if (!existing && !(await holdsNoData(hub.db))) return { status: 'not-empty', resumed: false, stages: [], seconds: 0 };
  // An interrupted load is redone as it began, whatever this start asked for.
  const params: DemoParameters = existing ?? {
    people: options.people ?? defaultDemoPeople,
    seed: options.seed ?? defaultDemoSeed,
    startDate: options.startDate ?? aYearBefore(new Date()),
  };
  await markDemoLoading(hub.db, params);

  const orgDir = options.orgDir ?? join(hub.config.dataDir, 'demo-org');
  const stages: StageSummary[] = [];
  const stage = async (name: DemoStage, work: (progress: StageProgress) => Promise<StageSummary>) => {
    const cpu = process.cpuUsage();
    const summary = await work((done, total, step) => options.progress?.update(name, done, total, step));
    const used = process.cpuUsage(cpu);
    summary.cpuSeconds = Math.round((used.user + used.system) / 1e4) / 100;
    stages.push(summary);
    options.progress?.done(summary);
  };
  await stage('simulate', (p) => simulateStage(orgDir, params, p));
  await stage('hl7', (p) => hl7Stage(hub, orgDir, { port: options.mllpPort, ...(options.mllpHost ? { host: options.mllpHost } : {}) }, p));
  await stage('files', (p) => filesStage(hub, orgDir, p));
  await stage('identity', (p) => identityStage(hub, p));
  await stage('signals', (p) => signalsStage(hub, options.asOf, p));
  await markDemoReady(hub.db, stages.map(({ stage: s, seconds, cpuSeconds, counts }) => ({ stage: s, seconds, cpuSeconds, counts })));
  const state = await readDemoState(hub.db);
  return { status: 'loaded', ...(state ? { state } : {}), resumed: existing !== undefined, stages, seconds: (performance.now() - started) / 1000 };
}

/** The day a year before `now` (UTC), so the simulated year ends today. */
function aYearBefore(now: Date): string {
  const d = new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), now.getUTCDate()));
  return d.toISOString().slice(0, 10);
}
