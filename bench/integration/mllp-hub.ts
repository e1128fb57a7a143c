/**
 * The hub under test for bench/integration/mllp.ts, in a process of its own as `longitude
 * start` runs it: one MLLP channel on an ephemeral port with the given ackAfter. Reports the
 * port over IPC; on 'drain' waits until the worker has processed everything queued and
 * answers with the channel's counts; stops on 'stop' or when the parent goes away. With
 * `--worker off` the worker starts only at 'drain', so receipts are measured on their own.
 *
 *   --backend pglite | pg   --postgres URL (pg)   --ack-after processed | stored   --worker on | off
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openHub } from '../../src/hub.ts';
import { channelStats } from '../../src/integration/message-store/message-query.ts';
import { loadConfig } from '../../src/platform/config.ts';
import type { Db } from '../../src/platform/db/db.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { withPgliteOnDisk, withPostgresSchema } from '../bench-databases.ts';

export interface MllpHubReady {
  type: 'ready';
  port: number;
}

const { values } = parseArgs({ options: { backend: { type: 'string' }, postgres: { type: 'string' }, 'ack-after': { type: 'string', default: 'processed' }, worker: { type: 'string', default: 'on' } } });
const ackAfter = values['ack-after'] === 'stored' ? 'stored' : 'processed';
const workerOn = values.worker !== 'off';

async function serve(db: Db): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lng-bench-mllp-'));
  const config = loadConfig({
    env: {},
    overrides: { dataDir, logLevel: 'warn', outboxPollMs: 200, hl7Channels: [{ name: 'hl7', port: 0, host: '127.0.0.1', ackAfter }] },
  });
  const hub = await openHub(config, { db, logger: createLogger(config) });
  try {
    const [channel] = await hub.integration.listen({ worker: workerOn });
    process.send!({ type: 'ready', port: channel!.port } satisfies MllpHubReady);
    await new Promise<void>((resolve) => {
      const onMessage = (message: unknown) => {
        if (message === 'drain') {
          const { worker } = hub.integration;
          if (!workerOn) worker.start();
          void worker
            .idle()
            .then(() => (workerOn ? undefined : worker.stop()))
            .then(async () => process.send?.({ type: 'drained', stats: await channelStats(db) }));
          return;
        }
        process.off('message', onMessage);
        resolve();
      };
      process.on('message', onMessage);
      process.once('disconnect', () => resolve());
    });
  } finally {
    // hub.close() would close the database, which withPgliteOnDisk / withPostgresSchema own.
    await hub.integration.close();
    await hub.dispatcher.stop();
    await hub.audit.flush();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (!process.send) throw new Error('bench/integration/mllp-hub.ts is started by bench/integration/mllp.ts (fork with IPC)');
if (values.backend === 'pglite') await withPgliteOnDisk(serve);
else if (values.backend === 'pg' && values.postgres) await withPostgresSchema(values.postgres, serve);
else throw new Error('usage: mllp-hub.ts --backend pglite | --backend pg --postgres URL');
if (process.connected) process.disconnect();
