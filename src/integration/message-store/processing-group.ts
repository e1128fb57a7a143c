/**
 * Group processing for channels that acknowledge after processing (`ackAfter: processed`):
 * messages that arrive while a batch is being processed wait and go together in the next one
 * (MessageProcessor.processMany: one transaction, a message that fails is errored alone), each
 * caller answered with its own messages' outcomes once that transaction has committed. Without
 * it, eight connections meant eight one-message transactions side by side, each with its own
 * fixed statements and commit, queued on the commit-order lock.
 */
import type { MessageProcessor, ProcessOutcome } from './message-processor.ts';

interface Waiting {
  ids: readonly number[];
  resolve: (outcomes: ProcessOutcome[]) => void;
  reject: (err: unknown) => void;
}

export class ProcessingGroup {
  private waiting: Waiting[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly processor: Pick<MessageProcessor, 'processMany'>) {}

  /** Processes stored messages with whatever else is waiting; outcomes in the order of `ids`. */
  processMany(ids: readonly number[]): Promise<ProcessOutcome[]> {
    if (ids.length === 0) return Promise.resolve([]);
    const done = new Promise<ProcessOutcome[]>((resolve, reject) => this.waiting.push({ ids, resolve, reject }));
    this.running ??= this.drain().finally(() => (this.running = undefined));
    return done;
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const group = this.waiting.splice(0);
      // Storage order is arrival order: one patient's messages from two connections keep it.
      const ids = [...new Set(group.flatMap((w) => w.ids))].sort((a, b) => a - b);
      try {
        const outcomes = new Map((await this.processor.processMany(ids)).map((o) => [o.id, o]));
        for (const w of group) w.resolve(w.ids.map((id) => outcomes.get(id)!));
      } catch (err) {
        for (const w of group) w.reject(err);
      }
    }
  }
}
