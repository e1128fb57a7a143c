/**
 * Segment boundaries. The standard terminator is CR alone (v2.5.1 ch. 2 §2.5.4), but files
 * and many senders use LF or CRLF, and some mix them within one message; all three end a
 * segment here, and CRLF counts as one break (so line numbers match what an editor shows).
 * A consequence worth knowing: a raw LF *inside* a field value, which the standard forbids
 * (it must be sent as `\X0A\` or `\.br\`), ends the segment, and the next "segment" is then
 * rejected for its id, naming the line.
 */

export interface LineSpan {
  /** Start offset in the text (inclusive). */
  start: number;
  /** End offset (exclusive), before the terminator. */
  end: number;
  /** 1-based line number. */
  line: number;
}

/** Every line of the text, empty ones included, in one linear pass. */
export function splitLines(text: string): LineSpan[] {
  const spans: LineSpan[] = [];
  let start = 0;
  let line = 1;
  let cr = text.indexOf('\r');
  let lf = text.indexOf('\n');
  for (;;) {
    if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
    if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
    const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
    if (end === -1) {
      spans.push({ start, end: text.length, line });
      return spans;
    }
    spans.push({ start, end, line });
    start = end + (end === cr && lf === end + 1 ? 2 : 1);
    line++;
  }
}

/** True for a line holding nothing but whitespace. */
export function isBlank(text: string, span: LineSpan): boolean {
  for (let i = span.start; i < span.end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0b && c !== 0x0c && c !== 0xfeff) return false;
  }
  return true;
}
