/**
 * CSV rows through the message store. A row is stored as its own message *before* it is
 * mapped: the content is the file's header line and the row's bytes, exactly as in the file
 * (so the stored message reads on its own, and reprocessing needs nothing else); the control id
 * is the row's natural key (the mapping's `controlId` columns), so re-importing a file finds
 * the rows already stored instead of adding them again.
 *
 * The handler, which the MessageProcessor runs like the HL7 v2 one, parses the stored row,
 * validates it against the mapping's columns, maps it, and returns the transaction Bundle with
 * its Provenance. A row that fails validation is quarantined: a HandlerError of stage
 * `validate` (or `parse` for broken quoting), code and element = the column, and the message
 * stays errored with that reason while the other rows proceed.
 */
import type { InboundMessage, StoredMessage } from '../message-store/message-store.ts';
import { HandlerError, type HandlerResult, type MessageHandler } from '../message-store/message-processor.ts';
import { sourceBundle } from '../provenance/source-provenance.ts';
import { parseCsvBytes, type CsvRecord } from './csv-reader.ts';
import type { CsvMapping } from './mapping-file.ts';
import { mapRow, toEntries } from './row-mapper.ts';
import { validateRow } from './row-validation.ts';

/** The message store channel of a source's CSV extracts: `csv:<source system>`. */
export function csvChannel(mapping: CsvMapping): string {
  return `csv:${mapping.source.system}`;
}

/** System of the identifier that names a row in Provenance: the source, and which extract. */
export function rowRecordSystem(mapping: CsvMapping): string {
  return `urn:longitude:csv:${mapping.source.system}:${mapping.name}`;
}

/**
 * The message to store for one data row.
 * @param headerRaw - the header record's bytes as in the file
 * @param rowNumber - 1-based data row number (the header is row 0): the control id when the natural key is missing
 */
export function csvRowMessage(mapping: CsvMapping, header: readonly string[], headerRaw: Uint8Array, record: CsvRecord, rowNumber: number, file: string): InboundMessage {
  const content = new Uint8Array(headerRaw.length + 1 + record.raw.length);
  content.set(headerRaw, 0);
  content[headerRaw.length] = 0x0a;
  content.set(record.raw, headerRaw.length + 1);
  const field = (column: string) => {
    const i = header.findIndex((h) => h.trim() === column);
    return i >= 0 ? (record.fields[i] ?? '').trim() : '';
  };
  const key = mapping.controlId.map(field);
  const orderingKey = mapping.orderingKey ? field(mapping.orderingKey) : '';
  return {
    channel: csvChannel(mapping),
    content,
    sender: file,
    messageType: mapping.name,
    controlId: key.every((k) => k !== '') && !record.error ? key.join('.') : `${file}#${rowNumber}`,
    ...(orderingKey ? { orderingKey: `${mapping.source.system}:${orderingKey}` } : {}),
  };
}

export class CsvMessageHandler implements MessageHandler {
  private readonly mappings: ReadonlyMap<string, CsvMapping>;

  /** @param mappings - the source's mappings; a message names its mapping in its message type */
  constructor(mappings: readonly CsvMapping[]) {
    this.mappings = new Map(mappings.map((m) => [m.name, m]));
  }

  handle(message: StoredMessage): HandlerResult {
    const mapping = this.mappings.get(message.messageType ?? '');
    if (!mapping) {
      throw new HandlerError({ stage: 'route', code: 'no-mapping', message: `no CSV mapping ${message.messageType ?? '(none)'} on channel ${message.channel} (known: ${[...this.mappings.keys()].join(', ')})` });
    }
    const records = parseCsvBytes(message.content, { delimiter: mapping.delimiter });
    const [header, row] = records;
    if (!header || !row || records.length !== 2) {
      throw new HandlerError({ stage: 'parse', code: 'not-one-row', message: `a stored CSV row is a header and one row; this one holds ${records.length} record(s)` });
    }
    const checked = validateRow(mapping, header.fields, row);
    if (!checked.ok) {
      const [first] = checked.problems;
      throw new HandlerError({
        stage: first!.code === 'csv-syntax' ? 'parse' : 'validate',
        code: first!.code,
        message: checked.problems.map((p) => p.message).join('; '),
        element: first!.column,
      });
    }
    const planned = mapRow(mapping, checked.row);
    const recordId = mapping.controlId.map((c) => checked.row.text[c]).join('.');
    // A validated date column: YYYY-MM-DD, a FHIR dateTime as it is.
    const occurred = mapping.occurred ? checked.row.text[mapping.occurred] : undefined;
    return {
      kind: 'bundle',
      bundle: sourceBundle(toEntries(planned), {
        messageId: String(message.id),
        channel: message.channel,
        receivedAt: message.receivedAt,
        sourceSystem: mapping.source.system,
        ...(mapping.source.display ? { sourceDisplay: mapping.source.display } : {}),
        record: { system: rowRecordSystem(mapping), value: recordId, display: `${mapping.file} row ${mapping.controlId.join('.')} = ${recordId}` },
        policy: `urn:longitude:csv-mapping/${mapping.name}/${mapping.version}`,
        tag: { system: 'urn:longitude:csv:mapping-version', code: `${mapping.name}/${mapping.version}` },
        ...(occurred ? { occurred } : {}),
      }),
    };
  }
}
