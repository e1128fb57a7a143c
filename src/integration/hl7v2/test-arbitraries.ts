/**
 * fast-check generators for HL7 v2 property tests (imported by the *.test.ts files here only).
 * Messages are generated as values (with any delimiters and any text, delimiters and line
 * breaks included) and built through buildSegment, the way the hub itself builds ACKs.
 */
import fc from 'fast-check';
import { buildSegment, components } from './encode.ts';
import { Hl7Message, type Delimiters, type FieldValue } from './message.ts';
import { SUPPORTED_VERSIONS } from './parse.ts';

const PUNCTUATION = [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'];

/** Five or six distinct delimiter characters (the sixth, when present, is the v2.7 truncation). */
export const delimitersArb: fc.Arbitrary<Delimiters> = fc
  .uniqueArray(fc.constantFrom(...PUNCTUATION), { minLength: 6, maxLength: 6 })
  .chain((c) =>
    fc.boolean().map((truncation) => ({
      field: c[0] as string,
      component: c[1] as string,
      repetition: c[2] as string,
      escape: c[3] as string,
      subcomponent: c[4] as string,
      truncation: truncation ? (c[5] as string) : '',
    })),
  );

/** Text that often contains delimiters, escape-looking runs and line breaks. */
export function textArb(d: Delimiters): fc.Arbitrary<string> {
  const tricky = [d.field, d.component, d.repetition, d.escape, d.subcomponent, '\r', '\n', 'X', '0', 'D', '.', 'br', 'H', 'é', '中'];
  return fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: fc.constantFrom(...tricky.filter((t) => t !== '')), maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
  );
}

export function fieldValueArb(d: Delimiters): fc.Arbitrary<FieldValue> {
  const level = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T[]> => fc.array(a, { minLength: 1, maxLength: 3 });
  return level(level(level(textArb(d))));
}

const segmentIdArb = fc
  .stringMatching(/^[A-Z][A-Z0-9]{2}$/)
  .filter((id) => !['MSH', 'FHS', 'BHS', 'BTS', 'FTS'].includes(id));

/** A message built from generated values, plus the values it was built from. */
export interface GeneratedMessage {
  message: Hl7Message;
  values: FieldValue[][];
}

export const messageArb: fc.Arbitrary<GeneratedMessage> = delimitersArb.chain((d) =>
  fc
    .record({
      header: fc.array(fieldValueArb(d), { minLength: 6, maxLength: 6 }),
      type: fc.tuple(fc.stringMatching(/^[A-Z]{3}$/), fc.stringMatching(/^[A-Z]\d\d$/)),
      controlId: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s && s !== ''),
      version: fc.constantFrom(...SUPPORTED_VERSIONS),
      segments: fc.array(fc.tuple(segmentIdArb, fc.array(fieldValueArb(d), { maxLength: 6 })), { maxLength: 5 }),
    })
    .map(({ header, type, controlId, version, segments }) => {
      const mshFields: Record<number, FieldValue | string> = { 9: components(...type), 10: controlId, 12: version };
      header.forEach((v, i) => (mshFields[i + 3] = v));
      const msh = buildSegment('MSH', mshFields, d);
      const others = segments.map(([id, fields]) => buildSegment(id, Object.fromEntries(fields.map((f, i) => [i + 1, f])), d));
      const all = [msh, ...others];
      return { message: new Hl7Message(all, d), values: all.map((s) => s.fields.map((f) => f.value)) };
    }),
);
