/**
 * The record-side parts of the hub wired on a test database, the way the composition root
 * wires them, for tests below the HTTP layer.
 */
import type { Db } from '../platform/db/db.ts';
import { OutboxDispatcher } from '../platform/outbox/dispatcher.ts';
import { FhirSearchIndexer, SearchParameterRegistry } from '../record/search/index.ts';
import { ResourceStore } from '../record/resource-store.ts';
import { AuditLog } from '../trust/audit/audit-log.ts';

export interface RecordParts {
  db: Db;
  audit: AuditLog;
  store: ResourceStore;
  /** Loads the stored SearchParameters on first use (this wiring is synchronous). */
  searchParameters: SearchParameterRegistry;
  searchIndexer: FhirSearchIndexer;
  dispatcher: OutboxDispatcher;
  /** Flushes the audit log and closes the database. */
  close(): Promise<void>;
}

export function wireRecordParts(db: Db): RecordParts {
  const audit = new AuditLog(db);
  const dispatcher = new OutboxDispatcher(db, { pollMs: 50, retryBaseMs: 1 });
  const searchParameters = new SearchParameterRegistry(db);
  const searchIndexer = new FhirSearchIndexer(searchParameters);
  const store = new ResourceStore({ db, audit, onCommit: () => dispatcher.notify(), searchIndex: searchIndexer });
  return {
    db,
    audit,
    store,
    searchParameters,
    searchIndexer,
    dispatcher,
    async close() {
      await audit.flush();
      await db.close();
    },
  };
}
