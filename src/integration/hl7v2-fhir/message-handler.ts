/**
 * The message store's handler for an HL7 v2 channel: parse the stored bytes, map them, hand
 * the transaction Bundle to the processor (message-processor.ts), which applies it atomically
 * with the message marked processed. A parse failure is a HandlerError of stage `parse`
 * naming the element; an unsupported message type is filtered with the reason.
 */
import { parseMessage } from '../hl7v2/parse.ts';
import type { HandlerResult, MessageHandler } from '../message-store/message-processor.ts';
import { HandlerError } from '../message-store/message-processor.ts';
import type { StoredMessage } from '../message-store/message-store.ts';
import { mapHl7Message } from './map-message.ts';
import { parseMappingOverrides, type MappingOverrides } from './overrides.ts';

export interface Hl7HandlerOptions {
  /** The source system's name in identifiers and Provenance; defaults to MSH-3.MSH-4. */
  sourceSystem?: string;
  /** The channel's mapping overrides, as parsed JSON: validated here (overrides.ts), LNG_CONFIG_INVALID when wrong. */
  overrides?: unknown;
}

export class Hl7MessageHandler implements MessageHandler {
  private readonly overrides: MappingOverrides;

  /** @param options - per channel: the processor's handler map is keyed by channel. */
  constructor(private readonly options: Hl7HandlerOptions = {}) {
    this.overrides = parseMappingOverrides(options.overrides ?? {});
  }

  handle(message: StoredMessage): HandlerResult {
    const parsed = parseMessage(message.content);
    if (!parsed.ok) {
      const { code, message: text, field, segment } = parsed.rejection;
      const element = field ?? segment;
      throw new HandlerError({ stage: 'parse', code, message: text, ...(element ? { element } : {}) });
    }
    const result = mapHl7Message(parsed.message, {
      ...(this.options.sourceSystem ? { sourceSystem: this.options.sourceSystem } : {}),
      messageId: String(message.id),
      channel: message.channel,
      receivedAt: message.receivedAt,
      overrides: this.overrides,
    });
    if (result.kind === 'filtered') return result;
    // The name normalization tables and the quality report know the sender by: the channel's
    // configured source system, else MSH-3.MSH-4 (hosp_adt.general_hospital).
    const msh = parsed.message;
    const source = this.options.sourceSystem ?? ([msh.get('MSH-3'), msh.get('MSH-4')].filter(Boolean).join('.') || message.channel);
    return { ...result, source: source.toLowerCase() };
  }
}
