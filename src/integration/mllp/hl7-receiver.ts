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
import type { Hl7Rejection } from '../hl7v2/errors.ts';
import { parseMessage, type ParseResult } from '../hl7v2/parse.ts';
import type { MessageProcessor } from '../message-store/message-processor.ts';
import type { MessageIntake } from '../message-store/message-intake.ts';
import { getMessage, markFailed, type InboundMessage, type MessageError } from '../message-store/message-store.ts';
import type { FrameReceiver } from './mllp-listener.ts';

export interface Hl7ReceiverDeps {
  db: Queryable;
  /** Stores receipts with group commit and keeps ACK latencies for the monitor. */
  intake: MessageIntake;
  /** Processes stored messages for channels that ACK after processing (a ProcessingGroup). */
  processor: Pick<MessageProcessor, 'processMany'>;
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

  receive(frame: Uint8Array): Promise<Uint8Array> {
    return this.receiveMany([frame]).then(([ack]) => ack!);
  }

  /**
   * Frames of one connection, in order: all stored in one commit, then those new processed
   * in one transaction with those other connections have waiting (ProcessingGroup, then
   * MessageProcessor.processMany: one that fails is errored alone), then each answered. A
   * sender that pipelines gets the same ACKs as one that waits for each.
   */
  async receiveMany(frames: readonly Uint8Array[]): Promise<Uint8Array[]> {
    const started = performance.now();
    const now = this.deps.now?.() ?? new Date();
    const arrivals = frames.map((frame) => ({ frame, parsed: parseMessage(frame) }));
    const receipts = await this.deps.intake.receiveMany(arrivals.map(({ frame, parsed }) => inbound(this.deps.channel.name, frame, parsed)));

    // Unparseable frames are kept, errored at stage parse, before anything else can claim them.
    for (const [i, { parsed }] of arrivals.entries()) if (!parsed.ok) await markFailed(this.deps.db, receipts[i]!.id, parseError(parsed.rejection), { retryable: false });
    const toProcess = this.deps.channel.ackAfter === 'stored' ? [] : receipts.filter((r, i) => arrivals[i]!.parsed.ok && r.status === 'received').map((r) => r.id);
    const outcomes = new Map((toProcess.length ? await this.deps.processor.processMany(toProcess) : []).map((o) => [o.id, o]));
    if (this.deps.channel.ackAfter === 'stored' && receipts.some((r) => !r.duplicate)) this.deps.onQueued?.();

    const acks: Uint8Array[] = [];
    for (const [i, { frame, parsed }] of arrivals.entries()) {
      const receipt = receipts[i]!;
      if (!parsed.ok) {
        acks.push(this.answered(receipt.id, started, 'AR', ackForUnparseable(frame, parsed.rejection, { now })));
        continue;
      }
      const message = parsed.message;
      if (this.deps.channel.ackAfter === 'stored' && !receipt.duplicate) {
        acks.push(this.answered(receipt.id, started, 'AA', buildAck(message, { code: 'AA', now })));
        continue;
      }
      const outcome = outcomes.get(receipt.id) ?? (await this.storedOutcome(receipt.id));
      const accepted = outcome.status === 'processed' || outcome.status === 'filtered' || outcome.status === 'received';
      acks.push(
        accepted
          ? this.answered(receipt.id, started, 'AA', buildAck(message, { code: 'AA', now }))
          : this.answered(receipt.id, started, 'AE', buildAck(message, { code: 'AE', now, ...(outcome.error ? { error: outcome.error } : {}) })),
      );
    }
    return acks;
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

function parseError(rejection: Hl7Rejection): MessageError {
  const element = rejection.field ?? rejection.segment;
  return { stage: 'parse', code: rejection.code, message: rejection.message, ...(element ? { element } : {}) };
}

/** What the message store keeps of a frame: its bytes, and what the header says when it parsed. */
function inbound(channel: string, content: Uint8Array, parsed: ParseResult): InboundMessage {
  if (!parsed.ok) return { channel, content };
  const message = parsed.message;
  const { code, trigger } = message.messageType;
  const sender = [message.get('MSH-3'), message.get('MSH-4')].filter(Boolean).join('^');
  const orderingKey = patientKey(message);
  return {
    channel,
    content,
    messageType: trigger ? `${code}^${trigger}` : code,
    ...(sender ? { sender } : {}),
    ...(message.controlId ? { controlId: message.controlId } : {}),
    ...(orderingKey ? { orderingKey } : {}),
  };
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
