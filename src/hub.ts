/**
 * The composition root: builds the hub's parts in a visible order from the configuration,
 * hands each its dependencies, and closes them in reverse. No part reaches for a global.
 */
import type { Logger } from 'pino';
import { createEntryChecks } from './integration/entry-checks.ts';
import { createIntegration, type Integration } from './integration/integration.ts';
import { createQualityMetrics } from './integration/quality/index.ts';
import { channelStats } from './integration/message-store/message-query.ts';
import type { Config } from './platform/config.ts';
import type { Db } from './platform/db/db.ts';
import { migrate } from './platform/db/migrate.ts';
import { openDb } from './platform/db/open-db.ts';
import { StatisticsKeeper } from './platform/db/statistics-keeper.ts';
import { createLogger } from './platform/logger.ts';
import { OutboxDispatcher } from './platform/outbox/dispatcher.ts';
import { createMetrics, type Metrics } from './platform/telemetry/metrics.ts';
import { FhirSearchIndexer, SearchParameterRegistry } from './record/search/index.ts';
import { ResourceStore } from './record/resource-store.ts';
import { AuditLog } from './trust/audit/audit-log.ts';
import { loadTokenKeys, type TokenKeys } from './trust/tokens.ts';
import { sameFactFinder } from './integration/same-fact.ts';
import { consolidateSameFacts, type ConsolidationSummary } from './integration/same-fact-consolidation.ts';
import type { AccessContext } from './trust/access-context.ts';
import { recordsOfSamePerson } from './identity/person-store.ts';

export interface Hub {
  config: Config;
  logger: Logger;
  db: Db;
  audit: AuditLog;
  dispatcher: OutboxDispatcher;
  store: ResourceStore;
  /** Search parameters: the official ones and the SearchParameter resources stored in the record. */
  searchParameters: SearchParameterRegistry;
  /** Keeps the search index in step with the store; also serves $reindex. */
  searchIndexer: FhirSearchIndexer;
  tokenKeys: TokenKeys;
  metrics: Metrics;
  /** Inbound messages: handlers per channel, processor, worker, MLLP listeners (started by `start`). */
  integration: Integration;
  /** After identity links records: the same facts their sources each stored become one (IdentityServiceDeps.afterLinking). */
  afterLinking: (ctx: AccessContext, persons?: readonly string[]) => Promise<ConsolidationSummary>;
  /** Drains the outbox, flushes the audit log and closes the database. */
  close(): Promise<void>;
}

export interface OpenHubOptions {
  logger?: Logger;
  /** A database opened by the caller (tests); otherwise the configured one. */
  db?: Db;
  /** Run pending migrations first (default true). */
  migrate?: boolean;
}

export async function openHub(config: Config, options: OpenHubOptions = {}): Promise<Hub> {
  const logger = options.logger ?? createLogger(config);
  const db = options.db ?? (await openDb(config));
  try {
    if (options.migrate !== false) {
      const applied = await migrate(db, { onApplied: (m) => logger.info({ migration: m.name }, 'migration applied') });
      if (applied.length > 0) logger.info({ count: applied.length }, 'database migrated');
    }
    const audit = new AuditLog(db);
    const dispatcher = new OutboxDispatcher(db, {
      pollMs: config.outboxPollMs,
      maxAttempts: config.outboxMaxAttempts,
      logger: logger.child({ component: 'outbox' }),
    });
    const searchParameters = new SearchParameterRegistry(db);
    await searchParameters.load();
    const searchIndexer = new FhirSearchIndexer(searchParameters);
    const statistics = new StatisticsKeeper(db, { logger: logger.child({ component: 'statistics' }) });
    const store = new ResourceStore({
      db,
      audit,
      onCommit: (written, byType) => {
        dispatcher.notify();
        statistics.noteWrites(written, byType);
      },
      searchIndex: searchIndexer,
    });
    await statistics.start();
    const tokenKeys = await loadTokenKeys({
      dataDir: config.dataDir,
      issuer: config.tokenIssuer,
      ...(config.tokenSecret ? { secret: config.tokenSecret } : {}),
    });
    const metrics = createMetrics({ db, dispatcher, channelCounts: () => channelStats(db) });
    const integration = createIntegration({
      config,
      db,
      store,
      audit,
      logger,
      onAck: ({ channel, code, ms }) => metrics.mllpAcks.observe({ channel, code }, ms / 1000),
      entryChecks: createEntryChecks({ metrics: createQualityMetrics(metrics.registry) }),
      sameAs: sameFactFinder(recordsOfSamePerson),
    });
    return {
      config,
      logger,
      db,
      audit,
      dispatcher,
      store,
      searchParameters,
      searchIndexer,
      tokenKeys,
      metrics,
      integration,
      afterLinking: (ctx, persons) => consolidateSameFacts({ db, store }, ctx, persons),
      async close() {
        await integration.close();
        await statistics.stop();
        await dispatcher.stop();
        await audit.flush();
        await db.close();
      },
    };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}
