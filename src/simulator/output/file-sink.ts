/**
 * A write stream that respects backpressure: write() returns a promise only when the stream's
 * buffer is full, and the caller awaits it (the 'drain' event) before producing more.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

export class FileSink {
  private readonly stream: WriteStream;
  bytes = 0;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { highWaterMark: 1 << 20 });
  }

  /** Writes text; the returned promise (when any) resolves once the buffer has drained. */
  write(text: string): Promise<unknown> | undefined {
    this.bytes += Buffer.byteLength(text);
    return this.stream.write(text) ? undefined : once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
  }
}
