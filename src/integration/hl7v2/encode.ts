/**
 * Encoding messages back to ER7, and building fields, segments and messages from values.
 *
 * Encoding joins each field's raw text, so a parsed message re-encodes field for field as it
 * was received (escape spellings, trailing empty fields and unknown escape sequences
 * included); only segment terminators are normalized to CR, the standard one (v2.5.1 ch. 2
 * §2.5.4). The exact received bytes are the message store's job, not this module's.
 * Fields built from values get their raw text from `escape`, which is what makes
 * `parse(encode(m))` give back the same values.
 */
import { errorAt } from '../../platform/errors.ts';
import { resolveCharset } from './charset.ts';
import { escape } from './escapes.ts';
import { encodingCharacters, Field, Segment, type Delimiters, type FieldValue, type Hl7Message } from './message.ts';

export { escape };

/** What a field can be built from: plain text (one subcomponent), a value tree, or a Field as is. */
export type FieldInput = string | FieldValue | Field;

/** One repetition made of these components: `components('ACK', 'A01', 'ACK')` is `ACK^A01^ACK`. */
export function components(...parts: string[]): FieldValue {
  return [parts.map((p) => [p])];
}

function joinLevel(parts: string[], delimiter: string, level: string): string {
  if (parts.length > 1 && delimiter === '') {
    throw errorAt('LNG_HL7_CANNOT_ENCODE', `Value has several ${level}s but MSH-2 declares no ${level} separator`, 'MSH-2');
  }
  return parts.join(delimiter);
}

/**
 * Builds a field from decoded values, escaping delimiters in the text. Empty levels become one
 * empty string, which is how they parse back.
 * @param input - text, value tree, or an existing Field (kept as is)
 * @param d - delimiters of the message the field goes into
 */
export function buildField(input: FieldInput, d: Delimiters): Field {
  if (input instanceof Field) return input;
  const tree = typeof input === 'string' ? [[[input]]] : input;
  const value = (tree.length ? tree : [[]]).map((rep) => (rep.length ? rep : [[]]).map((c) => (c.length ? [...c] : [''])));
  const raw = joinLevel(
    value.map((rep) =>
      joinLevel(
        rep.map((comp) => joinLevel(comp.map((sub) => escape(sub, d)), d.subcomponent, 'subcomponent')),
        d.component,
        'component',
      ),
    ),
    d.repetition,
    'repetition',
  );
  return new Field(raw, value);
}

/**
 * Builds a segment from field values keyed by HL7 field number (`{ 1: 'AA', 2: controlId }`);
 * numbers in between are empty fields. For MSH, fields 1 and 2 come from the delimiters.
 * @param name - segment id
 * @param fields - field number → value
 * @param d - delimiters of the message
 */
export function buildSegment(name: string, fields: Record<number, FieldInput | undefined>, d: Delimiters): Segment {
  // Trailing absent fields are left out rather than sent as empty ones.
  const numbers = Object.keys(fields)
    .map(Number)
    .filter((n) => fields[n] !== undefined);
  const last = Math.max(name === 'MSH' ? 2 : 0, ...numbers);
  const out: Field[] = [new Field(name, [[[name]]])];
  for (let n = 1; n <= last; n++) {
    if (name === 'MSH' && n <= 2) {
      const text = n === 1 ? d.field : encodingCharacters(d);
      out.push(new Field(text, [[[text]]]));
      continue;
    }
    const input = fields[n];
    out.push(input === undefined ? new Field('', [[['']]]) : buildField(input, d));
  }
  return new Segment(out);
}

function encodeSegment(segment: Segment, d: Delimiters): string {
  // MSH-1 is the separator itself, so it is not joined as a field (it *is* the join).
  const fields = segment.name === 'MSH' ? segment.fields.filter((_, i) => i !== 1) : segment.fields;
  return fields.map((f) => f.raw).join(d.field);
}

/**
 * Encodes a message as ER7 text, every segment terminated by CR.
 * @param message - parsed or built message
 */
export function encodeMessage(message: Hl7Message): string {
  const d = message.delimiters;
  let out = '';
  for (const s of message.segments) out += encodeSegment(s, d) + '\r';
  return out;
}

/**
 * Encodes a message as bytes for the wire: Latin-1 when MSH-18 says 8859/1, UTF-8 otherwise
 * (UTF-8 is also what ASCII is; other declared sets are rare in what we send, which is ACKs).
 * @param message - parsed or built message
 */
export function encodeMessageBytes(message: Hl7Message): Uint8Array {
  const text = encodeMessage(message);
  return Buffer.from(text, resolveCharset(message.get('MSH-18')) === 'latin1' ? 'latin1' : 'utf8');
}
