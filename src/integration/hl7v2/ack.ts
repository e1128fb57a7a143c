/**
 * Acknowledgments in original mode (HL7 v2.5.1 ch. 2 §2.9.2, "acknowledgment rules"):
 * AA once the message is stored and processed, AE (with ERR) when processing failed, AR when
 * it could not be accepted at all (unparseable, unsupported version).
 *
 * The ACK answers in the sender's own terms: same delimiters (unless MSH-2 declared fewer
 * than four, see buildAckFrom), same version (MSH-12) and
 * charset (MSH-18), sending and receiving application/facility swapped, MSH-11 echoed, and
 * MSA-2 the original MSH-10 copied raw, so the sender can always match it to what it sent.
 * MSH-9 is `ACK^<trigger>^ACK` from v2.3.1 (which added the message-structure component),
 * `ACK^<trigger>` before.
 *
 * ERR differs by version: v2.5+ uses ERR-2 location (ERL), ERR-3 HL7 error code (table 0357),
 * ERR-4 severity (table 0516), ERR-5 our application code and ERR-7 diagnostic text; earlier
 * versions only have ERR-1 (ELD: segment^sequence^field^code), so the text goes in MSA-3.
 */
import { randomBytes } from 'node:crypto';
import { decodeBytes } from './charset.ts';
import { isUsableDelimiter, readDelimiters } from './delimiters.ts';
import type { Hl7Rejection } from './errors.ts';
import { buildField, buildSegment, components, encodeMessageBytes } from './encode.ts';
import { DEFAULT_DELIMITERS, Hl7Message, readPath, type Delimiters, type Field, type FieldValue, type Hl7PathParts } from './message.ts';
import { parseField, SUPPORTED_VERSIONS } from './parse.ts';

export type AckCode = 'AA' | 'AE' | 'AR';

/** HL7 table 0357, message error condition codes (v2.3.1+; 104 from v2.7). */
export const MESSAGE_ERROR_CONDITIONS = {
  '100': 'Segment sequence error',
  '101': 'Required field missing',
  '102': 'Data type error',
  '103': 'Table value not found',
  '104': 'Value too long',
  '200': 'Unsupported message type',
  '201': 'Unsupported event code',
  '202': 'Unsupported processing id',
  '203': 'Unsupported version id',
  '204': 'Unknown key identifier',
  '205': 'Duplicate key identifier',
  '206': 'Application record locked',
  '207': 'Application internal error',
} as const;
export type MessageErrorCondition = keyof typeof MESSAGE_ERROR_CONDITIONS;

/** Our parse rejections in table 0357 terms; anything else is 207 unless the caller says. */
const CONDITION_OF: Partial<Record<string, MessageErrorCondition>> = {
  LNG_HL7_EMPTY: '100',
  LNG_HL7_NOT_ER7: '100',
  LNG_HL7_NO_MSH: '100',
  LNG_HL7_BAD_SEGMENT_ID: '100',
  LNG_HL7_UNEXPECTED_SEGMENT: '100',
  LNG_HL7_BAD_MSH: '102',
  LNG_HL7_BAD_ENCODING_CHARS: '102',
  LNG_HL7_MISSING_FIELD: '101',
  LNG_HL7_UNSUPPORTED_VERSION: '203',
};

/** What went wrong, in the shape the message store records errors (MessageError fits). */
export interface AckError {
  /** Our code (`LNG_HL7_MISSING_FIELD`, a mapper's code), sent as ERR-5. */
  code: string;
  message: string;
  /** An HL7 location (`PID-7`, `OBX[2]-5.1`) or segment id; anything else is reported as text. */
  element?: string;
  /** Table 0357 condition; by default derived from `code`, else 207. */
  condition?: MessageErrorCondition;
  /** Table 0516: E error (default), W warning, I information, F fatal. */
  severity?: 'E' | 'W' | 'I' | 'F';
}

export interface AckOptions {
  code: AckCode;
  now: Date;
  /** MSH-10 of the ACK itself; a random 20-character id by default (MSH-10 is 20 long before v2.7). */
  controlId?: string;
  error?: AckError;
}

/** The original header as far as it is known. */
interface AckSource {
  delimiters: Delimiters;
  header(n: number): Field | undefined;
}

const FALLBACK_VERSION = '2.5.1';

function versionAtLeast(version: string, min: string): boolean {
  const a = version.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/**
 * A random 20-character control id. The bytes are drawn 4 KiB at a time: a call to randomBytes
 * per ACK was 2.7 % of the receipt path's CPU (7 µs each; PostgreSQL, 8 connections).
 */
let randomPool = Buffer.alloc(0);
let randomAt = 0;
function randomControlId(): string {
  if (randomAt + 10 > randomPool.length) {
    randomPool = randomBytes(4096);
    randomAt = 0;
  }
  randomAt += 10;
  return randomPool.toString('hex', randomAt - 10, randomAt);
}

/** HL7 TS/DTM in UTC: YYYYMMDDHHMMSS+0000. */
function timestamp(now: Date): string {
  return `${now.toISOString().slice(0, 19).replace(/[-T:]/g, '')}+0000`;
}

function locate(element: string | undefined): Hl7PathParts | { segment: string } | undefined {
  if (!element) return undefined;
  if (/^[A-Z][A-Z0-9]{2}$/.test(element)) return { segment: element };
  try {
    return readPath(element);
  } catch {
    return undefined; // a FHIR path or free text: reported in the diagnostic text instead
  }
}

function errSegment(error: AckError, version: string, d: Delimiters) {
  const condition = error.condition ?? CONDITION_OF[error.code] ?? '207';
  const where = locate(error.element);
  const p: Partial<Hl7PathParts> = where ?? {};
  const text = where || !error.element ? error.message : `${error.message} (at ${error.element})`;
  const num = (n: number | undefined): string => (n === undefined ? '' : String(n));
  if (!versionAtLeast(version, '2.5')) {
    // ELD: segment id ^ sequence ^ field position ^ code (CE, so its parts are subcomponents).
    const code = [condition, MESSAGE_ERROR_CONDITIONS[condition], 'HL70357'];
    const eld: FieldValue = [[[p.segment ?? ''], [where ? num(p.occurrence ?? 1) : ''], [num(p.field)], code]];
    return { err: buildSegment('ERR', { 1: eld }, d), text };
  }
  const erl = [p.segment ?? '', num(p.occurrence ?? 1), num(p.field), num(p.repetition), num(p.component), num(p.subcomponent)];
  while (erl.length > 0 && erl[erl.length - 1] === '') erl.pop();
  const err = buildSegment(
    'ERR',
    {
      ...(where ? { 2: components(...erl) } : {}),
      3: components(condition, MESSAGE_ERROR_CONDITIONS[condition], 'HL70357'),
      4: error.severity ?? 'E',
      5: components(error.code),
      7: text,
    },
    d,
  );
  return { err, text };
}

function buildAckFrom(source: AckSource, options: AckOptions): Hl7Message {
  // An MSH-2 shorter than four characters cannot express every value (ERR-1 needs
  // subcomponents, any text may need escapes): such a sender is answered with the defaults,
  // its header values re-encoded rather than copied raw.
  const s = source.delimiters;
  const complete = s.component !== '' && s.repetition !== '' && s.escape !== '' && s.subcomponent !== '';
  const d = complete ? s : DEFAULT_DELIMITERS;
  const h = (n: number): Field | undefined => {
    const f = source.header(n);
    return f && !complete ? buildField(f.value, d) : f;
  };
  const original = h(12);
  const versionField = original && SUPPORTED_VERSIONS.has(original.text() ?? '') ? original : buildField(FALLBACK_VERSION, d);
  const version = versionField.text() ?? FALLBACK_VERSION;
  const trigger = h(9)?.text(2) ?? '';
  const type = versionAtLeast(version, '2.3.1') ? components('ACK', trigger, 'ACK') : components('ACK', trigger);
  const controlId = options.controlId ?? randomControlId();
  const msh = buildSegment(
    'MSH',
    { 3: h(5), 4: h(6), 5: h(3), 6: h(4), 7: timestamp(options.now), 9: type, 10: controlId, 11: h(11), 12: versionField, 18: h(18) },
    d,
  );
  const err = options.error ? errSegment(options.error, version, d) : undefined;
  const msaText = err && !versionAtLeast(version, '2.5') ? err.text : undefined;
  const msa = buildSegment('MSA', { 1: options.code, 2: h(10) ?? '', 3: msaText }, d);
  return new Hl7Message(err ? [msh, msa, err.err] : [msh, msa], d);
}

/**
 * The ACK for a parsed message, as a message (for inspection and tests).
 * @param message - the message being answered
 * @param options - AA/AE/AR, the time, optional own control id, and the error for AE/AR
 */
export function buildAckMessage(message: Hl7Message, options: AckOptions): Hl7Message {
  return buildAckFrom({ delimiters: message.delimiters, header: (n) => message.header.field(n) }, options);
}

/** The ACK for a parsed message, encoded for the wire (in the original's MSH-18 charset). */
export function buildAck(message: Hl7Message, options: AckOptions): Uint8Array {
  return encodeMessageBytes(buildAckMessage(message, options));
}

/**
 * Recovers what an AR needs from input that did not parse: the first line, if it is an MSH,
 * read with its own delimiters when they are valid, else split on its field separator (or `|`)
 * and treated as plain text under the default delimiters.
 */
function recoverSource(input: string | Uint8Array): AckSource {
  const head = typeof input === 'string' ? input.slice(0, 65536) : decodeBytes(input.subarray(0, 65536), 'auto');
  const line = (head.replace(/^\uFEFF/, '').split(/[\r\n]+/).find((l) => l.trim() !== '') ?? '').trimStart();
  if (!line.startsWith('MSH')) return { delimiters: DEFAULT_DELIMITERS, header: () => undefined };
  const declared = readDelimiters(line);
  if (declared.ok) {
    const d = declared.delimiters;
    const parts = line.split(d.field);
    return { delimiters: d, header: (n) => (n >= 3 && parts[n - 1] !== undefined ? parseField(parts[n - 1] ?? '', d, 'auto') : undefined) };
  }
  const sep = isUsableDelimiter(line.charAt(3)) ? line.charAt(3) : '|';
  const parts = line.split(sep);
  const d = DEFAULT_DELIMITERS;
  return { delimiters: d, header: (n) => (n >= 3 && parts[n - 1] !== undefined ? buildField(parts[n - 1] ?? '', d) : undefined) };
}

/** The rejection as an ACK error: its code, text (with the line) and location. */
export function rejectionAckError(rejection: Hl7Rejection): AckError {
  const at = rejection.line === undefined ? '' : ` (line ${rejection.line})`;
  const element = rejection.field ?? rejection.segment;
  return { code: rejection.code, message: `${rejection.message}${at}`, ...(element ? { element } : {}) };
}

/** An AR for input that could not be parsed, as a message. */
export function ackForUnparseableMessage(
  input: string | Uint8Array,
  rejection: Hl7Rejection,
  options: Omit<AckOptions, 'code' | 'error'>,
): Hl7Message {
  return buildAckFrom(recoverSource(input), { ...options, code: 'AR', error: rejectionAckError(rejection) });
}

/**
 * An AR for input that could not be parsed, encoded for the wire. Whatever the header still
 * gives (delimiters, MSH-10 control id, sender, version) is reused.
 * @param input - the bytes or text as received
 * @param rejection - why parsing failed
 * @param options - time and optional own control id
 */
export function ackForUnparseable(
  input: string | Uint8Array,
  rejection: Hl7Rejection,
  options: Omit<AckOptions, 'code' | 'error'>,
): Uint8Array {
  return encodeMessageBytes(ackForUnparseableMessage(input, rejection, options));
}
