/**
 * Bytes → text per MSH-18 (character set, HL7 table 0211; v2.5.1 ch. 2, MSH-18 and §2.7.2).
 *
 * Text must be decoded before it is split: in multi-byte sets (Big5, Shift-JIS, GB 18030) a
 * trail byte can equal `|`, `^` or `\`, so splitting bytes would cut characters in half.
 * MSH-18 itself is read from a Latin-1 view of the header (every byte maps to one character,
 * and the delimiters are ASCII in every set table 0211 lists).
 *
 * When MSH-18 is empty, ASCII or not something this runtime can decode, we use UTF-8 if the
 * bytes are valid UTF-8 and Latin-1 otherwise: real feeds send UTF-8 or Latin-1 without
 * declaring either, and Latin-1 never fails (it is the lossless byte → code point mapping, so
 * the raw bytes can always be recovered from the text).
 */
import { TextDecoder } from 'node:util';

/** A WHATWG encoding label, 'latin1' (strict ISO 8859-1), or 'auto' (UTF-8 if valid, else Latin-1). */
export type Charset = string;

const TABLE_0211: Record<string, Charset> = {
  ASCII: 'auto',
  'ISO IR6': 'auto',
  '8859/1': 'latin1',
  'ISO IR100': 'latin1',
  '8859/2': 'iso-8859-2',
  '8859/3': 'iso-8859-3',
  '8859/4': 'iso-8859-4',
  '8859/5': 'iso-8859-5',
  '8859/6': 'iso-8859-6',
  '8859/7': 'iso-8859-7',
  '8859/8': 'iso-8859-8',
  '8859/9': 'iso-8859-9',
  '8859/15': 'iso-8859-15',
  'UNICODE UTF-8': 'utf-8',
  // Not in table 0211 but sent by real systems.
  'UTF-8': 'utf-8',
  UTF8: 'utf-8',
  'ISO-8859-1': 'latin1',
  'GB 18030-2000': 'gb18030',
  'KS X 1001': 'euc-kr',
  'BIG-5': 'big5',
  'ISO IR87': 'iso-2022-jp',
};

const decoders = new Map<string, TextDecoder | null>();

function decoderFor(label: string): TextDecoder | null {
  let d = decoders.get(label);
  if (d === undefined) {
    try {
      d = new TextDecoder(label, { fatal: label === 'utf-8' });
    } catch {
      d = null; // the runtime lacks this encoding: fall back to auto
    }
    decoders.set(label, d);
  }
  return d;
}

/**
 * The charset named by the first repetition of MSH-18 (later repetitions are alternate sets
 * switched to with escape sequences, §2.7.2, which we keep raw).
 * @param msh18 - decoded MSH-18.1 text, possibly empty
 */
export function resolveCharset(msh18: string | undefined): Charset {
  const name = (msh18 ?? '').trim().toUpperCase();
  const label = TABLE_0211[name] ?? 'auto';
  return label === 'auto' || label === 'latin1' || decoderFor(label) ? label : 'auto';
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Decodes bytes in a charset; UTF-8 (declared or guessed) that is not valid falls back to Latin-1. */
export function decodeBytes(bytes: Uint8Array, charset: Charset): string {
  if (charset === 'latin1') return latin1(bytes);
  const label = charset === 'auto' ? 'utf-8' : charset;
  const decoder = decoderFor(label);
  if (!decoder) return latin1(bytes);
  try {
    return decoder.decode(bytes);
  } catch {
    return latin1(bytes);
  }
}

/** The Latin-1 view of bytes: one character per byte, used to find MSH-18 before decoding. */
export function byteView(bytes: Uint8Array): string {
  return latin1(bytes);
}
