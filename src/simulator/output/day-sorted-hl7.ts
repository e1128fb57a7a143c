/**
 * HL7 files in time order without holding the whole feed in memory. Messages are generated
 * person by person, so they arrive out of time order. Phase 1 appends each message, as one
 * line prefixed with its sort key, to a temporary file for its day. Phase 2 reads one day at a
 * time, sorts it, and writes `YYYY-MM-DD.hl7`: segments separated by "\n", messages separated
 * by a blank line. Memory is bounded by the largest day (about 1/365 of the feed).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isoDate } from '../dates.ts';
import type { TimedMessage } from '../silos/silo-output.ts';
import { FileSink } from './file-sink.ts';

export class DaySortedHl7Writer {
  private readonly tmpDir: string;
  private readonly days = new Map<number, FileSink>();
  messages = 0;
  bytes = 0;
  files = 0;

  constructor(private readonly dir: string) {
    this.tmpDir = join(dir, '.unsorted');
    mkdirSync(this.tmpDir, { recursive: true });
  }

  async add(message: TimedMessage): Promise<void> {
    let sink = this.days.get(message.day);
    if (!sink) this.days.set(message.day, (sink = new FileSink(join(this.tmpDir, `${isoDate(message.day)}.tmp`))));
    this.messages++;
    // Segments are joined by \r in the temporary file so one message is one line.
    await sink.write(`${message.sortKey}\t${message.segments.join('\r')}\n`);
  }

  /** Sorts every day and writes the final files; removes the temporary ones. */
  async finish(): Promise<void> {
    for (const sink of this.days.values()) await sink.close();
    this.days.clear();
    for (const name of readdirSync(this.tmpDir).sort()) {
      const lines = readFileSync(join(this.tmpDir, name), 'utf8').split('\n').filter((l) => l.length > 0);
      // Sort keys are fixed-width timestamps followed by unique control ids: a plain sort is time order.
      lines.sort();
      const out = new FileSink(join(this.dir, name.replace('.tmp', '.hl7')));
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        const text = line.slice(line.indexOf('\t') + 1).replaceAll('\r', '\n');
        await out.write(i === 0 ? `${text}\n` : `\n${text}\n`);
      }
      await out.close();
      this.bytes += out.bytes;
      this.files++;
      rmSync(join(this.tmpDir, name));
    }
    rmSync(this.tmpDir, { recursive: true, force: true });
  }
}
