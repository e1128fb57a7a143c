/**
 * What an MLLP channel does with each frame: store it, then answer (HL7 v2.5.1 ch. 2.9,
 * acknowledgment rules). Nothing is answered before the message is committed to the message
 * store, so an ACK is a promise that the message is safe:
 * - AA once stored and processed (or, with `ackAfter: stored`, once stored: the worker maps it);
 * - AE with an ERR segment when processing fails: the message is kept, errored, reprocessable;
 * - AR when it cannot be parsed: kept too (as received, errored at stage parse), so nothing a
 *   sender sent is ever lost, even what we could not read.
 * A resend of a message already stored is answered from the stored outcome and never
 * processed twice.
 */
import { performance } from 'node:perf_hooks';
import type { Hl7ChannelConfig } from '../../platform/config.ts';
import type { Queryable } from '../../platform/db/db.ts';
import { ackForUnparseable, buildAck, type AckCode } from '../hl7v2/ack.ts';
import type { Hl7Message } from '../hl7v2/message.ts';
import { parseMessage } from '../hl7v2/parse.ts';
import type { MessageProcessor } from '../message-store/message-processor.ts';
import type { MessageIntake } from '../message-store/message-intake.ts';
import { getMessage, markFailed, type MessageError } from '../message-store/message-store.ts';
import type { FrameReceiver } from './mllp-listener.ts';

export interface Hl7ReceiverDeps {
  db: Queryable;
  /** Stores receipts with group commit and keeps ACK latencies for the monitor. */
  intake: MessageIntake;
  processor: MessageProcessor;
  channel: Pick<Hl7ChannelConfig, 'name' | 'ackAfter'>;
  /** Wakes the background worker when a message was stored for later processing. */
  onQueued?: () => void;
  /** Told of every ACK sent: its code and how long from frame to answer (metrics). */
  onAck?: AckObserver;
  now?: () => Date;
}

export type AckObserver = (ack: { channel: string; code: AckCode; ms: number }) => void;

export class Hl7Receiver implements FrameReceiver {
  constructor(private readonly deps: Hl7ReceiverDeps) {}

  async receive(frame: Uint8Array): Promise<Uint8Array> {
    const started = performance.now();
    const now = this.deps.now?.() ?? new Date();
    const parsed = parseMessage(frame);
    if (!parsed.ok) {
      const { id } = await this.deps.intake.receive({ channel: this.deps.channel.name, content: frame });
      const { rejection } = parsed;
      const error: MessageError = { stage: 'parse', code: rejection.code, message: rejection.message, ...(rejection.field ?? rejection.segment ? { element: rejection.field ?? rejection.segment } : {}) };
      await markFailed(this.deps.db, id, error, { retryable: false });
      return this.answered(id, started, 'AR', ackForUnparseable(frame, rejection, { now }));
    }
    const message = parsed.message;
    const { code, trigger } = message.messageType;
    const sender = [message.get('MSH-3'), message.get('MSH-4')].filter(Boolean).join('^');
    const orderingKey = patientKey(message);
    const receipt = await this.deps.intake.receive({
      channel: this.deps.channel.name,
      content: frame,
      messageType: trigger ? `${code}^${trigger}` : code,
      ...(sender ? { sender } : {}),
      ...(message.controlId ? { controlId: message.controlId } : {}),
      ...(orderingKey ? { orderingKey } : {}),
    });

    if (this.deps.channel.ackAfter === 'stored' && !receipt.duplicate) {
      this.deps.onQueued?.();
      return this.answered(receipt.id, started, 'AA', buildAck(message, { code: 'AA', now }));
    }
    const outcome =
      receipt.status === 'received' ? await this.deps.processor.processById(receipt.id) : await this.storedOutcome(receipt.id);
    if (outcome.status === 'processed' || outcome.status === 'filtered' || outcome.status === 'received') {
      return this.answered(receipt.id, started, 'AA', buildAck(message, { code: 'AA', now }));
    }
    return this.answered(receipt.id, started, 'AE', buildAck(message, { code: 'AE', now, ...(outcome.error ? { error: outcome.error } : {}) }));
  }

  private async storedOutcome(id: number): Promise<{ status: string; error?: MessageError }> {
    const stored = await getMessage(this.deps.db, id);
    return { status: stored?.status ?? 'received', ...(stored?.error ? { error: stored.error } : {}) };
  }

  private answered(id: number, started: number, code: AckCode, ack: Uint8Array): Uint8Array {
    const ms = performance.now() - started;
    this.deps.intake.noteAck(id, ms);
    this.deps.onAck?.({ channel: this.deps.channel.name, code, ms });
    return ack;
  }
}

/**
 * The patient a message is about, for per-patient ordering: the first PID-3 identifier with
 * its assigning authority (PID-3.1^PID-3.4.1). Messages without a PID are not ordered.
 */
export function patientKey(message: Hl7Message): string | undefined {
  const id = message.get('PID-3.1');
  if (!id) return undefined;
  const authority = message.get('PID-3.4');
  return authority ? `${id}^${authority}` : id;
}
