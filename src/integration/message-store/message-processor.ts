/**
 * Turns stored messages into record writes. Each message is processed in one unit of work:
 * its FHIR transaction Bundle is applied and the message is marked processed with the
 * versions it wrote, together — so a crash between the two cannot leave data without its
 * message marked, or a message marked without its data. A failure rolls all of it back and
 * is recorded on the message (retried with backoff when it may pass next time).
 */
import { setImmediate } from 'node:timers/promises';
import type { Bundle } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { Queryable } from '../../platform/db/db.ts';
import { LongitudeError } from '../../platform/errors.ts';
import type { AccessContext } from '../../trust/access-context.ts';
import { applyTransactionBundle, conditionalCriteria, type SameAsFinder } from '../../record/bundle-processor.ts';
import type { ResourceStore, StoreTransaction } from '../../record/resource-store.ts';
import type { EntryChecks, PreparedEntry } from '../entry-checks.ts';
import { recordQualityChecksOfMany, type QualityRecord } from '../quality/index.ts';
import {
  claimDueMessages,
  markFailed,
  markFiltered,
  markProcessedMany,
  messageColumns,
  messageOutputs,
  toStoredMessage,
  type MessageError,
  type MessageStatus,
  type ResourceOutput,
  type RetryPolicy,
  type StoredMessage,
} from './message-store.ts';

/**
 * What a channel's handler makes of one message: a transaction Bundle (with the name of the
 * system that sent it, for normalization tables and the quality report; default the channel)
 * or a reason to filter it.
 */
export type HandlerResult = { kind: 'bundle'; bundle: Bundle; source?: string } | { kind: 'filtered'; reason: string };

export interface MessageHandler {
  /** Maps a message to a FHIR transaction Bundle, or filters it; throws HandlerError when it cannot. */
  handle(message: StoredMessage): HandlerResult | Promise<HandlerResult>;
}

/** A failure the handler understands: where (stage, element) and whether retrying could help. */
export class HandlerError extends Error {
  constructor(
    readonly detail: MessageError,
    readonly retryable = false,
  ) {
    super(detail.message);
    this.name = 'HandlerError';
  }
}

export interface ProcessOutcome {
  id: number;
  status: MessageStatus;
  outputs: ResourceOutput[];
  error?: MessageError;
}

export interface MessageProcessorDeps {
  db: Queryable;
  store: ResourceStore;
  /** The hub's own system identity: connectors write as it. */
  ctx: AccessContext;
  /** The handler of each channel (a Map, or a lookup that knows channels by their name's form). */
  handlers: { get(channel: string): MessageHandler | undefined };
  /** Normalization and quality checks applied to every mapped Bundle (entry-checks.ts). */
  entryChecks?: EntryChecks;
  fhirBaseUrl: string;
  /** Finds facts the record already holds from another source (same-fact.ts), so they are not stored twice. */
  sameAs?: SameAsFinder;
  retryPolicy?: RetryPolicy;
  logger?: Logger;
}

/** Messages claimed and processed in one transaction by `drain` (a bound on a transaction's size). */
export const defaultPerTransaction = 50;

export class MessageProcessor {
  constructor(private readonly deps: MessageProcessorDeps) {}

  /** Processes one message now (a listener that acknowledges after processing). */
  processById(id: number): Promise<ProcessOutcome> {
    return this.process((tx) => lockMessage(tx, id));
  }

  /** Processes the next due message, if any; undefined when the queue is empty. */
  async processNext(channel?: string): Promise<ProcessOutcome | undefined> {
    const outcome = await this.process(async (tx) => (await claimDueMessages(tx, 1, channel))[0]);
    return outcome.id === 0 ? undefined : outcome;
  }

  /**
   * Processes due messages until none is left (or `max` were done), up to `perTransaction` of
   * them claimed and processed together (processDue); returns how many.
   */
  async drain(max = Infinity, channel?: string, perTransaction = defaultPerTransaction): Promise<number> {
    let done = 0;
    while (done < max) {
      const outcomes = await this.processDue(Math.min(perTransaction, max - done), channel);
      if (outcomes.length === 0) break;
      done += outcomes.length;
    }
    return done;
  }

  /**
   * Claims up to `limit` due messages and processes them in one transaction, as processMany
   * does; outcomes in claim order, none when nothing is due. A claim holds at most one message
   * per patient (the earliest waiting: claimDueMessages), so one patient's messages still go
   * in arrival order, one transaction after the other. One transaction per message cost about
   * 17 statements and a commit each: on PostgreSQL, 8 MLLP connections, the worker put 30
   * msg/s into FHIR that way and 63 in batches (same hour, load average 6.5-9 on 2 cores).
   */
  async processDue(limit: number, channel?: string): Promise<ProcessOutcome[]> {
    return this.processBatch((tx) => claimDueMessages(tx, limit, channel), []);
  }

  /**
   * Processes several stored messages in one transaction: a message that fails is undone alone
   * (in memory, from a mark) and marked errored with its reason, the others commit together.
   * For an import on the embedded database, where a statement's fixed cost is most of a small
   * one's: the messages' versions are stored together at the end (their conditional lookups
   * still see one another, search/pending-match.ts), and marking them processed runs after.
   * Outcomes in the order of `ids`. Should the batch itself fail (its commit, or a failure that
   * memory alone cannot undo), its messages are processed again one at a time.
   */
  async processMany(ids: readonly number[]): Promise<ProcessOutcome[]> {
    if (ids.length === 1) return [await this.processById(ids[0]!)];
    return this.processBatch((tx) => lockMessages(tx, ids), ids);
  }

  /** The messages `pick` locks, processed in one transaction (processMany); redone singly if it fails. */
  private async processBatch(pick: (tx: Queryable) => Promise<StoredMessage[]>, known: readonly number[]): Promise<ProcessOutcome[]> {
    const entries: PreparedEntry[] = [];
    let ids = known;
    let outcomes: Promise<ProcessOutcome>[];
    try {
      outcomes = await this.deps.store.transaction(this.deps.ctx, async (unit) => {
        const messages = await unit.alongside(pick);
        ids = messages.map((m) => m.id);
        // Every message mapped first, so that the stored matches of all their conditional
        // entries are looked up in one statement rather than one per message.
        const mapped: (Mapped | { failed: unknown } | undefined)[] = [];
        for (const message of messages) {
          await yieldToReceipts();
          mapped.push(isDone(message) ? undefined : await this.map(message).catch((err: unknown) => ({ failed: err })));
        }
        await unit.prefetchMatches(mapped.flatMap((m) => (m && 'bundle' in m ? conditionalCriteria(m.bundle) : [])));
        const markings: Marking[] = [];
        const done: (Marking | Promise<ProcessOutcome>)[] = [];
        for (const [i, message] of messages.entries()) {
          await yieldToReceipts();
          const mark = unit.mark();
          try {
            const applied = await this.apply(unit, message, mapped[i]);
            if ('outcome' in applied) {
              done.push(Promise.resolve(applied.outcome));
              continue;
            }
            if (applied.entry) entries.push(applied.entry);
            markings.push(applied.marking);
            done.push(applied.marking);
          } catch (err) {
            if (!unit.rollbackToMark(mark)) throw new BatchSplit(err);
            done.push(settledLater(this.fail(unit.later.bind(unit), message, err)));
          }
        }
        // Every message the batch wrote is marked in one go, after its versions are stored.
        const marked = settledLater(unit.later((tx) => markAll(tx, markings)));
        return done.map((d) => (d instanceof Promise ? d : settledLater(marked.then(() => outcomeOf(d)))));
      });
    } catch (err) {
      this.deps.logger?.warn({ err: err instanceof BatchSplit ? err.cause : err, messages: ids.length }, 'message batch failed; processing its messages one at a time');
      const one: ProcessOutcome[] = [];
      for (const id of ids) one.push(await this.processById(id));
      return one;
    }
    for (const entry of entries) entry.committed();
    return Promise.all(outcomes);
  }

  private async process(pick: (tx: Queryable) => Promise<StoredMessage | undefined>): Promise<ProcessOutcome> {
    let picked: StoredMessage | undefined;
    let entry: PreparedEntry | undefined;
    try {
      const outcome = await this.deps.store.transaction(this.deps.ctx, async (unit) => {
        picked = await unit.alongside(pick);
        if (!picked) return { id: 0, status: 'received' as const, outputs: [] };
        const done = await this.processIn(unit, picked);
        entry = done.entry;
        return done.outcome;
      });
      entry?.committed();
      return outcome;
    } catch (err) {
      if (!picked) throw err;
      return this.fail((work) => work(this.deps.db), picked, err);
    }
  }

  /** One message's work inside a unit: its Bundle applied and the message marked, or filtered. */
  private async processIn(unit: StoreTransaction, message: StoredMessage): Promise<{ outcome: ProcessOutcome; entry?: PreparedEntry }> {
    const applied = await this.apply(unit, message);
    if ('outcome' in applied) return applied;
    await unit.alongside((tx) => markAll(tx, [applied.marking]));
    return { outcome: outcomeOf(applied.marking), ...(applied.entry ? { entry: applied.entry } : {}) };
  }

  /** A message's Bundle applied in the unit (or its filter decided): how to mark it, not yet marked. */
  private async apply(unit: StoreTransaction, message: StoredMessage, mapped?: Mapped | { failed: unknown }): Promise<{ outcome: ProcessOutcome } | { marking: Marking; entry?: PreparedEntry }> {
    // Received twice while the first copy was being processed: it is done already.
    if (isDone(message)) {
      return { outcome: { id: message.id, status: message.status, outputs: await unit.alongside((tx) => messageOutputs(tx, message.id)) } };
    }
    const result = mapped ?? (await this.map(message));
    if ('failed' in result) throw result.failed;
    if ('filtered' in result) return { marking: { kind: 'filtered', id: message.id, reason: result.filtered } };
    const response = await applyTransactionBundle(unit, result.bundle, { baseUrl: this.deps.fhirBaseUrl, returnMinimal: true, ...(this.deps.sameAs ? { sameAs: this.deps.sameAs } : {}) });
    const marking: Marking = { kind: 'processed', id: message.id, outputs: outputsOf(response), ...(result.prepared ? { quality: result.prepared.quality } : {}) };
    return { marking, ...(result.prepared ? { entry: result.prepared } : {}) };
  }

  /** What the channel's handler and the entry checks make of a message (no database work). */
  private async map(message: StoredMessage): Promise<Mapped> {
    const handler = this.deps.handlers.get(message.channel);
    if (!handler) throw new HandlerError({ stage: 'route', code: 'no-handler', message: `no handler for channel ${message.channel}` });
    const result = await handler.handle(message);
    if (result.kind === 'filtered') return { filtered: result.reason };
    const origin = { source: result.source ?? message.channel, channel: message.channel, messageId: message.id };
    const prepared = this.deps.entryChecks?.(result.bundle, origin);
    return { bundle: prepared?.bundle ?? result.bundle, ...(prepared ? { prepared } : {}) };
  }

  /** Records a failure on the message (retried later when it may pass) and says what became of it. */
  private async fail(run: <T>(work: (tx: Queryable) => Promise<T>) => Promise<T>, message: StoredMessage, err: unknown): Promise<ProcessOutcome> {
    const { detail, retryable } = describeFailure(err);
    const status = await run((tx) => markFailed(tx, message.id, detail, { retryable, ...(this.deps.retryPolicy ? { policy: this.deps.retryPolicy } : {}) }));
    this.deps.logger?.warn({ messageId: message.id, channel: message.channel, stage: detail.stage, code: detail.code, status }, 'message failed');
    return { id: message.id, status, outputs: [], error: detail };
  }
}

/**
 * Lets frames and receipts waiting on this event loop go first. Mapping and applying a message
 * is 5-15 ms of CPU with no I/O in between (validation, index rows); a batch of 50 done in one
 * go held every ACK on the listener for the whole of it.
 *
 * The worker's lanes (messageConcurrency, 4 on PostgreSQL) take turns: one message's slice per
 * turn of the event loop, whichever lane it is. Each yielding on its own put all four slices
 * ahead of a receipt read in the same turn (about 4 × 7 ms). Measured in turns against that
 * (PostgreSQL, ackAfter stored, 8 connections, load 7-13): receipts ACKed while the worker
 * runs, ahead in 10 of 14 rounds, median +19 % (at load 7-8, 402 against 241 msg/s over five).
 */
function yieldToReceipts(): Promise<void> {
  const turn = lastTurn.then(() => setImmediate());
  lastTurn = turn;
  return turn;
}
let lastTurn: Promise<void> = Promise.resolve();

function isDone(message: StoredMessage): message is StoredMessage & { status: 'processed' | 'filtered' } {
  return message.status === 'processed' || message.status === 'filtered';
}

/** A message mapped: the Bundle to apply (with its entry checks), or its filter's reason. */
type Mapped = { bundle: Bundle; prepared?: PreparedEntry } | { filtered: string };

/** What becomes of a message whose work is done: processed with what it wrote, or filtered. */
type Marking =
  | { kind: 'processed'; id: number; outputs: ResourceOutput[]; quality?: QualityRecord }
  | { kind: 'filtered'; id: number; reason: string };

/** Marks messages in as few statements as there are kinds of marking (a batch's, at its end). */
async function markAll(tx: Queryable, markings: readonly Marking[]): Promise<void> {
  const processed = markings.flatMap((m) => (m.kind === 'processed' ? [m] : []));
  const quality = processed.flatMap((m) => (m.quality ? [m.quality] : []));
  if (quality.length > 0) await recordQualityChecksOfMany(tx, quality);
  await markProcessedMany(tx, processed);
  for (const m of markings) if (m.kind === 'filtered') await markFiltered(tx, m.id, m.reason);
}

function outcomeOf(marking: Marking): ProcessOutcome {
  return marking.kind === 'processed' ? { id: marking.id, status: 'processed', outputs: marking.outputs } : { id: marking.id, status: 'filtered', outputs: [] };
}

/**
 * An outcome that settles after the unit commits. Should the unit fail, nobody awaits it (its
 * messages are redone one at a time): marked handled so its rejection is not reported as lost.
 */
function settledLater<T>(outcome: Promise<T>): Promise<T> {
  outcome.catch(() => undefined);
  return outcome;
}

/** A batch that must be redone one message at a time: a failure that memory alone cannot undo. */
class BatchSplit extends Error {
  constructor(override readonly cause: unknown) {
    super('a message of the batch failed after some of its writes were stored');
  }
}

/** Several messages locked for update, in the order of `ids`; LNG_NOT_FOUND if one does not exist. */
async function lockMessages(tx: Queryable, ids: readonly number[]): Promise<StoredMessage[]> {
  const { rows } = await tx.query<Parameters<typeof toStoredMessage>[0]>(
    `select ${messageColumns} from inbound_message where id = any($1::bigint[]) order by id for update`,
    [ids],
  );
  const byId = new Map(rows.map((row) => [Number(row.id), toStoredMessage(row)]));
  return ids.map((id) => {
    const message = byId.get(id);
    if (!message) throw new LongitudeError('LNG_NOT_FOUND', `message ${id} does not exist`);
    return message;
  });
}

async function lockMessage(tx: Queryable, id: number): Promise<StoredMessage | undefined> {
  const { rows } = await tx.query<Parameters<typeof toStoredMessage>[0]>(
    `select ${messageColumns} from inbound_message where id = $1 for update`,
    [id],
  );
  if (!rows[0]) throw new LongitudeError('LNG_NOT_FOUND', `message ${id} does not exist`);
  return toStoredMessage(rows[0]);
}

/**
 * Handler errors carry their own stage and element; a rejected write (validation, conflict)
 * will fail the same way again; anything else (a lost connection, a lock timeout) may pass.
 */
function describeFailure(err: unknown): { detail: MessageError; retryable: boolean } {
  if (err instanceof HandlerError) return { detail: err.detail, retryable: err.retryable };
  if (err instanceof LongitudeError) {
    const element = err.issues.find((i) => i.expression?.length)?.expression?.[0];
    const detail: MessageError = { stage: 'store', code: err.code, message: err.message, ...(element ? { element } : {}) };
    return { detail, retryable: err.code === 'LNG_CONFLICT' || err.code === 'LNG_VERSION_CONFLICT' };
  }
  return { detail: { stage: 'store', code: 'LNG_INTERNAL', message: err instanceof Error ? err.message : String(err) }, retryable: true };
}

/** The versions a transaction wrote, from its response locations (Type/id/_history/n). */
function outputsOf(response: Bundle): ResourceOutput[] {
  return (response.entry ?? []).flatMap((entry) => {
    const m = /^([A-Za-z]+)\/([^/]+)\/_history\/(\d+)$/.exec(entry.response?.location ?? '');
    return m ? [{ resourceType: m[1]!, id: m[2]!, versionId: Number(m[3]) }] : [];
  });
}
