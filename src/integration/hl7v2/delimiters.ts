/**
 * Reading the delimiters a message declares in its header (v2.5.1 ch. 2 §2.5.4, "Message
 * delimiters"; MSH-1 and MSH-2). The character right after `MSH` is the field separator; the
 * text up to the next field separator is MSH-2: component, repetition, escape, subcomponent
 * and, from v2.7 (§2.5.5.2), the truncation character.
 *
 * Tolerated: any delimiter characters, not just `|^~\&` (the corpus has `^~|\&` and `#!@%*`);
 * MSH-2 shorter than four characters (old senders write `^~}`: the missing trailing
 * delimiters are simply not used); a fifth character in any version (ELR 2.5.1 feeds send it).
 * Rejected, because no split of the message could then be trusted: a letter, digit, space or
 * control character as a delimiter (it would be indistinguishable from data), the same
 * character declared twice, an empty MSH-2, or more than five encoding characters.
 */
import { quote, type Hl7Rejection } from './errors.ts';
import type { Delimiters } from './message.ts';

export type DelimitersResult = { ok: true; delimiters: Delimiters } | { ok: false; rejection: Hl7Rejection };

/** True for a character that can serve as a delimiter (see the rules above). */
export function isUsableDelimiter(c: string): boolean {
  if (c.length !== 1) return false;
  const code = c.charCodeAt(0);
  if (code < 0x21 || code === 0x7f || (code >= 0xd800 && code <= 0xdfff)) return false;
  return !/[A-Za-z0-9]/.test(c);
}

/**
 * Reads the delimiters from a header segment's text (MSH, or FHS/BHS, which share its layout).
 * @param header - the header segment's text, starting with its 3-character id
 */
export function readDelimiters(header: string): DelimitersResult {
  const id = header.slice(0, 3);
  const reject = (code: Hl7Rejection['code'], message: string, field: string): DelimitersResult => ({
    ok: false,
    rejection: { code, message, segment: id, field: `${id}-${field}` },
  });
  const sep = header.charAt(3);
  if (sep === '') return reject('LNG_HL7_BAD_MSH', `${id} has no field separator (${id}-1)`, '1');
  if (!isUsableDelimiter(sep)) return reject('LNG_HL7_BAD_MSH', `${id}-1 field separator ${quote(sep)} is not a usable delimiter`, '1');
  const next = header.indexOf(sep, 4);
  const enc = header.slice(4, next === -1 ? header.length : next);
  if (enc.length === 0) return reject('LNG_HL7_BAD_ENCODING_CHARS', `${id}-2 encoding characters are missing`, '2');
  if (enc.length > 5) {
    return reject('LNG_HL7_BAD_ENCODING_CHARS', `${id}-2 has ${enc.length} encoding characters (at most 5: ^~\\&#)`, '2');
  }
  const seen = new Set([sep]);
  for (const c of enc) {
    if (!isUsableDelimiter(c)) return reject('LNG_HL7_BAD_ENCODING_CHARS', `${id}-2 character ${quote(c)} is not a usable delimiter`, '2');
    if (seen.has(c)) return reject('LNG_HL7_BAD_ENCODING_CHARS', `${id}-2 declares ${quote(c)} twice`, '2');
    seen.add(c);
  }
  return {
    ok: true,
    delimiters: {
      field: sep,
      component: enc.charAt(0),
      repetition: enc.charAt(1),
      escape: enc.charAt(2),
      subcomponent: enc.charAt(3),
      truncation: enc.charAt(4),
    },
  };
}
