/**
 * MLLP end to end: senders on real TCP connections send HL7 v2 messages one at a time (send,
 * wait for the ACK, send the next, as MLLP senders do) to a hub in its own process
 * (bench/integration/mllp-hub.ts). Measured per backend, per ACK mode and per number of
 * connections, each on a fresh database:
 * - ackAfter `stored`: messages stored and ACKed per second, and ACK latency; then how long the
 *   worker takes to put all of them into the record (messages into FHIR per second, from the
 *   first send to the queue drained);
 * - ackAfter `processed`: the ACK comes once the message is in the record, so the ACK rate is
 *   the rate into FHIR.
 * The messages alternate ADT^A01 and ORU^R01 (three OBX) over a pool of patients, so some
 * update patients already in the record. Every ACK must be AA with the matching control id.
 *
 * With `--worker off` the hub's worker starts only once the senders are done: stored+ACKed is
 * then the receipt path alone, and into FHIR the worker alone (from the last ACK to drained).
 *
 * Each hub is warmed up first (`--warmup` messages sent and processed, not counted): the
 * first messages load the FHIR definitions and compile the maps, about 2 s of CPU that a
 * 5-second run would otherwise report as throughput.
 *
 *   node --import tsx bench/integration/mllp.ts [--backend pg|pglite|both] [--duration 10]
 *        [--connections 1,8] [--patients 500] [--warmup 40] [--postgres URL] [--worker on|off]
 *        [--ack-after stored,processed] [--cpu-prof-dir DIR (a CPU profile of each hub)]
 */
import { fork } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { parseMessageOrThrow } from '../../src/integration/hl7v2/parse.ts';
import { MllpClient } from '../../src/integration/mllp/mllp-client.ts';
import { feedMessage } from '../../src/test-support/hl7-feed.ts';
import { percentile } from '../fhir/latency.ts';
import type { MllpHubReady } from './mllp-hub.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'both' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '1,8' },
    patients: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '40' },
    postgres: { type: 'string' },
    worker: { type: 'string', default: 'on' },
    'ack-after': { type: 'string', default: 'stored,processed' },
    'cpu-prof-dir': { type: 'string' },
  },
});
const backends = values.backend === 'both' ? ['pg', 'pglite'] : [values.backend!];
const durationMs = Number(values.duration) * 1000;
const connectionCounts = values.connections!.split(',').map(Number);
const patientPool = Number(values.patients);
const warmupMessages = Number(values.warmup);
const workerOn = values.worker !== 'off';
const postgresUrl = values.postgres ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Hub {
  port: number;
  drain(): Promise<{ processed: number; errored: number; received: number }>;
  stop(): Promise<void>;
}

async function startHub(backend: string, ackAfter: string): Promise<Hub> {
  const args = ['--backend', backend, '--ack-after', ackAfter, '--worker', workerOn ? 'on' : 'off', ...(backend === 'pg' ? ['--postgres', postgresUrl] : [])];
  const child = fork(new URL('./mllp-hub.ts', import.meta.url).pathname, args, { execArgv: ['--import', 'tsx', ...(values['cpu-prof-dir'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof-dir']}`] : [])], stdio: 'inherit' });
  const ready = await new Promise<MllpHubReady>((resolve, reject) => {
    child.once('message', (m) => resolve(m as MllpHubReady));
    child.once('exit', (code) => reject(new Error(`hub exited (${code}) before it was ready`)));
  });
  return {
    port: ready.port,
    drain: () =>
      new Promise((resolve) => {
        child.once('message', (m) => {
          const [stats] = (m as { stats: { processed: number; errored: number; received: number }[] }).stats;
          resolve(stats ?? { processed: 0, errored: 0, received: 0 });
        });
        child.send('drain');
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

interface Figures {
  sent: number;
  ackPerSecond: number;
  p50: number;
  p99: number;
  intoFhirPerSecond: number;
  errored: number;
  /** The 1-minute load average after the run: the machine is shared, so say how busy it was. */
  load: number;
}

async function measure(backend: string, ackAfter: string, connections: number): Promise<Figures> {
  const hub = await startHub(backend, ackAfter);
  const run = `${backend}${ackAfter[0]}${connections}`;
  const latencies: number[] = [];
  const warm = await MllpClient.open(hub.port);
  for (let n = 0; n < warmupMessages; n++) await warm.send(feedMessage(n, `${run}w`, patientPool));
  await warm.close();
  const warmed = (await hub.drain()).processed;
  let next = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const clients = await Promise.all(Array.from({ length: connections }, () => MllpClient.open(hub.port)));
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        const n = next++;
        const sentAt = performance.now();
        const ack = parseMessageOrThrow(await client.send(feedMessage(n, run, patientPool)));
        latencies.push(performance.now() - sentAt);
        if (ack.get('MSA-1') !== 'AA' || ack.get('MSA-2') !== `${run}-${n}`) throw new Error(`message ${n}: ${ack.get('MSA-1')} ${ack.get('MSA-3') ?? ack.get('ERR-7') ?? ''}`);
      }
    }),
  );
  const acked = performance.now();
  await Promise.all(clients.map((c) => c.close()));
  const stats = await hub.drain();
  const drained = performance.now();
  await hub.stop();
  latencies.sort((a, b) => a - b);
  return {
    sent: next,
    ackPerSecond: next / ((acked - started) / 1000),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    intoFhirPerSecond: (stats.processed - warmed) / ((ackAfter === 'processed' ? acked : drained) - (ackAfter === 'stored' && !workerOn ? acked : started)) * 1000,
    errored: stats.errored,
    load: loadavg()[0]!,
  };
}

console.log(`MLLP end to end${workerOn ? '' : ', worker off while sending'}: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${values.duration} s per run, ${patientPool} patients`);
console.log('backend | ACK after | connections | messages | stored+ACKed msg/s | ACK p50 ms | ACK p99 ms | into FHIR msg/s | errored | load 1 min');
console.log('---|---|---|---|---|---|---|---|---|---');
for (const backend of backends) {
  for (const ackAfter of values['ack-after']!.split(',')) {
    for (const connections of connectionCounts) {
      const f = await measure(backend, ackAfter, connections);
      console.log(
        [backend, ackAfter, connections, f.sent, f.ackPerSecond.toFixed(0), f.p50.toFixed(1), f.p99.toFixed(1), f.intoFhirPerSecond.toFixed(0), f.errored, f.load.toFixed(1)].join(' | '),
      );
    }
  }
}
