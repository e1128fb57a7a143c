/**
 * A full run: every person in the directory (or one), a page at a time, with a tally per
 * kind. Also builds the services the kinds need from plain options (the measure engine).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createMeasureEngine, createMeasureEnginePool, loadMeasureContent, oneYearPeriod, type MeasureEngine } from '../measures/index.ts';
import type { AccessContext } from '../../trust/access-context.ts';
import type { PersonDirectory, PersonRef } from './person-directory.ts';
import { emptyTally, type KindTally } from './signal-lifecycle.ts';
import type { PersonRun, SignalRunner } from './signal-runner.ts';
import type { SignalKindId, SignalServices } from './signal.ts';

/** Persons per page of a full run (one compartment read, one search, one write transaction each). */
const pageSize = 100;

export interface SignalServiceOptions {
  /** Measure content directory (manifest.json); care gaps are skipped without one. */
  measuresDir?: string;
  /** First day of a one-year measurement period; default the calendar year of the run. */
  periodStart?: string;
  /**
   * Retrieve only QI-Core-profiled resources in the measures (see docs/signals.md). Records fed
   * from the silos carry no QI-Core profiles, so the default for signals is false.
   */
  requireProfileTagging?: boolean;
  /** Compile the measures on first use instead of now. */
  lazy?: boolean;
  /**
   * Evaluate measures on this many worker threads (a run over many persons); 0, the default,
   * evaluates on the calling thread. With workers, call `close` when the run is over.
   */
  workers?: number;
}

/** The kinds' shared services; `notes` says what is missing (no measure content). */
export function createSignalServices(options: SignalServiceOptions): { services: SignalServices; notes: string[]; close: () => Promise<void> } {
  const services: SignalServices = {};
  const notes: string[] = [];
  const dir = options.measuresDir;
  const requireProfileTagging = options.requireProfileTagging ?? false;
  let close = async (): Promise<void> => {};
  if (!dir || !existsSync(join(dir, 'manifest.json'))) {
    notes.push(`no measure content at ${options.measuresDir ?? '(none)'}: care gaps are not computed`);
  } else if (options.workers) {
    const pool = createMeasureEnginePool(loadMeasureContent(dir), { measuresDir: dir, workers: options.workers, requireProfileTagging });
    services.measureEngine = pool;
    close = () => pool.close();
  } else {
    const compile = () => createMeasureEngine(loadMeasureContent(dir), { requireProfileTagging });
    if (options.lazy) {
      // Compiling takes seconds: a long-running hub compiles on the first care-gap run, not at start.
      let engine: MeasureEngine | undefined;
      Object.defineProperty(services, 'measureEngine', { enumerable: true, get: () => (engine ??= compile()) });
    } else services.measureEngine = compile();
  }
  if (options.periodStart) services.measurementPeriod = oneYearPeriod(options.periodStart);
  return { services, notes, close };
}

export interface RunSummary {
  persons: number;
  byKind: Map<SignalKindId, KindTally>;
  failures: { person: string; kind: SignalKindId; message: string }[];
}

export async function runSignals(
  deps: { runner: SignalRunner; directory: PersonDirectory },
  ctx: AccessContext,
  options: { person?: string; kinds?: readonly SignalKindId[]; asOf?: Date; onProgress?: (done: number, total: number) => void },
): Promise<RunSummary> {
  const summary: RunSummary = { persons: 0, byKind: new Map(), failures: [] };
  const runOptions = { ...(options.kinds ? { kinds: options.kinds } : {}), ...(options.asOf ? { asOf: options.asOf } : {}) };
  const tallyOne = (person: PersonRef, run: PersonRun) => {
    for (const [kind, t] of run.tally) {
      const sum = summary.byKind.get(kind) ?? emptyTally();
      sum.raised += t.raised;
      sum.stillOpen += t.stillOpen;
      sum.resolved += t.resolved;
      summary.byKind.set(kind, sum);
    }
    for (const f of run.failed) summary.failures.push({ person: person.id, ...f });
    summary.persons += 1;
  };
  if (options.person) {
    const person = await deps.directory.personOf(options.person);
    tallyOne(person, await deps.runner.runPerson(ctx, person, runOptions));
    options.onProgress?.(1, 1);
    return summary;
  }
  const total = await deps.directory.count();
  const runPage = async (page: readonly PersonRef[]) => {
    const runs = await deps.runner.runPersons(ctx, page, runOptions);
    page.forEach((person, i) => tallyOne(person, runs[i]!));
    options.onProgress?.(summary.persons, total);
  };
  // A page at a time: records read, stored signals searched and changes written together. Two
  // pages are in flight, so that one page's records are read and its signals written while the
  // other's care gaps are evaluated on the measure workers: one after the other, the workers
  // and the database each waited for the other about half of the stage (CPU profiles of the
  // 300-person demo: main thread idle 54 %, workers idle 40 %).
  const inFlight: Promise<void>[] = [];
  let after: string | undefined;
  try {
    for (;;) {
      const page = await deps.directory.listPersons(after, pageSize);
      if (page.length === 0) break;
      after = page.at(-1)!.id;
      const running = runPage(page);
      running.catch(() => undefined); // awaited in turn below; a failure stops the run there
      inFlight.push(running);
      if (inFlight.length > 1) await inFlight.shift();
    }
    while (inFlight.length > 0) await inFlight.shift();
  } catch (err) {
    await Promise.allSettled(inFlight);
    throw err;
  }
  return summary;
}
