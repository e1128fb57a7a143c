/**
 * Replays HL7 v2 files into an MLLP listener the way an interface engine sends a feed: one
 * connection, messages in file order, several in flight (MLLP answers in order on a connection,
 * and the listener handles one connection's frames one after another, so a person's ADT events
 * keep their order). Every ACK is read: AA counts as accepted, anything else is counted by code
 * with the first few reasons kept for the summary.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseMessage } from '../integration/hl7v2/parse.ts';
import { splitMessages } from '../integration/hl7v2/split.ts';
import { MllpClient } from '../integration/mllp/mllp-client.ts';
import { LongitudeError } from '../platform/errors.ts';

export interface MllpTarget {
  port: number;
  host?: string;
}

export interface FeedOptions {
  /** Messages sent ahead of their ACK (default 32). */
  window?: number;
  /** Told after every ACK with the number answered so far. */
  onAck?: (answered: number) => void;
}

export interface NonAcceptedAck {
  file: string;
  line: number;
  code: string;
  text: string;
}

export interface FeedResult {
  sent: number;
  /** ACKs by acknowledgment code (MSA-1): AA, AE, AR, and `?` for an answer that does not parse. */
  acks: Record<string, number>;
  /** The first answers other than AA, for the summary (all are counted in `acks`). */
  notAccepted: NonAcceptedAck[];
}

const KEPT_REASONS = 10;

/** The messages of HL7 files, in order, as an MLLP sender would frame them. */
export async function* hl7Messages(paths: readonly string[]): AsyncGenerator<{ file: string; line: number; content: Uint8Array }> {
  for (const path of paths) {
    const { messages } = splitMessages(new Uint8Array(await readFile(path)));
    for (const m of messages) yield { file: basename(path), line: m.line, content: m.content };
  }
}

/** Counts the messages of HL7 files (for a progress total) without keeping them. */
export async function countHl7Messages(paths: readonly string[]): Promise<number> {
  let n = 0;
  for await (const _ of hl7Messages(paths)) n++;
  return n;
}

export async function feedMllp(paths: readonly string[], target: MllpTarget, options: FeedOptions = {}): Promise<FeedResult> {
  const window = Math.max(1, options.window ?? 32);
  const result: FeedResult = { sent: 0, acks: {}, notAccepted: [] };
  let client: MllpClient;
  try {
    client = await MllpClient.open(target.port, target.host);
  } catch (err) {
    throw new LongitudeError('LNG_INTERNAL', `cannot reach the MLLP listener on port ${target.port}: ${(err as Error).message}`);
  }
  let answered = 0;
  const inFlight: Promise<void>[] = [];
  const track = (source: { file: string; line: number }, ack: Promise<Buffer>) =>
    ack.then((bytes) => {
      const { code, text } = readAck(bytes);
      result.acks[code] = (result.acks[code] ?? 0) + 1;
      if (code !== 'AA' && result.notAccepted.length < KEPT_REASONS) result.notAccepted.push({ ...source, code, text });
      options.onAck?.(++answered);
    });
  // Read before sending: a file read between two sends waits for a turn of the event loop, and
  // with the hub in this process (the demo) those turns come only between its transactions, so
  // the window refilled one message per transaction and the listener got batches of one or two.
  const messages: { file: string; line: number; content: Uint8Array }[] = [];
  for await (const message of hl7Messages(paths)) messages.push(message);
  try {
    for (const message of messages) {
      if (inFlight.length >= window) await inFlight.shift();
      inFlight.push(track(message, client.send(message.content)));
      result.sent++;
    }
    await Promise.all(inFlight);
  } catch (err) {
    throw new LongitudeError('LNG_INTERNAL', `MLLP feed stopped after ${answered} of ${result.sent} message(s): ${(err as Error).message}`);
  } finally {
    await client.close();
  }
  return result;
}

/** MSA-1 and the reason given with it (ERR-5 application error code, ERR-7/8 diagnostics and user message, or MSA-3), from an ACK's bytes. */
function readAck(bytes: Uint8Array): { code: string; text: string } {
  const parsed = parseMessage(bytes);
  if (!parsed.ok) return { code: '?', text: parsed.rejection.message };
  const m = parsed.message;
  const reason = m.get('ERR-8') || m.get('ERR-7') || m.get('MSA-3') || '';
  const code = m.get('ERR-5');
  return { code: m.get('MSA-1') || '?', text: code && reason ? `${code}: ${reason}` : code || reason };
}
