/**
 * The measure engine on worker threads. Evaluating CQL is CPU work in JavaScript (cql-execution
 * over cql-exec-fhir's model), and a run over every person of an organization is mostly that:
 * on one thread it leaves the other cores idle while the database thread waits. A pool keeps a
 * compiled engine per worker (measure-worker.ts) and hands each evaluation to the least busy
 * one; callers that evaluate several patients at once get them done side by side.
 *
 * Same interface as the in-process engine (measure-engine.ts), same results: the workers run
 * that engine. Worker start-up compiles the measures (seconds), so a pool is for runs over many
 * persons, not for one evaluation.
 */
import { Worker } from 'node:worker_threads';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { LongitudeError, type ErrorCode } from '../../platform/errors.ts';
import type { MeasureDefinition } from './measure-content.ts';
import type { InitialPopulationResults, MeasureEngine, MeasureEngineOptions, PatientMeasureResult } from './measure-engine.ts';
import type { MeasurementPeriod } from './measurement-period.ts';

export interface WorkerRequest {
  id: number;
  method: 'evaluate' | 'evaluateInitialPopulations';
  patient: Bundle | Resource[];
  period: MeasurementPeriod;
  measureIds?: readonly string[] | undefined;
}

export type WorkerReply =
  | { id: number; results: PatientMeasureResult[] | InitialPopulationResults }
  | { id: number; error: { code: ErrorCode; message: string } }
  | { id: 0; ready: true };

export interface MeasureEnginePool extends MeasureEngine {
  /** Stops the workers (evaluations still waiting are refused). */
  close(): Promise<void>;
}

export interface MeasureEnginePoolOptions extends MeasureEngineOptions {
  /** The measure content folder each worker loads (measures/manifest.json). */
  measuresDir: string;
  workers: number;
}

interface Pending {
  resolve: (results: PatientMeasureResult[] | InitialPopulationResults) => void;
  reject: (err: unknown) => void;
}

interface Lane {
  worker: Worker;
  inFlight: Map<number, Pending>;
}

/**
 * The workers run TypeScript sources like the rest of the hub: each registers tsx's loader
 * before importing its entry (a worker does not inherit the loader `bin/longitude.js` registered).
 */
function startWorker(workerData: unknown): Worker {
  const loader = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./measure-worker.ts', import.meta.url).href;
  const source = `import(${JSON.stringify(loader)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(source, { eval: true, workerData });
}

export function createMeasureEnginePool(definitions: readonly MeasureDefinition[], options: MeasureEnginePoolOptions): MeasureEnginePool {
  const { measuresDir, workers, ...engineOptions } = options;
  const workerData = { measuresDir, measureIds: definitions.map((d) => d.id), options: engineOptions };
  let nextId = 1;
  let closed = false;
  const lanes: Lane[] = Array.from({ length: Math.max(1, workers) }, () => {
    const lane: Lane = { worker: startWorker(workerData), inFlight: new Map() };
    lane.worker.unref();
    lane.worker.on('message', (reply: WorkerReply) => settle(lane, reply));
    lane.worker.on('error', (err) => failAll(lane, err));
    lane.worker.on('exit', (code) => failAll(lane, new LongitudeError('LNG_INTERNAL', `a measure worker stopped (exit code ${code})`)));
    return lane;
  });

  function settle(lane: Lane, reply: WorkerReply): void {
    if ('ready' in reply) return;
    const pending = lane.inFlight.get(reply.id);
    if (!pending) return;
    lane.inFlight.delete(reply.id);
    // An idle worker must not keep the process alive; a busy one must, until it answers.
    if (lane.inFlight.size === 0) lane.worker.unref();
    if ('error' in reply) pending.reject(new LongitudeError(reply.error.code, reply.error.message));
    else pending.resolve(reply.results);
  }

  function failAll(lane: Lane, err: unknown): void {
    for (const pending of lane.inFlight.values()) pending.reject(err);
    lane.inFlight.clear();
  }

  function request(method: WorkerRequest['method'], patient: Bundle | Resource[], period: MeasurementPeriod, measureIds?: readonly string[]): Promise<PatientMeasureResult[] | InitialPopulationResults> {
    if (closed) return Promise.reject(new LongitudeError('LNG_INTERNAL', 'the measure engine pool is closed'));
    const lane = lanes.reduce((best, l) => (l.inFlight.size < best.inFlight.size ? l : best));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      if (lane.inFlight.size === 0) lane.worker.ref();
      lane.inFlight.set(id, { resolve, reject });
      lane.worker.postMessage({ id, method, patient, period, measureIds } satisfies WorkerRequest);
    });
  }

  return {
    measures: definitions,
    // Each method's worker answers with that method's result.
    evaluate: (patient, period, measureIds) => request('evaluate', patient, period, measureIds) as Promise<PatientMeasureResult[]>,
    evaluateInitialPopulations: (patient, period, measureIds) => request('evaluateInitialPopulations', patient, period, measureIds) as Promise<InitialPopulationResults>,
    async close() {
      closed = true;
      await Promise.all(lanes.map((lane) => lane.worker.terminate()));
    },
  };
}
