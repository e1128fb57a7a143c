/**
 * FHIR files through the message store: a `.json` file (a Bundle or one resource) or one line
 * of an `.ndjson` file is stored as a message, then this handler, run by the MessageProcessor
 * like the HL7 v2 one, turns it into an idempotent transaction (idempotent-transaction.ts)
 * with the Provenance every feed records (provenance/source-provenance.ts). Invalid JSON is a
 * HandlerError of stage `parse`; what the record refuses (a resource that fails validation)
 * errors the message at stage `store` naming the entry, and nothing of it is written.
 */
import type { InboundMessage, StoredMessage } from '../message-store/message-store.ts';
import { HandlerError, type HandlerResult, type MessageHandler } from '../message-store/message-processor.ts';
import { sourceBundle } from '../provenance/source-provenance.ts';
import { toIdempotentEntries } from './idempotent-transaction.ts';

/** Bump when what the import writes for the same file changes. */
export const FHIR_IMPORT_VERSION = '1.0.0';

export interface FhirFileHandlerOptions {
  /** The source system's name (urn-safe): the import directory's silo (`ehr-clinic`, `synthea-r4`). */
  sourceSystem: string;
}

/**
 * The message to store for a file or an NDJSON line.
 * @param origin - the file path relative to the import directory, `#<line>` for an NDJSON line: the control id
 */
export function fhirFileMessage(channel: string, content: Uint8Array, origin: string): InboundMessage {
  return { channel, content, sender: origin.split('#')[0]!, controlId: origin, ...describeContent(content) };
}

/** `Bundle/transaction` or the resource type, read cheaply for search; undefined when not JSON (the handler will say why). */
function describeContent(content: Uint8Array): { messageType?: string } {
  try {
    const json = JSON.parse(decode(content)) as { resourceType?: unknown; type?: unknown };
    if (typeof json.resourceType !== 'string') return {};
    return { messageType: json.resourceType === 'Bundle' && typeof json.type === 'string' ? `Bundle/${json.type}` : json.resourceType };
  } catch {
    return {};
  }
}

function decode(content: Uint8Array): string {
  const text = new TextDecoder().decode(content);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export class FhirFileHandler implements MessageHandler {
  constructor(private readonly options: FhirFileHandlerOptions) {}

  handle(message: StoredMessage): HandlerResult {
    let json: unknown;
    try {
      json = JSON.parse(decode(message.content));
    } catch (err) {
      throw new HandlerError({ stage: 'parse', code: 'invalid-json', message: (err as Error).message });
    }
    const origin = message.controlId ?? `message-${message.id}`;
    const entries = toIdempotentEntries(json, origin);
    if (entries.length === 0) return { kind: 'filtered', reason: 'an empty Bundle' };
    return {
      kind: 'bundle',
      bundle: sourceBundle(entries, {
        messageId: String(message.id),
        channel: message.channel,
        receivedAt: message.receivedAt,
        sourceSystem: this.options.sourceSystem,
        record: { system: `urn:longitude:fhir-file:${this.options.sourceSystem}`, value: origin, display: `FHIR file ${origin}` },
        policy: `urn:longitude:fhir-import/${FHIR_IMPORT_VERSION}`,
        tag: { system: 'urn:longitude:fhir-import:version', code: FHIR_IMPORT_VERSION },
      }),
    };
  }
}
