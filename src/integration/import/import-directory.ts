/**
 * `longitude import DIR`: every feed of a directory into the record, through the message
 * store, the way a live interface takes them in. For each silo, file by file:
 * 1. read items (HL7 messages, CSV rows, FHIR files or lines) and store each raw, in batches
 *    of one database transaction: stored *before* anything is processed, so nothing read is
 *    lost whatever happens next;
 * 2. process every newly stored message with the channel's handler (channel-handlers.ts)
 *    through the MessageProcessor: the resources and the message marked processed commit
 *    together; a bad row or message is kept errored with its reason and the rest go on.
 * A message already stored (same channel, control id and content) is not processed again, so
 * importing the same directory twice adds nothing.
 *
 * Order and concurrency: on the embedded database (one connection) messages are processed one
 * at a time in file order. On PostgreSQL, HL7 and CSV messages are spread over `concurrency`
 * lanes by ordering key (the patient or member), each lane in file order: one person's
 * messages never overtake each other, and everything a message ensures is keyed by its person
 * (the member's Patient, their Conditions), so two lanes never race on one conditional create.
 * FHIR files carry no such key and share things across patients (Synthea's Organizations), so
 * they stay on one lane. A retryable failure (a serialization conflict between lanes) is tried
 * once more, alone, at the end of the batch.
 */
import type { Logger } from 'pino';
import type { Db } from '../../platform/db/db.ts';
import type { ResourceStore } from '../../record/resource-store.ts';
import type { AccessContext } from '../../trust/access-context.ts';
import type { CsvMapping } from '../csv/mapping-file.ts';
import type { EntryChecks } from '../entry-checks.ts';
import type { SameAsFinder } from '../../record/bundle-processor.ts';
import { MessageProcessor, type ProcessOutcome } from '../message-store/message-processor.ts';
import { receiveMessages, type InboundMessage, type Receipt } from '../message-store/message-store.ts';
import { importHandlers } from './channel-handlers.ts';
import { PlannerStatistics } from './planner-statistics.ts';
import { detectSources, type DetectedSources, type ImportSource } from './detect-sources.ts';
import { countOutcome, emptySummary, isRetryable, type SiloSummary } from './import-summary.ts';
import { readSource, type FeedItem } from './read-feeds.ts';

export interface ImportDeps {
  db: Db;
  store: ResourceStore;
  /** Whose import this is: every record write goes through it and is audited. */
  ctx: AccessContext;
  fhirBaseUrl: string;
  mappings: readonly CsvMapping[];
  /** Normalization and quality checks, as the hub applies them to every channel. */
  entryChecks?: EntryChecks;
  /** Facts the record already holds from another source (same-fact.ts), as the hub applies it. */
  sameAs?: SameAsFinder;
  logger?: Logger;
}

export interface ImportOptions {
  /** Messages stored per database transaction (default 200). */
  batchSize?: number;
  /** Lanes processing HL7 and CSV messages at once on PostgreSQL (default 4; always 1 on the embedded database). */
  concurrency?: number;
  /** Told after every batch: bytes of the directory's feed files read so far, and in all. */
  onProgress?: (progress: { bytes: number; totalBytes: number; silo: string }) => void;
  /** Told once the sources are known, before anything is read. */
  onDetected?: (detected: DetectedSources) => void;
}

export interface ImportResult {
  silos: SiloSummary[];
  skipped: DetectedSources['skipped'];
  ms: number;
}

export async function importDirectory(deps: ImportDeps, dir: string, options: ImportOptions = {}): Promise<ImportResult> {
  const started = performance.now();
  const detected = detectSources(dir, deps.mappings);
  options.onDetected?.(detected);
  const processor = new MessageProcessor({
    db: deps.db,
    store: deps.store,
    ctx: deps.ctx,
    handlers: importHandlers(detected.sources.map((s) => s.channel), deps.mappings),
    ...(deps.entryChecks ? { entryChecks: deps.entryChecks } : {}),
    ...(deps.sameAs ? { sameAs: deps.sameAs } : {}),
    fhirBaseUrl: deps.fhirBaseUrl,
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  const totalBytes = detected.sources.reduce((n, s) => n + s.files.reduce((m, f) => m + f.bytes, 0), 0);
  const progress = { bytes: 0, totalBytes, silo: '' };
  const silos: SiloSummary[] = [];
  const statistics = new PlannerStatistics(deps.db);
  for (const source of detected.sources) {
    progress.silo = source.silo;
    silos.push(await importSource({ ...deps, processor, statistics }, source, options, progress));
  }
  return { silos, skipped: detected.skipped, ms: performance.now() - started };
}

async function importSource(
  deps: ImportDeps & { processor: MessageProcessor; statistics: PlannerStatistics },
  source: ImportSource,
  options: ImportOptions,
  progress: { bytes: number; totalBytes: number; silo: string },
): Promise<SiloSummary> {
  const started = performance.now();
  const summary = emptySummary(source.silo, source.channel, source.files.length);
  const batchSize = options.batchSize ?? 200;
  const lanes = deps.db.kind === 'pglite' || source.kind === 'fhir' ? 1 : Math.max(1, options.concurrency ?? 4);
  const flush = async (batch: FeedItem[]) => {
    if (batch.length === 0) return;
    const receipts = await storeBatch(deps.db, batch);
    summary.read += batch.length;
    // A duplicate still `received` was stored by an import that stopped before processing it.
    const due: { id: number; lane: number }[] = [];
    receipts.forEach((receipt, i) => {
      if (receipt.duplicate) summary.duplicates++;
      else summary.stored++;
      if (receipt.status === 'received') due.push({ id: receipt.id, lane: laneOf(batch[i]!.message, lanes) });
    });
    const outcomes = new Map<number, ProcessOutcome>();
    if (lanes === 1) {
      // One lane (the embedded database, FHIR files): several messages per transaction.
      for (let i = 0; i < due.length; i += messagesPerTransaction) {
        const ids = due.slice(i, i + messagesPerTransaction).map((item) => item.id);
        (await deps.processor.processMany(ids)).forEach((outcome, j) => outcomes.set(ids[j]!, outcome));
      }
    } else {
      await Promise.all(
        Array.from({ length: lanes }, async (_, lane) => {
          for (const item of due) if (item.lane === lane) outcomes.set(item.id, await deps.processor.processById(item.id));
        }),
      );
    }
    for (const { id } of due) {
      let outcome = outcomes.get(id)!;
      if (lanes > 1 && outcome.error && isRetryable(outcome.error)) outcome = await deps.processor.processById(id);
      countOutcome(summary, outcome.id, outcome.status, outcome.error);
    }
    await deps.statistics.processed(due.length);
    progress.bytes += batch.reduce((n, item) => n + item.bytes, 0);
    options.onProgress?.(progress);
  };
  // Batches run across files: a silo of many small files (an HL7 file per message) still
  // stores and processes its messages many to a transaction.
  let batch: FeedItem[] = [];
  for (const file of source.files) {
    for await (const item of readSource(source, file)) {
      batch.push(item);
      if (batch.length >= batchSize) {
        await flush(batch);
        batch = [];
      }
    }
  }
  await flush(batch);
  summary.ms = performance.now() - started;
  return summary;
}

/**
 * Messages processed in one transaction on a single lane, each in its own savepoint
 * (MessageProcessor.processMany): the transaction's fixed statements are shared by them.
 * Kept moderate because PostgreSQL slows down once a transaction holds more than 64
 * subtransactions that wrote (the snapshot's subtransaction cache overflows).
 */
const messagesPerTransaction = 50;

/** The lane of a message: by its ordering key (else control id), so one person's messages share a lane. */
function laneOf(message: InboundMessage, lanes: number): number {
  if (lanes === 1) return 0;
  const key = message.orderingKey ?? message.controlId ?? '';
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return Math.abs(h) % lanes;
}

/** Stores a batch in one transaction: one commit (one fsync) for many messages. */
function storeBatch(db: Db, batch: readonly FeedItem[]): Promise<Receipt[]> {
  return db.transaction((tx) => receiveMessages(tx, batch.map((item) => item.message)));
}
