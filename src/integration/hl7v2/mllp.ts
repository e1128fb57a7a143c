/**
 * MLLP framing (HL7 v2 Minimal Lower Layer Protocol, release 2; HL7 Transport Specification,
 * also IHE ITI TF-2 Appendix C): each message travels as 0x0B, the message bytes, 0x1C 0x0D.
 *
 * The decoder is pure and incremental: feed it whatever TCP hands over, get back complete
 * frames. TCP chunks have no relation to frames, so a frame may arrive in many chunks, a chunk
 * may hold several frames, and the end pair 0x1C 0x0D may be split between two chunks.
 * Anything it has to throw away is reported through `onDiscard`, never silently:
 * - `garbage`: bytes outside a frame (before a start byte; keep-alive newlines, noise);
 * - `restart`: a start byte inside an unfinished frame: the sender gave up on that frame
 *   and began a new one, so the partial one is dropped and the new one kept;
 * - `oversize`: a frame longer than `maxFrameBytes`: its bytes are dropped up to its end
 *   pair, so one runaway frame cannot exhaust memory (the listener may close the connection).
 * A lone 0x1C not followed by 0x0D is data, as the end of a frame is the *pair*.
 */

export const MLLP_START = 0x0b;
export const MLLP_END = 0x1c;
export const MLLP_CR = 0x0d;

export interface MllpDiscard {
  reason: 'garbage' | 'restart' | 'oversize';
  bytes: number;
}

export interface MllpDecoderOptions {
  /** Largest payload accepted, in bytes (default 16 MiB). */
  maxFrameBytes?: number;
  onDiscard?: (discard: MllpDiscard) => void;
}

export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

type State = 'idle' | 'frame' | 'skip';

export class MllpDecoder {
  private state: State = 'idle';
  /** Payload bytes of the current frame copied so far (a trailing 0x1C may be among them). */
  private parts: Buffer[] = [];
  /** Bytes of the current frame seen so far (in frame or skip state). */
  private size = 0;
  /** The last byte seen inside a frame was 0x1C: the frame ends if the next byte is 0x0D. */
  private afterEnd = false;
  private garbage = 0;
  private readonly max: number;

  constructor(private readonly options: MllpDecoderOptions = {}) {
    this.max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /**
   * Consumes a chunk; returns the frames it completed (payloads, without framing bytes).
   * @param chunk - bytes as received
   */
  push(chunk: Uint8Array): Buffer[] {
    const frames: Buffer[] = [];
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let run = 0; // where the current frame's not-yet-copied bytes start in this chunk
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i] as number;
      if (this.state === 'idle') {
        if (b === MLLP_START) run = this.begin(i);
        else this.garbage++;
        continue;
      }
      if (this.afterEnd && b === MLLP_CR) {
        if (this.state === 'frame') {
          this.copy(buf, run, i);
          // The 0x1C just before this byte (in this chunk or the last) is framing, not payload.
          frames.push(Buffer.concat(this.parts, this.size).subarray(0, this.size - 1));
        } else {
          this.report('oversize', this.size + 1);
        }
        this.state = 'idle';
        this.parts = [];
        this.size = 0;
        this.afterEnd = false;
        continue;
      }
      if (b === MLLP_START) {
        const seen = this.state === 'frame' ? this.size + (i - run) : this.size;
        this.report(this.state === 'frame' ? 'restart' : 'oversize', seen);
        run = this.begin(i);
        continue;
      }
      this.afterEnd = b === MLLP_END;
      if (this.state === 'skip') {
        this.size++;
        continue;
      }
      // A trailing 0x1C may yet turn out to be framing, so it does not count against the limit.
      const payload = this.size + (i + 1 - run) - (this.afterEnd ? 1 : 0);
      if (payload > this.max) {
        this.state = 'skip';
        this.size += i + 1 - run;
        this.parts = [];
      }
    }
    if (this.state === 'frame') this.copy(buf, run, buf.length);
    this.flushGarbage();
    return frames;
  }

  /** Bytes held for an unfinished frame. */
  get buffered(): number {
    return this.state === 'frame' ? this.size : 0;
  }

  /** Starts a frame at the start byte at index i; returns where its payload begins. */
  private begin(i: number): number {
    this.flushGarbage();
    this.state = 'frame';
    this.parts = [];
    this.size = 0;
    this.afterEnd = false;
    return i + 1;
  }

  private copy(buf: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.parts.push(Buffer.from(buf.subarray(start, end)));
    this.size += end - start;
  }

  private flushGarbage(): void {
    if (this.garbage > 0) this.report('garbage', this.garbage);
    this.garbage = 0;
  }

  private report(reason: MllpDiscard['reason'], bytes: number): void {
    this.options.onDiscard?.({ reason, bytes });
  }
}

/**
 * Wraps a message in MLLP framing: 0x0B, the bytes, 0x1C 0x0D.
 * @param message - the encoded message (text is sent as UTF-8)
 */
export function frameMessage(message: Uint8Array | string): Buffer {
  const body = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  const out = Buffer.allocUnsafe(body.length + 3);
  out[0] = MLLP_START;
  out.set(body, 1);
  out[body.length + 1] = MLLP_END;
  out[body.length + 2] = MLLP_CR;
  return out;
}
