/**
 * The hub under test for bench/fhir/http.ts, in a process of its own as `longitude start`
 * runs it, so the load generator does not share the server's event loop (or, for PGlite, its
 * database engine). Started with fork(); reports its port and two bearer tokens over IPC,
 * answers 'drain' once no request is being handled, and stops on 'stop' or when the parent
 * goes away.
 *
 *   --backend pglite | pg      --postgres URL (pg)
 *
 * PGlite runs on disk as `npm start` uses it; PostgreSQL in a schema of its own, dropped
 * afterwards (bench/bench-databases.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../../src/api/app.ts';
import { resourceTypes } from '../../src/fhir/index.ts';
import { openHub } from '../../src/hub.ts';
import { loadConfig } from '../../src/platform/config.ts';
import type { Db } from '../../src/platform/db/db.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { issueToken } from '../../src/trust/tokens.ts';
import { withPgliteOnDisk, withPostgresSchema } from '../bench-databases.ts';

/** What the server tells its parent once it listens. */
export interface HubServerReady {
  type: 'ready';
  port: number;
  /** A system token (loads the data) and a care manager's (the measured reads and searches). */
  tokens: { loader: string; reader: string };
}

const { values } = parseArgs({ options: { backend: { type: 'string' }, postgres: { type: 'string' } } });

async function serve(db: Db): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lng-bench-hub-'));
  const config = loadConfig({ env: {}, overrides: { dataDir, logLevel: 'warn', host: '127.0.0.1', port: 0 } });
  const hub = await openHub(config, { db, logger: createLogger(config) });
  // As `longitude start` serves them: AuditEvent comes from the audit trail, not the store.
  const app = await buildApp(hub, { storedTypes: [...resourceTypes()].filter((type) => type !== 'AuditEvent').sort() });
  const inFlight = trackInFlight(app.fastify.server);
  try {
    await app.fastify.listen({ port: 0, host: '127.0.0.1' });
    const token = (role: 'system' | 'care-manager') => issueToken(hub.tokenKeys, { role, subject: `bench-${role}`, ttlSeconds: 4 * 3600 });
    const ready: HubServerReady = {
      type: 'ready',
      port: (app.fastify.server.address() as { port: number }).port,
      tokens: { loader: await token('system'), reader: await token('care-manager') },
    };
    process.send!(ready);
    await serveCommands(inFlight);
  } finally {
    await app.fastify.close();
    await inFlight.idle();
    // hub.close() would also close the database, which belongs to withPgliteOnDisk /
    // withPostgresSchema (they close it and clean up): stop the hub's own parts only.
    await hub.dispatcher.stop();
    await hub.audit.flush();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Requests whose handler has not answered yet. autocannon ends a run by closing its
 * connections, so up to one request per connection is still being handled afterwards: the
 * next run (and shutdown) waits for them rather than measuring or closing over them. Counted
 * on the raw server (the app is already booted, so no hook can be added): a request is
 * answered when the app calls res.end(), which it does whether or not the client is still there.
 */
function trackInFlight(server: Server): { idle(): Promise<void> } {
  let count = 0;
  const waiters: (() => void)[] = [];
  server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
    count += 1;
    const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
    let answered = false;
    response.end = ((...args: unknown[]) => {
      if (!answered) {
        answered = true;
        count -= 1;
        if (count === 0) for (const wake of waiters.splice(0)) wake();
      }
      return end(...args);
    }) as ServerResponse['end'];
  });
  return {
    idle: () => (count === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
  };
}

/** 'drain' → 'drained' once idle; 'stop' (or the parent going away) ends serving. */
function serveCommands(inFlight: { idle(): Promise<void> }): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if (message === 'drain') {
        void inFlight.idle().then(() => process.send?.('drained'));
        return;
      }
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
    process.once('disconnect', () => resolve());
  });
}

if (!process.send) throw new Error('bench/fhir/hub-server.ts is started by bench/fhir/http.ts (fork with IPC)');
if (values.backend === 'pglite') await withPgliteOnDisk(serve);
else if (values.backend === 'pg' && values.postgres) await withPostgresSchema(values.postgres, serve);
else throw new Error('usage: hub-server.ts --backend pglite | --backend pg --postgres URL');
if (process.connected) process.disconnect();
