/**
 * What an import did, per silo: items read from its files, messages newly stored and already
 * stored (a re-import), and what processing made of the new ones, with the rejections grouped
 * by reason (stage, code, element) so ten thousand bad rows read as one line with a count.
 */
import type { MessageError, MessageStatus } from '../message-store/message-store.ts';

export interface RejectionGroup {
  stage: string;
  code: string;
  element?: string;
  count: number;
  /** The first rejected message of the group and its error text, to look at with `longitude messages show`. */
  exampleId: number;
  example: string;
}

export interface SiloSummary {
  silo: string;
  channel: string;
  files: number;
  /** Messages, rows, files or lines read. */
  read: number;
  /** Newly stored in the message store. */
  stored: number;
  /** Already in the message store with the same control id and content (nothing to do). */
  duplicates: number;
  processed: number;
  filtered: number;
  /** Errored (quarantined) or dead: kept in the message store with the reason. */
  rejected: number;
  /** Stored but not processed yet (a retryable failure waiting for its backoff). */
  queued: number;
  rejections: RejectionGroup[];
  ms: number;
}

export function emptySummary(silo: string, channel: string, files: number): SiloSummary {
  return { silo, channel, files, read: 0, stored: 0, duplicates: 0, processed: 0, filtered: 0, rejected: 0, queued: 0, rejections: [], ms: 0 };
}

/** Counts one processed message's outcome. */
export function countOutcome(summary: SiloSummary, id: number, status: MessageStatus, error?: MessageError): void {
  switch (status) {
    case 'processed':
      summary.processed++;
      return;
    case 'filtered':
      summary.filtered++;
      return;
    case 'received':
      summary.queued++;
      return;
    case 'errored':
    case 'dead':
      if (status === 'errored' && error && isRetryable(error)) {
        summary.queued++;
        return;
      }
      summary.rejected++;
      if (error) addRejection(summary, id, error);
  }
}

/** The failures the processor retries after a backoff (message-processor.ts, describeFailure). */
export function isRetryable(error: MessageError): boolean {
  return error.stage === 'store' && ['LNG_INTERNAL', 'LNG_CONFLICT', 'LNG_VERSION_CONFLICT'].includes(error.code);
}

function addRejection(summary: SiloSummary, id: number, error: MessageError): void {
  const group = summary.rejections.find((g) => g.stage === error.stage && g.code === error.code && g.element === error.element);
  if (group) group.count++;
  else summary.rejections.push({ stage: error.stage, code: error.code, ...(error.element ? { element: error.element } : {}), count: 1, exampleId: id, example: error.message });
}

/** Lines for the terminal: one per silo, then its rejection groups, largest first. */
export function formatSummary(summaries: readonly SiloSummary[]): string[] {
  const lines = [`${'silo'.padEnd(14)} ${'channel'.padEnd(18)} ${'read'.padStart(8)} ${'stored'.padStart(8)} ${'already'.padStart(8)} ${'processed'.padStart(9)} ${'filtered'.padStart(8)} ${'rejected'.padStart(8)} ${'queued'.padStart(6)} ${'items/s'.padStart(8)}`];
  for (const s of summaries) {
    const rate = s.ms > 0 ? Math.round((s.read * 1000) / s.ms) : 0;
    lines.push(
      `${s.silo.padEnd(14)} ${s.channel.padEnd(18)} ${String(s.read).padStart(8)} ${String(s.stored).padStart(8)} ${String(s.duplicates).padStart(8)} ${String(s.processed).padStart(9)} ${String(s.filtered).padStart(8)} ${String(s.rejected).padStart(8)} ${String(s.queued).padStart(6)} ${String(rate).padStart(8)}`,
    );
    for (const g of [...s.rejections].sort((a, b) => b.count - a.count)) {
      const where = g.element ? ` at ${g.element}` : '';
      lines.push(`  ${String(g.count).padStart(6)} x ${g.stage} ${g.code}${where}: ${g.example} (e.g. message ${g.exampleId})`);
    }
  }
  return lines;
}
