/**
 * Splitting a file or stream capture into messages, before each is parsed on its own.
 *
 * Handles: several messages back to back (each MSH starts one); batches (v2.5.1 ch. 2 §2.10.3:
 * FHS/BHS header and BTS/FTS trailer segments around the messages, recorded in `envelope`);
 * sender-script markers `[SOM]` / `[EOM]` (Mirth's simple sender, which also writes a literal
 * `[CR]` after `[EOM]`); comment lines starting `#` or `//` and `/* … *\/` blocks (seen in
 * hand-kept sample files); blank lines. None of these can be mistaken for a segment, whose
 * line starts with a 3-character id of uppercase letters and digits.
 *
 * Nothing is dropped silently: text before the first MSH that is none of the above comes back
 * as a message of its own (`startsWithMsh: false`), so parsing it yields a structured
 * rejection (no MSH, not ER7) instead of the content vanishing.
 *
 * Bytes in, bytes out: lines are found on a Latin-1 view (CR and LF are single bytes in every
 * ASCII-compatible charset), and each message is returned as its own bytes, so parseMessage
 * can decode it by *its* MSH-18.
 */
import { byteView } from './charset.ts';
import { isBlank, splitLines, type LineSpan } from './lines.ts';

export interface SplitMessage<T extends string | Uint8Array> {
  /** The message's segments joined with CR (the standard terminator), markers removed. */
  content: T;
  /** 1-based line in the input where the message starts. */
  line: number;
  /** False for stray content that precedes any MSH (it will not parse). */
  startsWithMsh: boolean;
}

export interface BatchEnvelope {
  /** Raw text of FHS, BHS, BTS and FTS lines, in input order. */
  headers: string[];
  trailers: string[];
}

export interface SplitResult<T extends string | Uint8Array> {
  messages: SplitMessage<T>[];
  envelope: BatchEnvelope;
  /** Comment and marker-only lines skipped. */
  skippedLines: number;
}

const SOM = '[SOM]';
const EOM = /\[EOM\](?:\[(?:CR|LF)\])*\s*$/;

/**
 * Splits input into messages.
 * @param input - file content as text or bytes; messages come back in the same form
 */
export function splitMessages<T extends string | Uint8Array>(input: T): SplitResult<T> {
  const bytes = typeof input === 'string' ? undefined : (input as Uint8Array);
  const text = bytes ? byteView(bytes) : (input as string);
  // A BOM (U+FEFF, or its 3 UTF-8 bytes in the Latin-1 view) is not part of a line; besides the
  // first line, one shows up wherever exported files were concatenated.
  const bom = bytes ? '\xEF\xBB\xBF' : '\uFEFF';
  const result: SplitResult<T> = { messages: [], envelope: { headers: [], trailers: [] }, skippedLines: 0 };
  let current: { spans: LineSpan[]; line: number; msh: boolean } | undefined;
  let inBlockComment = false;

  const flush = (): void => {
    if (!current || current.spans.length === 0) {
      current = undefined;
      return;
    }
    const content = bytes
      ? joinBytes(bytes, current.spans)
      : current.spans.map((s) => text.slice(s.start, s.end)).join('\r');
    result.messages.push({ content: content as T, line: current.line, startsWithMsh: current.msh });
    current = undefined;
  };

  for (const span of splitLines(text)) {
    if (text.startsWith(bom, span.start)) span.start += bom.length;
    if (isBlank(text, span)) continue;
    let line = text.slice(span.start, span.end);
    const trimmed = line.trimStart();
    if (inBlockComment || trimmed.startsWith('/*')) {
      inBlockComment = !line.includes('*/', inBlockComment ? 0 : line.indexOf('/*') + 2);
      result.skippedLines++;
      continue;
    }
    if (trimmed.startsWith('#') || trimmed.startsWith('//')) {
      result.skippedLines++;
      continue;
    }
    const seg = { ...span };
    if (line.startsWith(SOM)) {
      flush();
      seg.start += SOM.length;
      line = line.slice(SOM.length);
    }
    const eom = EOM.exec(line);
    if (eom) {
      seg.end -= line.length - eom.index;
      line = line.slice(0, eom.index);
    }
    const id = line.slice(0, 3);
    if (id === 'FHS' || id === 'BHS' || id === 'BTS' || id === 'FTS') {
      flush();
      (id.endsWith('HS') ? result.envelope.headers : result.envelope.trailers).push(line);
    } else if (seg.end > seg.start) {
      if (id === 'MSH' || !current) {
        flush();
        current = { spans: [], line: span.line, msh: id === 'MSH' };
      }
      current.spans.push(seg);
    } else {
      result.skippedLines++;
    }
    if (eom) flush();
  }
  flush();
  return result;
}

function joinBytes(bytes: Uint8Array, spans: LineSpan[]): Uint8Array {
  const size = spans.reduce((n, s) => n + (s.end - s.start) + 1, -1);
  const out = new Uint8Array(size);
  let at = 0;
  for (const s of spans) {
    if (at > 0) out[at++] = 0x0d;
    out.set(bytes.subarray(s.start, s.end), at);
    at += s.end - s.start;
  }
  return out;
}
