/**
 * File-drop directories: a sending system (or an operator) puts files in a directory; each
 * file is split into messages (an HL7 v2 batch or capture into its messages, NDJSON into its
 * lines, a FHIR Bundle or a C-CDA document as one), every message is stored in the message
 * store, and only then is the file moved into `.done/` beside it. A crash before the move
 * leaves the file where it was; read again after a restart, its messages are recognised by
 * control id and content and not stored twice. Nothing dropped is lost, nothing is doubled.
 *
 * Channels are named as the importer names them (`hl7:<name>`, `fhir:<name>`,
 * `ccda:<name>`), so the worker finds their handler by the name (import/channel-handlers.ts).
 */
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Logger } from 'pino';
import type { FileDropConfig } from '../../platform/config.ts';
import type { ImportFile, ImportSource } from '../import/detect-sources.ts';
import { readSource } from '../import/read-feeds.ts';
import type { MessageIntake } from '../message-store/message-intake.ts';
import type { InboundMessage } from '../message-store/message-store.ts';

export interface FileDropDeps {
  intake: MessageIntake;
  /** Something was stored: wake the worker. */
  onStored: () => void;
  logger?: Logger;
}

/** The channel a drop directory's messages are stored under. */
export function fileDropChannel(drop: Pick<FileDropConfig, 'name' | 'format'>): string {
  return `${drop.format}:${drop.name}`;
}

/**
 * The messages of one dropped file. C-CDA documents are one message each; the other formats
 * are read as the importer reads them.
 */
export async function* fileMessages(drop: FileDropConfig, file: ImportFile): AsyncGenerator<InboundMessage> {
  const channel = fileDropChannel(drop);
  if (drop.format === 'ccda') {
    yield { channel, content: new Uint8Array(await readFile(file.path)), controlId: file.rel, messageType: 'C-CDA' };
    return;
  }
  const source: ImportSource = { silo: drop.name, kind: drop.format === 'hl7' ? 'hl7' : 'fhir', channel, files: [file] };
  for await (const item of readSource(source, file)) yield item.message;
}

/** Stores every message of every file now in the directory, then moves each file to `.done/`. */
export async function sweepFileDrop(drop: FileDropConfig, deps: FileDropDeps): Promise<{ files: number; messages: number }> {
  const done = join(drop.dir, '.done');
  let files = 0;
  let messages = 0;
  for (const name of (await readdir(drop.dir)).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(drop.dir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) continue;
    const file: ImportFile = { path, rel: name, bytes: info.size, ...(extname(name) === '.ndjson' ? { format: 'ndjson' as const } : {}) };
    const receipts: Promise<unknown>[] = [];
    for await (const message of fileMessages(drop, file)) receipts.push(deps.intake.receive(message));
    await Promise.all(receipts);
    messages += receipts.length;
    files++;
    deps.onStored();
    await mkdir(done, { recursive: true });
    // A file of the same name dropped again later keeps its own copy in .done.
    const target = (await stat(join(done, name)).catch(() => undefined)) ? `${name}.${Date.now()}` : name;
    await rename(path, join(done, target));
    deps.logger?.info({ channel: fileDropChannel(drop), file: name, messages: receipts.length }, 'file stored');
  }
  return { files, messages };
}

/** Sweeps a drop directory every `pollMs` until stopped. */
export class FileDropWatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private queued: Promise<unknown> | undefined;

  constructor(
    private readonly drop: FileDropConfig,
    private readonly deps: FileDropDeps & { pollMs: number },
  ) {}

  async start(): Promise<void> {
    await mkdir(this.drop.dir, { recursive: true });
    await this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.deps.pollMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.queued;
    await this.running;
  }

  /**
   * A sweep that starts after this call: a sweep already running may have listed the
   * directory before the caller's file arrived, so the caller waits for one more (at most one
   * waits; callers that come while it waits share it). Failures are logged and the files stay
   * for the next sweep.
   */
  sweep(): Promise<unknown> {
    if (!this.running) {
      this.running = sweepFileDrop(this.drop, this.deps)
        .catch((err: unknown) => this.deps.logger?.error({ err, dir: this.drop.dir }, 'file drop sweep failed; files stay for the next sweep'))
        .finally(() => {
          this.running = undefined;
        });
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.sweep();
    });
    return this.queued;
  }
}
