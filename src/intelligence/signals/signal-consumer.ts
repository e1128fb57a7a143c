/**
 * Incremental signals: the outbox consumer `signals` marks the person whose record changed
 * (signal_pending_person, in the transaction that advances the consumer, so no change is
 * lost), and the SignalWorker recomputes marked persons through the store.
 *
 * Two steps because an outbox handler runs inside the dispatcher's transaction, and a store
 * write opens its own: on the embedded database (one transaction at a time) writing signals
 * from the handler would wait on itself. Writes of DetectedIssue (the signals themselves)
 * and AuditEvent are ignored, so signals do not trigger their own recompute.
 */
import type { Logger } from 'pino';
import type { Db, Queryable } from '../../platform/db/db.ts';
import type { OutboxEvent } from '../../platform/outbox/events.ts';
import type { Subscriber } from '../../platform/outbox/dispatcher.ts';
import { AfterCommitWorker } from '../../platform/outbox/after-commit-worker.ts';
import { resourceTopics } from '../../record/resource-store.ts';
import type { AccessContext } from '../../trust/access-context.ts';
import type { PersonDirectory } from './person-directory.ts';
import type { SignalRunner } from './signal-runner.ts';

export const SIGNALS_CONSUMER = 'signals';
const ignoredTypes = new Set(['DetectedIssue', 'AuditEvent', 'SearchParameter']);

/** Every `Patient/<id>` reference in a resource (its compartment links, and more: a harmless over-approximation). */
export function patientReferencesIn(value: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const item of value) patientReferencesIn(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'reference' && typeof inner === 'string') {
        const id = /^(?:.*\/)?Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/.*)?$/.exec(inner)?.[1];
        if (id) found.add(id);
      } else patientReferencesIn(inner, found);
    }
  }
  return found;
}

/** The Patients an event's resource belongs to (for a delete, as its last version said). */
async function patientsOfEvent(tx: Queryable, event: OutboxEvent): Promise<string[]> {
  if (!event.resourceType || !event.resourceId || ignoredTypes.has(event.resourceType)) return [];
  if (event.resourceType === 'Patient') return [event.resourceId];
  const { rows } = await tx.query<{ content: unknown }>(
    `select content from resource_history
      where resource_type = $1 and id = $2 and content is not null and version_id <= $3
      order by version_id desc limit 1`,
    [event.resourceType, event.resourceId, event.versionId ?? 2_147_483_647],
  );
  return [...patientReferencesIn(rows[0]?.content)];
}

/** The outbox subscriber; `onMarked` wakes the worker (after the dispatcher's commit it will find the rows). */
export function signalsSubscriber(onMarked: () => void): Subscriber {
  return {
    name: SIGNALS_CONSUMER,
    topics: [resourceTopics.created, resourceTopics.updated, resourceTopics.deleted],
    async handle(event, tx) {
      const patients = await patientsOfEvent(tx, event);
      if (patients.length === 0) return;
      await tx.query(
        `insert into signal_pending_person (patient_id, event_id)
         select unnest($1::text[]), $2
         on conflict (patient_id) do update set event_id = excluded.event_id`,
        [patients, event.id],
      );
      onMarked();
    },
  };
}

export interface SignalWorkerOptions {
  db: Db;
  runner: SignalRunner;
  directory: PersonDirectory;
  ctx: AccessContext;
  logger?: Logger;
  batchSize?: number;
  /** Called per recomputed person with the time from its first pending mark to the signals being stored. */
  onRecomputed?: (patientId: string, ms: number) => void;
}

/** Recomputes marked persons; `drain()` runs until none is left (tests, shutdown). */
export class SignalWorker {
  private readonly runner: AfterCommitWorker;

  constructor(private readonly options: SignalWorkerOptions) {
    this.runner = new AfterCommitWorker({
      db: options.db,
      consumer: SIGNALS_CONSUMER,
      pass: () => this.pass(),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  /** Wakes the worker; a wake during a pass schedules one more pass. */
  notify(): void {
    this.runner.notify();
  }

  drain(): Promise<void> {
    return this.runner.drain();
  }

  /** One batch: returns how many persons were recomputed. */
  async pass(): Promise<number> {
    const { db, runner, directory, ctx } = this.options;
    const { rows } = await db.query<{ patient_id: string; event_id: number; enqueued_at: Date }>(
      'select patient_id, event_id, enqueued_at from signal_pending_person order by enqueued_at limit $1',
      [this.options.batchSize ?? 50],
    );
    for (const row of rows) {
      try {
        await runner.runPerson(ctx, await directory.personOf(row.patient_id));
      } catch (err) {
        // A Patient deleted since (410/404) has nothing to recompute; others are logged and dropped.
        this.options.logger?.warn({ patientId: row.patient_id, err }, 'signal recompute failed');
      }
      await db.query('delete from signal_pending_person where patient_id = $1 and event_id = $2', [row.patient_id, row.event_id]);
      this.options.onRecomputed?.(row.patient_id, Date.now() - new Date(row.enqueued_at).getTime());
    }
    return rows.length;
  }
}
