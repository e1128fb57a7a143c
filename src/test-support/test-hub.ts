/**
 * A whole hub on a test database, with its HTTP app ready for inject(), and tokens for each
 * role. Close it with `close()`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../api/app.ts';
import { openHub, type Hub } from '../hub.ts';
import { loadConfig, type ConfigInput } from '../platform/config.ts';
import type { Db } from '../platform/db/db.ts';
import { createLogger } from '../platform/logger.ts';
import type { Role } from '../trust/access-context.ts';
import { issueToken } from '../trust/tokens.ts';

export interface TestHub {
  hub: Hub;
  app: App;
  token(role: Role, options?: { personId?: string; subject?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function openTestHub(db: Db, overrides: ConfigInput = {}): Promise<TestHub> {
  const config = loadConfig({
    env: {},
    overrides: { dataDir: mkdtempSync(join(tmpdir(), 'lng-hub-')), logLevel: 'silent', port: 8080, outboxPollMs: 50, ...overrides },
  });
  const hub = await openHub(config, { db, logger: createLogger(config) });
  const app = await buildApp(hub, { storedTypes: ['Patient', 'Observation', 'Condition', 'Coverage', 'Claim'] });
  return {
    hub,
    app,
    token: (role, options = {}) =>
      issueToken(hub.tokenKeys, {
        role,
        subject: options.subject ?? `${role}-tester`,
        ttlSeconds: 600,
        ...(options.personId ? { personId: options.personId } : {}),
      }),
    async close() {
      await app.fastify.close();
      await hub.close();
    },
  };
}
