import type { Command } from 'commander';
import { buildApp } from '../../api/app.ts';
import { resourceTypes } from '../../fhir/index.ts';
import { openHub } from '../../hub.ts';
import { attachIdentity } from '../../identity/identity-consumer.ts';
import { attachIncrementalSignals, createSignalServices } from '../../intelligence/signals/index.ts';
import type { ListeningChannel } from '../../integration/integration.ts';
import { publicBaseUrl } from '../../platform/config.ts';
import { describeDatabase } from '../../platform/db/open-db.ts';
import { hubVersion } from '../../platform/version.ts';
import type { CliContext } from '../cli-context.ts';
import { parseInteger } from '../options.ts';

export function registerStartCommand(program: Command, cli: CliContext): void {
  program
    .command('start')
    .description('run the hub: FHIR API, HL7 MLLP channels, operations endpoints and the outbox dispatcher')
    .option('--port <port>', 'HTTP port (default 8080, or PORT)', parseInteger(0, 65535))
    .option('--host <host>', 'interface to listen on (default localhost)')
    .action(async (options: { port?: number; host?: string }, command: Command) => {
      const config = cli.config(command, { port: options.port, host: options.host });
      const hub = await openHub(config);
      // AuditEvent is served from the audit trail, not the record store.
      const storedTypes = [...resourceTypes()].filter((type) => type !== 'AuditEvent').sort();
      const app = await buildApp(hub, { storedTypes });
      // Golden records and signals follow the record through the outbox (before it starts).
      attachIdentity(hub);
      attachIncrementalSignals(hub, createSignalServices({ measuresDir: config.measuresDir, lazy: true }).services);
      hub.dispatcher.start();
      let channels: ListeningChannel[];
      try {
        await app.fastify.listen({ port: config.port, host: config.host });
        channels = await hub.integration.listen();
      } catch (err) {
        await app.fastify.close();
        await hub.close();
        throw err;
      }
      const base = publicBaseUrl({ ...config, port: (app.fastify.server.address() as { port: number }).port });
      cli.err(
        [
          `Longitude ${hubVersion} is running on ${describeDatabase(config)}`,
          `  FHIR API  ${base}/fhir/R4   (token: npx longitude token --role care-manager)`,
          `  Console   ${base}/`,
          `  Metrics   ${base}/metrics   health ${base}/healthz   ready ${base}/readyz`,
          ...channels.map((c) => `  HL7 MLLP  channel ${c.channel} on port ${c.port}`),
          'Press Ctrl+C to stop.',
        ].join('\n'),
      );
      await waitForShutdownSignal();
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
