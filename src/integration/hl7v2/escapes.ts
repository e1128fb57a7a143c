/**
 * Escape sequences (HL7 v2.5.1 ch. 2 §2.7, "Use of escape sequences in text fields").
 *
 * A sequence is the escape character, an id, optional data, and the escape character again.
 * They are decoded *after* a field is split into repetitions/components/subcomponents, which
 * is the point of them: `\S\` is a `^` that is data, not a separator.
 *
 * Decoding choices (the raw field text keeps the original either way):
 * - `\F\ \S\ \T\ \R\ \E\` → the declared delimiter (§2.7.4); `\P\` → the v2.7 truncation
 *   character (v2.7 §2.5.5.2), only when MSH-2 declares one.
 * - `\Xhh..\` (§2.7.5) → those bytes decoded in the message's MSH-18 charset.
 * - `\.br\` → "\n"; `\.sp n\` → n newlines; `\.sk n\` → n spaces (§2.7.6, formatted text);
 *   n is capped at 10 so a tiny sequence cannot blow up memory.
 * - Layout-only commands `\.in\ \.ti\ \.fi\ \.nf\ \.ce\` and highlighting `\H\ \N\` (§2.7.3)
 *   are STRIPPED: decoded values are plain text for mapping, and no FHIR element we map to
 *   carries highlighting or indentation.
 * - `\Cxxyy\ \Mxxyyzz\` (§2.7.2 character-set switching), `\Z..\` (locally defined), any other
 *   unknown sequence, and an escape with no closing escape character are KEPT literally:
 *   never guessed at, never an error.
 * Decoding is one left-to-right pass (linear in the text length).
 */
import { errorAt } from '../../platform/errors.ts';
import { decodeBytes, type Charset } from './charset.ts';
import type { Delimiters } from './message.ts';

const MAX_REPEAT = 10;

function count(arg: string): number | undefined {
  if (arg === '') return 1;
  if (!/^\d{1,6}$/.test(arg)) return undefined;
  return Math.min(Math.max(Number(arg), 1), MAX_REPEAT);
}

function decodeHex(hex: string, charset: Charset): string | undefined {
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return decodeBytes(bytes, charset);
}

/** Formatted-text commands (§2.7.6): `.br`, `.sp 2`, `.in +4` … */
function decodeFormatting(command: string): string | undefined {
  const name = command.slice(0, 2);
  const arg = command.slice(2).trim();
  switch (name) {
    case 'br':
      return arg === '' ? '\n' : undefined;
    case 'sp': {
      const n = count(arg);
      return n === undefined ? undefined : '\n'.repeat(n);
    }
    case 'sk': {
      const n = count(arg);
      return n === undefined ? undefined : ' '.repeat(n);
    }
    case 'in':
    case 'ti':
      return /^[+-]?\d{0,6}$/.test(arg) ? '' : undefined;
    case 'fi':
    case 'nf':
    case 'ce':
      return arg === '' ? '' : undefined;
    default:
      return undefined;
  }
}

/** The text one sequence stands for, or undefined to keep it literally. */
function decodeSequence(body: string, d: Delimiters, charset: Charset): string | undefined {
  switch (body) {
    case 'F':
      return d.field;
    case 'S':
      return d.component;
    case 'T':
      return d.subcomponent || undefined;
    case 'R':
      return d.repetition || undefined;
    case 'E':
      return d.escape;
    case 'P':
      return d.truncation || undefined;
    case 'H':
    case 'N':
      return '';
  }
  if (body.startsWith('X')) return decodeHex(body.slice(1), charset);
  if (body.startsWith('.')) return decodeFormatting(body.slice(1));
  return undefined;
}

/**
 * Decodes the escape sequences in one subcomponent's text.
 * @param text - raw text with no delimiters left in it (already split)
 * @param d - the message's delimiters
 * @param charset - the MSH-18 charset, used for `\Xhh\` bytes
 */
export function decodeEscapes(text: string, d: Delimiters, charset: Charset = 'auto'): string {
  const e = d.escape;
  if (e === '') return text;
  let start = text.indexOf(e);
  if (start < 0) return text;
  let out = '';
  let from = 0;
  while (start >= 0) {
    const end = text.indexOf(e, start + 1);
    if (end < 0) break; // unterminated: the rest stays literal
    const decoded = decodeSequence(text.slice(start + 1, end), d, charset);
    if (decoded !== undefined) {
      out += text.slice(from, start) + decoded;
      from = end + 1;
    }
    // An unknown sequence stays as it is, closing escape included; scanning resumes after it.
    start = text.indexOf(e, end + 1);
  }
  return out + text.slice(from);
}

/**
 * Escapes text for one subcomponent: the inverse of `decodeEscapes`, so that
 * `decodeEscapes(escape(x, d), d) === x` for every string x. CR and LF, which would end the
 * segment, become `\X0D\` and `\X0A\` (§2.7.5).
 * @param text - decoded text
 * @param d - the delimiters of the message it goes into
 */
export function escape(text: string, d: Delimiters): string {
  const e = d.escape;
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    let code: string | undefined;
    if (c === e) code = 'E';
    else if (c === d.field) code = 'F';
    else if (c === d.component) code = 'S';
    else if (c === d.repetition) code = 'R';
    else if (c === d.subcomponent) code = 'T';
    else if (c === d.truncation) code = 'P';
    else if (c === '\r') code = 'X0D';
    else if (c === '\n') code = 'X0A';
    if (code === undefined) continue;
    if (e === '') {
      throw errorAt('LNG_HL7_CANNOT_ENCODE', 'Text holds a delimiter but MSH-2 declares no escape character', 'MSH-2');
    }
    out += text.slice(from, i) + e + code + e;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}
