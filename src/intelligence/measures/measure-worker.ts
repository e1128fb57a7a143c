/**
 * A measure engine in a worker thread (measure-engine-pool.ts starts it): compiles the
 * measures of `measuresDir` once, then answers evaluation requests one after another.
 * Requests and answers are plain data (a patient's resources in; populations, care gap and
 * explanation out), so they cross the thread boundary by structured clone.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LongitudeError } from '../../platform/errors.ts';
import { loadMeasureContent } from './measure-content.ts';
import { createMeasureEngine, type MeasureEngineOptions } from './measure-engine.ts';
import type { WorkerReply, WorkerRequest } from './measure-engine-pool.ts';

const { measuresDir, measureIds, options } = workerData as { measuresDir: string; measureIds?: string[]; options: MeasureEngineOptions };
const engine = createMeasureEngine(loadMeasureContent(measuresDir, measureIds), options);

parentPort!.on('message', (request: WorkerRequest) => {
  const run = request.method === 'evaluate' ? engine.evaluate : engine.evaluateInitialPopulations;
  run(request.patient, request.period, request.measureIds).then(
    (results) => parentPort!.postMessage({ id: request.id, results } satisfies WorkerReply),
    (err: unknown) => {
      const error = err instanceof LongitudeError ? { code: err.code, message: err.message } : { code: 'LNG_INTERNAL' as const, message: err instanceof Error ? err.message : String(err) };
      parentPort!.postMessage({ id: request.id, error } satisfies WorkerReply);
    },
  );
});
parentPort!.postMessage({ id: 0, ready: true } satisfies WorkerReply);
