/**
 * Files → the messages to store, one per HL7 v2 message, CSV row, FHIR file or NDJSON line,
 * each with the control id that makes storing it again a no-op (message-store.ts): MSH-10 for
 * HL7 v2, the row's natural key for CSV, the file path (`#line` for NDJSON) for FHIR. Content
 * is kept as bytes, exactly as read. Files are streamed (CSV, NDJSON) or read one at a time
 * (an HL7 day file, a FHIR Bundle), so memory does not grow with the directory.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { readCsvFile } from '../csv/csv-reader.ts';
import { csvRowMessage } from '../csv/csv-handler.ts';
import { fhirFileMessage } from '../fhir-files/fhir-file-handler.ts';
import { parseMessage } from '../hl7v2/parse.ts';
import { splitMessages } from '../hl7v2/split.ts';
import type { InboundMessage } from '../message-store/message-store.ts';
import type { ImportFile, ImportSource } from './detect-sources.ts';

export interface FeedItem {
  message: InboundMessage;
  /** File bytes consumed since the previous item (for progress over the total size). */
  bytes: number;
}

export function readSource(source: ImportSource, file: ImportFile): AsyncGenerator<FeedItem> {
  switch (source.kind) {
    case 'hl7':
      return readHl7File(source.channel, file);
    case 'csv':
      return readCsvRows(file);
    case 'fhir':
      return file.format === 'ndjson' ? readNdjsonFile(source.channel, file) : readJsonFile(source.channel, file);
  }
}

/**
 * An HL7 v2 file split into messages the way the v2 core splits captures (hl7v2/split.ts).
 * Receipt fields are read as the MLLP receiver reads them; a message that does not parse is
 * stored all the same (the handler errors it at stage `parse`), under `<file>#<line>`.
 */
async function* readHl7File(channel: string, file: ImportFile): AsyncGenerator<FeedItem> {
  const bytes = new Uint8Array(await readFile(file.path));
  const { messages } = splitMessages(bytes);
  let pending = bytes.length;
  for (const split of messages) {
    const parsed = parseMessage(split.content);
    const message: InboundMessage = { channel, content: split.content, controlId: `${file.rel}#${split.line}` };
    if (parsed.ok) {
      const m = parsed.message;
      const { code, trigger } = m.messageType;
      const sender = [m.get('MSH-3'), m.get('MSH-4')].filter(Boolean).join('^');
      const patient = m.get('PID-3.1');
      const authority = m.get('PID-3.4');
      message.messageType = trigger ? `${code}^${trigger}` : code;
      if (sender) message.sender = sender;
      if (m.controlId) message.controlId = m.controlId;
      if (patient) message.orderingKey = authority ? `${patient}^${authority}` : patient;
    }
    yield { message, bytes: pending };
    pending = 0;
  }
}

async function* readCsvRows(file: ImportFile): AsyncGenerator<FeedItem> {
  const mapping = file.mapping!;
  let consumed = 0;
  let header: { fields: string[]; raw: Uint8Array } | undefined;
  let row = 0;
  for await (const record of readCsvFile(file.path, { delimiter: mapping.delimiter, onBytes: (n) => (consumed += n) })) {
    if (!header) {
      header = record;
      continue;
    }
    row++;
    yield { message: csvRowMessage(mapping, header.fields, header.raw, record, row, file.rel), bytes: consumed };
    consumed = 0;
  }
}

async function* readJsonFile(channel: string, file: ImportFile): AsyncGenerator<FeedItem> {
  const content = new Uint8Array(await readFile(file.path));
  yield { message: fhirFileMessage(channel, content, file.rel), bytes: content.length };
}

/** NDJSON (https://github.com/ndjson/ndjson-spec): one JSON value per LF-terminated line; blank lines skipped. */
async function* readNdjsonFile(channel: string, file: ImportFile): AsyncGenerator<FeedItem> {
  let carry = new Uint8Array(0);
  let line = 0;
  let consumed = 0;
  const emit = function* (bytes: Uint8Array): Generator<FeedItem> {
    line++;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    const content = bytes.subarray(0, end);
    if (content.some((b) => b !== 0x20 && b !== 0x09)) {
      yield { message: fhirFileMessage(channel, content.slice(), `${file.rel}#${line}`), bytes: consumed };
      consumed = 0;
    }
  };
  for await (const chunk of createReadStream(file.path, { highWaterMark: 256 * 1024 })) {
    const bytes = chunk as Buffer;
    consumed += bytes.length;
    let start = 0;
    for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, start)) {
      const piece = bytes.subarray(start, i);
      const lineBytes = carry.length > 0 ? Buffer.concat([carry, piece]) : piece;
      carry = new Uint8Array(0);
      yield* emit(lineBytes);
      start = i + 1;
    }
    carry = carry.length > 0 ? Buffer.concat([carry, bytes.subarray(start)]) : bytes.subarray(start).slice();
  }
  if (carry.length > 0) yield* emit(carry);
}
