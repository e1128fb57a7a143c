/**
 * The record-side parts of the hub wired on a test database, the way the composition root
 * wires them, for tests below the HTTP layer.
 */
import type { Db } from '../platform/db/db.ts';
import { OutboxDispatcher } from '../platform/outbox/dispatcher.ts';
import { FhirSearchIndexer } from '../record/search/index.ts';
import { ResourceStore } from '../record/resource-store.ts';
import { AuditLog } from '../trust/audit/audit-log.ts';

export interface RecordParts {
  db: Db;
  audit: AuditLog;
  store: ResourceStore;
  dispatcher: OutboxDispatcher;
  /** Flushes the audit log and closes the database. */
  close(): Promise<void>;
}

export function wireRecordParts(db: Db): RecordParts {
  const audit = new AuditLog(db);
  const dispatcher = new OutboxDispatcher(db, { pollMs: 50, retryBaseMs: 1 });
  const store = new ResourceStore({ db, audit, onCommit: () => dispatcher.notify(), searchIndex: new FhirSearchIndexer() });
  return {
    db,
    audit,
    store,
    dispatcher,
    async close() {
      await audit.flush();
      await db.close();
    },
  };
}
