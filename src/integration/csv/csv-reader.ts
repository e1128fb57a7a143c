/**
 * A streaming CSV reader (RFC 4180, https://www.rfc-editor.org/rfc/rfc4180) that hands back,
 * for every record, its fields *and its exact bytes*: the message store keeps each row raw, so
 * what an operator sees in `longitude messages show` is byte for byte what the file held.
 *
 * Tolerant where extracts in the wild differ, strict where a value would be guessed:
 * - records end with CRLF, LF or a lone CR, mixed within one file (exports get concatenated);
 * - a UTF-8 BOM before the first record is dropped; empty lines are skipped;
 * - a quote inside an unquoted field is kept as a literal (`5" tall` is unambiguous);
 * - a closing quote followed by anything but a delimiter or line end, and a quote still open at
 *   the end of the input, make the *record* an error (`invalid-quote`, `unclosed-quote`) while
 *   the reader goes on with the next one: a bad row is quarantined, never the whole file.
 *
 * The scanner works on bytes: in UTF-8 (and every ASCII-compatible charset) the bytes of `"`,
 * `,`, CR and LF never occur inside a multi-byte character, so no decoding happens until a
 * record is complete.
 */
import { createReadStream } from 'node:fs';

export interface CsvRecord {
  /** The fields, decoded as UTF-8, quotes removed and `""` unescaped. */
  fields: string[];
  /** The record's bytes as in the input, without its line terminator. */
  raw: Uint8Array;
  /** 1-based line where the record starts (a quoted line break makes a record span lines). */
  line: number;
  /** Set when the record breaks the quoting rules; `fields` is then a best effort. */
  error?: CsvSyntaxError;
}

export interface CsvSyntaxError {
  code: 'invalid-quote' | 'unclosed-quote' | 'record-too-large';
  message: string;
  /** 1-based field where it happened. */
  field: number;
}

export interface CsvReaderOptions {
  /** One ASCII character (default `,`). */
  delimiter?: string;
  /** A record longer than this is an error and its bytes are cut there (default 16 MiB). */
  maxRecordBytes?: number;
}

const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;
const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted';

/**
 * Push-style scanner: feed it chunks, collect records. Keeps the bytes of the record in
 * progress only, so memory is bounded by the longest record, not the file.
 */
export class CsvScanner {
  private readonly delimiter: number;
  private readonly maxRecordBytes: number;
  private pieces: Uint8Array[] = [];
  private pieceBytes = 0;
  private state: State = 'fieldStart';
  /** A CR ended the last record: an LF right after it belongs to that terminator. */
  private skipLf = false;
  private line = 1;
  private recordLine = 1;
  private first = true;
  private overflow = false;

  constructor(options: CsvReaderOptions = {}) {
    const delimiter = options.delimiter ?? ',';
    if (delimiter.length !== 1 || delimiter.charCodeAt(0) > 0x7f || ['"', '\r', '\n'].includes(delimiter)) {
      throw new RangeError(`CSV delimiter must be one ASCII character other than quote and line breaks, not ${JSON.stringify(delimiter)}`);
    }
    this.delimiter = delimiter.charCodeAt(0);
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  /** Scans a chunk; returns the records it completed. */
  push(chunk: Uint8Array): CsvRecord[] {
    const out: CsvRecord[] = [];
    let i = 0;
    if (this.first && chunk.length > 0) {
      // The BOM can only be the input's first three bytes; a chunk boundary inside it is not
      // worth handling (streams deliver at least 64 KiB at first).
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
      this.first = false;
    }
    let start = i;
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.skipLf) {
        this.skipLf = false;
        if (b === LF) {
          start = i + 1;
          continue;
        }
      }
      if (b === CR || b === LF) {
        if (this.state === 'quoted') {
          // A line break inside quotes is data; it still counts as a line of the file.
          if (b === LF || chunk[i + 1] !== LF) this.line++;
          continue;
        }
        this.take(chunk.subarray(start, i));
        this.emit(out);
        this.line++;
        this.recordLine = this.line;
        this.skipLf = b === CR;
        start = i + 1;
        continue;
      }
      this.state = nextState(this.state, b, this.delimiter);
    }
    this.take(chunk.subarray(start, chunk.length));
    return out;
  }

  /** Ends the input: the last record (without a final line break) and an open quote. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    this.emit(out);
    return out;
  }

  private take(bytes: Uint8Array): void {
    if (bytes.length === 0 || this.overflow) return;
    const room = this.maxRecordBytes - this.pieceBytes;
    if (bytes.length > room) {
      this.overflow = true;
      bytes = bytes.subarray(0, room);
    }
    // Copy: the caller may reuse its chunk buffer.
    this.pieces.push(bytes.slice());
    this.pieceBytes += bytes.length;
  }

  private emit(out: CsvRecord[]): void {
    const raw = concat(this.pieces, this.pieceBytes);
    const overflow = this.overflow;
    this.pieces = [];
    this.pieceBytes = 0;
    this.state = 'fieldStart';
    this.overflow = false;
    if (raw.length === 0 && !overflow) return;
    const record = splitRecord(raw, this.delimiter, this.recordLine);
    if (overflow) record.error = { code: 'record-too-large', message: `record longer than ${this.maxRecordBytes} bytes`, field: record.fields.length };
    out.push(record);
  }
}

function nextState(state: State, b: number, delimiter: number): State {
  switch (state) {
    case 'fieldStart':
      return b === QUOTE ? 'quoted' : b === delimiter ? 'fieldStart' : 'unquoted';
    case 'unquoted':
      return b === delimiter ? 'fieldStart' : 'unquoted';
    case 'quoted':
      return b === QUOTE ? 'quoteInQuoted' : 'quoted';
    case 'quoteInQuoted':
      // `""` is an escaped quote; a delimiter ends the field; anything else is an error,
      // after which the rest of the field is read as unquoted text.
      return b === QUOTE ? 'quoted' : b === delimiter ? 'fieldStart' : 'unquoted';
  }
}

/**
 * Splits one complete record (no terminator outside quotes) into fields.
 * @param line - the record's first line, reported back on the record
 */
export function splitRecord(raw: Uint8Array, delimiter: number, line: number): CsvRecord {
  const decoder = new TextDecoder();
  const text = (from: number, to: number) => decoder.decode(raw.subarray(from, to));
  const fields: string[] = [];
  let error: CsvSyntaxError | undefined;
  let state: State = 'fieldStart';
  // Where the field starts in raw (its opening quote, if any), where the current run of data
  // starts, and the data runs of a quoted field so far (split at its escaped quotes).
  let fieldAt = 0;
  let runAt = 0;
  let runs: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    switch (state) {
      case 'fieldStart':
        fieldAt = i;
        if (b === QUOTE) {
          state = 'quoted';
          runAt = i + 1;
          runs = [];
        } else if (b === delimiter) fields.push('');
        else {
          state = 'unquoted';
          runAt = i;
        }
        break;
      case 'unquoted':
        if (b === delimiter) {
          fields.push(text(runAt, i));
          state = 'fieldStart';
        }
        break;
      case 'quoted':
        if (b === QUOTE) {
          runs.push(text(runAt, i));
          state = 'quoteInQuoted';
        }
        break;
      case 'quoteInQuoted':
        if (b === QUOTE) {
          // `""`: the second quote is data, the first of the next run.
          runAt = i;
          state = 'quoted';
        } else if (b === delimiter) {
          fields.push(runs.join(''));
          state = 'fieldStart';
        } else {
          error ??= { code: 'invalid-quote', message: `field ${fields.length + 1}: a closing quote must be followed by a delimiter or the end of the record`, field: fields.length + 1 };
          // Best effort for the quarantined row: the field as it stands in the file.
          runAt = fieldAt;
          state = 'unquoted';
        }
        break;
    }
  }
  switch (state) {
    case 'fieldStart':
      // A record ending with a delimiter has an empty last field.
      if (raw.length > 0) fields.push('');
      break;
    case 'unquoted':
      fields.push(text(runAt, raw.length));
      break;
    case 'quoted':
      error ??= { code: 'unclosed-quote', message: `field ${fields.length + 1}: a quoted field is not closed`, field: fields.length + 1 };
      fields.push(text(fieldAt + 1, raw.length));
      break;
    case 'quoteInQuoted':
      fields.push(runs.join(''));
      break;
  }
  return { fields, raw, line, ...(error ? { error } : {}) };
}

function concat(pieces: Uint8Array[], size: number): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Every record of an in-memory input (a stored row, a test). */
export function parseCsvBytes(input: Uint8Array | string, options: CsvReaderOptions = {}): CsvRecord[] {
  const scanner = new CsvScanner(options);
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  return [...scanner.push(bytes), ...scanner.end()];
}

/**
 * Reads a file record by record, streaming; `onBytes` is told how many bytes were consumed
 * (for a progress bar over the file's size).
 */
export async function* readCsvFile(path: string, options: CsvReaderOptions & { onBytes?: (n: number) => void } = {}): AsyncGenerator<CsvRecord> {
  const scanner = new CsvScanner(options);
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    const bytes = chunk as Buffer;
    options.onBytes?.(bytes.length);
    yield* scanner.push(bytes);
  }
  yield* scanner.end();
}
