import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { buildApp } from '../../api/app.ts';
import { bootstrapDemo, defaultDemoPeople, defaultDemoSeed, type DemoResult } from '../../demo/demo-bootstrap.ts';
import { resourceTypes } from '../../fhir/index.ts';
import { openHub, type Hub } from '../../hub.ts';
import { attachIdentity } from '../../identity/identity-consumer.ts';
import { attachIncrementalSignals, createSignalServices } from '../../intelligence/signals/index.ts';
import type { ListeningChannel } from '../../integration/integration.ts';
import { publicBaseUrl } from '../../platform/config.ts';
import { describeDatabase } from '../../platform/db/open-db.ts';
import { LongitudeError } from '../../platform/errors.ts';
import { createLogger } from '../../platform/logger.ts';
import { hubVersion } from '../../platform/version.ts';
import type { CliContext } from '../cli-context.ts';
import { parseInteger } from '../options.ts';
import { createProgress, type Progress } from '../progress.ts';

interface StartOptions {
  port?: number;
  host?: string;
  demo: boolean;
  people: number;
  seed: number;
}

export function registerStartCommand(program: Command, cli: CliContext): void {
  program
    .command('start')
    .description('run the hub: FHIR API, HL7 MLLP channels, operations endpoints and the outbox dispatcher')
    .option('--port <port>', 'HTTP port (default 8080, or PORT)', parseInteger(0, 65535))
    .option('--host <host>', 'interface to listen on (default localhost)')
    .option('--people <n>', 'people in the simulated organization loaded on first start', parseInteger(1, 1_000_000), defaultDemoPeople)
    .option('--seed <s>', 'seed of the simulated organization (the same seed gives the same people)', parseInteger(0, 2 ** 32 - 1), defaultDemoSeed)
    .option('--no-demo', 'start without loading the simulated organization (an empty database stays empty)')
    .action(async (options: StartOptions, command: Command) => {
      const config = cli.config(command, { port: options.port, host: options.host });
      const logs = quietableLogStream();
      const hub = await openHub(config, { logger: createLogger(config, logs.stream) });
      // AuditEvent is served from the audit trail, not the record store.
      const storedTypes = [...resourceTypes()].filter((type) => type !== 'AuditEvent').sort();
      // Golden records and signals follow the record through the outbox (before it starts).
      attachIdentity(hub);
      attachIncrementalSignals(hub, createSignalServices({ measuresDir: config.measuresDir, lazy: true }).services);
      let channels: ListeningChannel[];
      let app: Awaited<ReturnType<typeof buildApp>> | undefined;
      let demo: DemoResult | undefined;
      try {
        // The MLLP listener first: the demo's HL7 silos come in through it. HTTP listens only
        // once the demo is loaded, so nobody is served a half-loaded record. The message worker
        // waits too: the loader processes what it stores, and the worker would claim the
        // importer's stored rows one per transaction beside it (in a 2,000-person load it did
        // most of the payer silo that way, at a few rows a second).
        channels = await hub.integration.listen({ worker: false });
        if (options.demo) {
          logs.quiet(true);
          demo = await loadDemo(cli, hub, options, channels).finally(() => logs.quiet(false));
        }
        hub.integration.worker.start();
        hub.dispatcher.start();
        app = await buildApp(demoUsersOn(hub, demo), { storedTypes });
        await app.fastify.listen({ port: config.port, host: config.host });
      } catch (err) {
        await app?.fastify.close();
        await hub.close();
        throw err;
      }
      const base = publicBaseUrl({ ...config, port: (app.fastify.server.address() as { port: number }).port });
      // Listening for Ctrl+C before the banner: whoever acts on the banner may stop us at once.
      const shutdown = waitForShutdownSignal();
      cli.err(
        [
          `Longitude ${hubVersion} is running on ${describeDatabase(config)}`,
          `  FHIR API  ${base}/fhir/R4   (token: npx longitude token --role care-manager)`,
          `  Console   ${base}/`,
          ...signInLines(demo),
          `  Metrics   ${base}/metrics   health ${base}/healthz   ready ${base}/readyz`,
          ...channels.map((c) => `  HL7 MLLP  channel ${c.channel} on port ${c.port}`),
          'Press Ctrl+C to stop.',
        ].join('\n'),
      );
      await shutdown;
      cli.err('stopping: finishing requests in flight and delivering pending events');
      app.beginShutdown();
      const timer = setTimeout(() => {
        cli.err(`shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting`);
        process.exit(1);
      }, config.shutdownTimeoutMs);
      timer.unref();
      await app.fastify.close();
      await hub.close();
      clearTimeout(timer);
      cli.err('stopped');
    });
}

/** Loads the demo organization on first start, a progress bar and a summary line per stage. */
async function loadDemo(cli: CliContext, hub: Hub, options: StartOptions, channels: readonly ListeningChannel[]): Promise<DemoResult> {
  const mllp = channels.find((c) => c.channel === 'hl7') ?? channels[0];
  if (!mllp) throw new LongitudeError('LNG_CONFIG_INVALID', 'the demo needs an MLLP channel to feed its HL7 silos through (hl7Channels is empty)');
  let bar: Progress | undefined;
  let barOf = '';
  const stopBar = () => {
    bar?.stop();
    bar = undefined;
    barOf = '';
  };
  // Stopped half way, the load is redone from the start next time (demo_state says `loading`);
  // there is nothing to finish gracefully, so say so and stop at once.
  const interrupted = () => {
    stopBar();
    cli.err('interrupted: the demo organization will be loaded again on the next start');
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const result = await bootstrapDemo(hub, {
      mllpPort: mllp.port,
      people: options.people,
      seed: options.seed,
      progress: {
        update(stage, done, total, step) {
          const label = step === 'kB' ? `${stage} (kB)` : step ? `${stage}: ${step}` : stage;
          if (label !== barOf) {
            stopBar();
            bar = createProgress(label, total);
            barOf = label;
          }
          bar?.update(done, total);
        },
        done(summary) {
          stopBar();
          cli.err(summary.line);
        },
      },
    });
    if (result.status === 'loaded') {
      const s = result.state!;
      cli.err(`demo organization loaded (${s.people} people, seed ${s.seed}${result.resumed ? ', an interrupted load redone' : ''}) in ${result.seconds.toFixed(1)} s`);
    } else if (result.status === 'already-loaded') {
      const s = result.state!;
      cli.err(`demo organization: ${s.people} people (seed ${s.seed}), loaded ${s.completedAt?.toISOString() ?? ''}`);
    } else {
      cli.err('the database already holds data: the demo organization is not loaded (use an empty LONGITUDE_DATA_DIR or database for it)');
    }
    return result;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    stopBar();
  }
}

/**
 * Log lines (stdout) with a switch: while the demo loads, only errors pass. Its summary lines
 * say what was rejected or failed; a warning per spoiled record would bury the progress bars.
 */
function quietableLogStream(): { stream: Writable; quiet(on: boolean): void } {
  let quiet = false;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const level = Number(/^\{"level":(\d+)/.exec(chunk.toString('latin1', 0, 16))?.[1] ?? 60);
      if (!quiet || level >= 50) process.stdout.write(chunk, () => done());
      else done();
    },
  });
  return { stream, quiet: (on) => (quiet = on) };
}

/** Demo sign-in is for a hub holding the demo organization only, never real data. */
function demoUsersOn(hub: Hub, demo: DemoResult | undefined): Hub {
  if (!demo || demo.status === 'not-empty' || hub.config.demoUsers) return hub;
  return { ...hub, config: Object.freeze({ ...hub.config, demoUsers: true }) };
}

function signInLines(demo: DemoResult | undefined): string[] {
  if (!demo || demo.status === 'not-empty') return [];
  return ['  Sign in   demo users care.manager, service.agent, admin, auditor; password demo'];
}

function waitForShutdownSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
