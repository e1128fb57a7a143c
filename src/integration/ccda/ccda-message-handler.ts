/**
 * The message store's handler for a C-CDA channel: the stored bytes are one document, mapped
 * to a transaction Bundle that the processor (message-processor.ts) applies atomically with the
 * message marked processed — the same interface as the HL7 v2 handler. A document that is not
 * readable CDA is a HandlerError of stage `parse` with its LNG_CCDA_* code (not retryable: the
 * same bytes fail the same way). What the mapping could not carry is logged with the message id,
 * and stays listed in the DocumentReference's original for reprocessing.
 */
import type { Logger } from 'pino';
import { LongitudeError } from '../../platform/errors.ts';
import type { HandlerResult, MessageHandler } from '../message-store/message-processor.ts';
import { HandlerError } from '../message-store/message-processor.ts';
import type { StoredMessage } from '../message-store/message-store.ts';
import type { Unmapped } from './ccda-context.ts';
import { mapCcdaToBundle } from './map-ccda.ts';

export interface CcdaHandlerOptions {
  /** Offset for times sent without one (see CcdaMapOptions.defaultOffset). */
  defaultOffset?: string;
  logger?: Logger;
  /** Called with what a document could not map (for a quality report); the default logs it. */
  onUnmapped?: (message: StoredMessage, unmapped: readonly Unmapped[]) => void;
}

export class CcdaMessageHandler implements MessageHandler {
  /** @param options - per channel: the processor's handler map is keyed by channel. */
  constructor(private readonly options: CcdaHandlerOptions = {}) {}

  handle(message: StoredMessage): HandlerResult {
    let mapping: ReturnType<typeof mapCcdaToBundle>;
    try {
      mapping = mapCcdaToBundle(message.content, {
        messageId: String(message.id),
        channel: message.channel,
        receivedAt: message.receivedAt,
        ...(this.options.defaultOffset ? { defaultOffset: this.options.defaultOffset } : {}),
      });
    } catch (err) {
      if (!(err instanceof LongitudeError)) throw err;
      const element = err.issues.find((i) => i.expression?.length)?.expression?.[0];
      throw new HandlerError({ stage: 'parse', code: err.code, message: err.message, ...(element ? { element } : {}) });
    }
    if (mapping.unmapped.length > 0) {
      if (this.options.onUnmapped) this.options.onUnmapped(message, mapping.unmapped);
      else this.options.logger?.info({ messageId: message.id, channel: message.channel, unmapped: mapping.unmapped.length }, 'C-CDA elements not mapped');
    }
    return { kind: 'bundle', bundle: mapping.bundle };
  }
}
