/**
 * Parsing one HL7 v2 message in ER7 ("pipe") encoding (v2.5.1 ch. 2 §2.5–§2.7).
 *
 * Never throws on input and never hangs: every step is one linear pass (indexOf/split, no
 * backtracking regex over message text), input longer than `maxLength` is refused up front,
 * and anything malformed comes back as `{ ok: false, rejection }` naming what and where.
 *
 * Order of work: strip a BOM; find the segments (CR, LF or CRLF, blank lines skipped); read the
 * delimiters from MSH-1/MSH-2 and the charset from MSH-18; check the MSH fields an ACK needs
 * (MSH-9 type, MSH-10 control id, MSH-12 version); then split each segment into fields →
 * repetitions → components → subcomponents and decode escapes in each subcomponent.
 * Z-segments are ordinary segments here: kept, in order, like any other.
 */
import { byteView, decodeBytes, resolveCharset, type Charset } from './charset.ts';
import { readDelimiters } from './delimiters.ts';
import { quote, rejectionError, type Hl7Rejection } from './errors.ts';
import { decodeEscapes } from './escapes.ts';
import { isBlank, splitLines, type LineSpan } from './lines.ts';
import { Field, Hl7Message, Segment, type Delimiters } from './message.ts';

export interface ParseOptions {
  /** Largest input accepted, in bytes (Uint8Array) or characters (string). Default 16 MiB. */
  maxLength?: number;
}

export type ParseResult = { ok: true; message: Hl7Message } | { ok: false; rejection: Hl7Rejection };

export const DEFAULT_MAX_LENGTH = 16 * 1024 * 1024;

/** Versions whose ER7 syntax this parser implements (MSH-12.1); 2.8.2–2.9.1 changed none of it. */
export const SUPPORTED_VERSIONS: ReadonlySet<string> = new Set([
  '2.1', '2.2', '2.3', '2.3.1', '2.4', '2.5', '2.5.1', '2.6', '2.7', '2.7.1', '2.8', '2.8.1', '2.8.2', '2.9', '2.9.1',
]);

/** Segments that frame batches (§2.10.3): they never belong inside one message. */
const BATCH_SEGMENTS = new Set(['FHS', 'BHS', 'BTS', 'FTS']);
const SEGMENT_ID = /^[A-Z][A-Z0-9]{2}$/;

function rejected(rejection: Hl7Rejection): ParseResult {
  return { ok: false, rejection };
}

function splitOn(text: string, delimiter: string): string[] {
  // split() always allocates its machinery; most components hold no subcomponent separator.
  return delimiter === '' || !text.includes(delimiter) ? [text] : text.split(delimiter);
}

/**
 * Splits one field's raw text and decodes its escapes. (Hot path: plain loops and no local
 * arrow functions, which tsx would wrap in a naming helper on every call.)
 */
export function parseField(raw: string, d: Delimiters, charset: Charset): Field {
  const plain =
    (d.repetition === '' || !raw.includes(d.repetition)) &&
    (d.component === '' || !raw.includes(d.component)) &&
    (d.subcomponent === '' || !raw.includes(d.subcomponent)) &&
    (d.escape === '' || !raw.includes(d.escape));
  if (plain) return new Field(raw, [[[raw]]]);
  const value: string[][][] = [];
  for (const rep of splitOn(raw, d.repetition)) {
    const comps: string[][] = [];
    for (const comp of splitOn(rep, d.component)) {
      const subs = splitOn(comp, d.subcomponent);
      for (let i = 0; i < subs.length; i++) subs[i] = decodeEscapes(subs[i] as string, d, charset);
      comps.push(subs);
    }
    value.push(comps);
  }
  return new Field(raw, value);
}

/** Bytes → text: a UTF-8 BOM means UTF-8; otherwise MSH-18 decides (see charset.ts). */
function decodeInput(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return decodeBytes(bytes.subarray(3), 'utf-8');
  const cr = bytes.indexOf(0x0d);
  const lf = bytes.indexOf(0x0a);
  const firstBreak = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
  const header = byteView(bytes.subarray(0, firstBreak === -1 ? bytes.length : firstBreak));
  return decodeBytes(bytes, charsetOf(header));
}

/** The charset MSH-18 names, read from the header's raw text (auto when unreadable). */
function charsetOf(header: string): Charset {
  if (!header.startsWith('MSH')) return 'auto';
  const r = readDelimiters(header);
  if (!r.ok) return 'auto';
  const d = r.delimiters;
  // split gives [MSH, MSH-2, MSH-3, ...]: MSH-n is at index n - 1.
  const raw = header.split(d.field)[17] ?? '';
  const first = d.repetition ? (raw.split(d.repetition)[0] ?? '') : raw;
  return resolveCharset(decodeEscapes(d.component ? (first.split(d.component)[0] ?? '') : first, d));
}

function parseSegment(text: string, span: LineSpan, d: Delimiters, charset: Charset): Segment | Hl7Rejection {
  const line = text.slice(span.start, span.end);
  const cut = line.indexOf(d.field);
  const name = cut === -1 ? line : line.slice(0, cut);
  const where = { line: span.line, offset: span.start };
  if (!SEGMENT_ID.test(name)) {
    return { code: 'LNG_HL7_BAD_SEGMENT_ID', message: `Segment id ${quote(name)} is not 3 uppercase letters/digits`, ...where };
  }
  if (name === 'MSH' || BATCH_SEGMENTS.has(name)) {
    const message = `${name} inside a message: split files and batches with splitMessages first`;
    return { code: 'LNG_HL7_UNEXPECTED_SEGMENT', message, segment: name, ...where };
  }
  const parts = line.split(d.field);
  const fields: Field[] = [new Field(name, [[[name]]])];
  for (let i = 1; i < parts.length; i++) fields.push(parseField(parts[i] as string, d, charset));
  return new Segment(fields, span.line);
}

/** MSH: MSH-1 is the separator and MSH-2 the encoding characters, neither split nor decoded. */
function parseHeader(text: string, span: LineSpan, d: Delimiters, charset: Charset): Segment {
  const parts = text.slice(span.start, span.end).split(d.field);
  const fields = [new Field('MSH', [[['MSH']]]), new Field(d.field, [[[d.field]]])];
  const enc = parts[1] ?? '';
  fields.push(new Field(enc, [[[enc]]]));
  for (let i = 2; i < parts.length; i++) fields.push(parseField(parts[i] ?? '', d, charset));
  return new Segment(fields, span.line);
}

const REQUIRED_MSH_FIELDS: [number, string][] = [
  [9, 'message type'],
  [10, 'message control id'],
  [12, 'version id'],
];

/** The required MSH fields an ACK and the message store depend on. */
function checkHeader(msh: Segment, span: LineSpan): Hl7Rejection | undefined {
  const where = { segment: 'MSH', line: span.line, offset: span.start };
  for (const [n, what] of REQUIRED_MSH_FIELDS) {
    if (!msh.field(n)?.text(1)) {
      return { code: 'LNG_HL7_MISSING_FIELD', message: `MSH-${n} (${what}) is required`, field: `MSH-${n}`, ...where };
    }
  }
  const version = msh.field(12)?.text(1) ?? '';
  if (!SUPPORTED_VERSIONS.has(version)) {
    const message = `MSH-12 version ${quote(version)} is not a supported HL7 v2 version (2.1–2.9.1)`;
    return { code: 'LNG_HL7_UNSUPPORTED_VERSION', message, field: 'MSH-12', ...where };
  }
  return undefined;
}

function parseText(text: string): ParseResult {
  const spans = splitLines(text).filter((s) => !isBlank(text, s));
  const first = spans[0];
  if (!first) return rejected({ code: 'LNG_HL7_EMPTY', message: 'No segments: the message is empty' });
  const headSpan = { ...first, start: first.start + (text.charCodeAt(first.start) === 0xfeff ? 1 : 0) };
  const head = text.slice(headSpan.start, headSpan.end);
  const where = { line: first.line, offset: first.start };
  if (head.trimStart().startsWith('<')) {
    const message = 'Not ER7: this looks like the HL7 v2 XML encoding, which is not accepted';
    return rejected({ code: 'LNG_HL7_NOT_ER7', message, ...where });
  }
  if (!head.startsWith('MSH')) {
    const message = 'The message does not start with an MSH segment';
    return rejected({ code: 'LNG_HL7_NO_MSH', message, segment: 'MSH', ...where });
  }
  const delimiters = readDelimiters(head);
  if (!delimiters.ok) return rejected({ ...delimiters.rejection, ...where });
  const d = delimiters.delimiters;
  const charset = charsetOf(head);
  const msh = parseHeader(text, headSpan, d, charset);
  const bad = checkHeader(msh, first);
  if (bad) return rejected(bad);
  const segments = [msh];
  for (let i = 1; i < spans.length; i++) {
    const s = parseSegment(text, spans[i] as LineSpan, d, charset);
    if (!(s instanceof Segment)) return rejected(s);
    segments.push(s);
  }
  return { ok: true, message: new Hl7Message(segments, d) };
}

/**
 * Parses one ER7-encoded message.
 * @param input - the message text, or its bytes (decoded per BOM / MSH-18)
 * @param options - size limit
 */
export function parseMessage(input: string | Uint8Array, options: ParseOptions = {}): ParseResult {
  const max = options.maxLength ?? DEFAULT_MAX_LENGTH;
  if (input.length > max) {
    const unit = typeof input === 'string' ? 'characters' : 'bytes';
    return rejected({ code: 'LNG_HL7_TOO_LARGE', message: `Message is ${input.length} ${unit}; the limit is ${max}` });
  }
  return parseText(typeof input === 'string' ? input : decodeInput(input));
}

/** As parseMessage, but throws the rejection as a coded LongitudeError. */
export function parseMessageOrThrow(input: string | Uint8Array, options: ParseOptions = {}): Hl7Message {
  const result = parseMessage(input, options);
  if (!result.ok) throw rejectionError(result.rejection);
  return result.message;
}
