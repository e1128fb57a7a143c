/**
 * The HL7 v2 message model: message → segments → fields → repetitions → components →
 * subcomponents (HL7 v2.5.1 ch. 2 §2.5, "message construction").
 *
 * Each Field keeps its raw encoded text (exactly as received, escapes and all) beside the
 * decoded value tree, so re-encoding a received message is lossless at the field level and a
 * mapper can always go back to the sender's bytes. A Field built from values (an ACK, a test)
 * gets its raw text from `escape`, so raw and value never disagree.
 *
 * Numbering follows the standard, 1-based: PID-5 is `segment.field(5)`. MSH is the exception
 * the standard makes (ch. 2, MSH-1 and MSH-2 field definitions): MSH-1 *is* the field separator and MSH-2 the encoding
 * characters, so MSH-3 is the first field after MSH-2 in the text.
 */
import { errorAt } from '../../platform/errors.ts';

export interface Delimiters {
  readonly field: string;
  readonly component: string;
  readonly repetition: string;
  readonly escape: string;
  readonly subcomponent: string;
  /** v2.7+ fifth encoding character (v2.7 §2.5.5.2 truncation pattern); '' when not declared. */
  readonly truncation: string;
}

/** `|^~\&`: the delimiters the standard recommends and nearly everyone uses. */
export const DEFAULT_DELIMITERS: Delimiters = {
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
  truncation: '',
};

/** MSH-2 text for these delimiters (absent trailing ones, '' here, are simply left out). */
export function encodingCharacters(d: Delimiters): string {
  return d.component + d.repetition + d.escape + d.subcomponent + d.truncation;
}

/** A field's decoded value: repetitions → components → subcomponents (0-based arrays). */
export type FieldValue = readonly (readonly (readonly string[])[])[];

export class Field {
  /**
   * @param raw - the encoded text between two field separators
   * @param value - the decoded tree; never empty (an empty field is `[[['']]]`)
   */
  constructor(
    readonly raw: string,
    readonly value: FieldValue,
  ) {}

  get repetitionCount(): number {
    return this.value.length;
  }

  /**
   * Decoded text at 1-based (component, subcomponent, repetition), like HL7's PID-5.1.2;
   * undefined when the field has no such repetition, component or subcomponent.
   */
  text(component = 1, subcomponent = 1, repetition = 1): string | undefined {
    return this.value[repetition - 1]?.[component - 1]?.[subcomponent - 1];
  }
}

export class Segment {
  /**
   * @param fields - index 0 is the segment id itself, so `fields[n]` is field n (MSH-1 too)
   * @param line - 1-based line in the parsed input (0 for segments built in code)
   */
  constructor(
    readonly fields: readonly Field[],
    readonly line = 0,
  ) {}

  get name(): string {
    return this.fields[0]?.raw ?? '';
  }

  /** Number of the last field present (trailing empty fields count: they were sent). */
  get fieldCount(): number {
    return this.fields.length - 1;
  }

  /** Field n, 1-based; undefined beyond the last field sent. */
  field(n: number): Field | undefined {
    return n >= 1 ? this.fields[n] : undefined;
  }
}

/** Field n of a segment (1-based; MSH-1 is the field separator). */
export function field(segment: Segment, n: number): Field | undefined {
  return segment.field(n);
}

/** An address such as `PID-5[2].1.3`: segment[occurrence]-field[repetition].component.subcomponent. */
export interface Hl7Path {
  segment: string;
  occurrence: number;
  field: number;
  repetition: number;
  component: number;
  subcomponent: number;
}

const PATH = /^([A-Z][A-Z0-9]{2})(?:\[(\d{1,6})\])?-(\d{1,6})(?:\[(\d{1,6})\])?(?:\.(\d{1,6})(?:\.(\d{1,6}))?)?$/;

function optionalNumber(s: string | undefined): number | undefined {
  return s === undefined ? undefined : Number(s);
}

/** A path's parts as written: undefined where the path leaves a part out. */
export type Hl7PathParts = Pick<Hl7Path, 'segment' | 'field'> &
  Partial<Pick<Hl7Path, 'occurrence' | 'repetition' | 'component' | 'subcomponent'>>;

/**
 * Reads an HL7 location path, keeping omitted parts undefined (an ERR location says only what
 * is known). Throws LNG_HL7_BAD_PATH for anything else.
 * @param path - e.g. `PID-5[2].1`, `MSH-9.2`, `OBX[3]-5.1`
 */
export function readPath(path: string): Hl7PathParts {
  const m = PATH.exec(path);
  if (!m || [m[2], m[3], m[4], m[5], m[6]].some((s) => s !== undefined && Number(s) < 1)) {
    throw errorAt('LNG_HL7_BAD_PATH', `Not an HL7 location: "${path}" (expected e.g. PID-5[2].1)`, path);
  }
  return {
    segment: m[1] ?? '',
    occurrence: optionalNumber(m[2]),
    field: Number(m[3]),
    repetition: optionalNumber(m[4]),
    component: optionalNumber(m[5]),
    subcomponent: optionalNumber(m[6]),
  };
}

/**
 * Parses an HL7 location path. Omitted parts default to 1, so `PID-5` reads PID-5.1.1 of the
 * first repetition (the HAPI Terser convention) and `OBX[2]-5` is OBX-5 of the second OBX.
 * @param path - e.g. `PID-5[2].1`, `MSH-9.2`, `OBX[3]-5.1`
 */
export function parsePath(path: string): Hl7Path {
  const p = readPath(path);
  return {
    segment: p.segment,
    field: p.field,
    occurrence: p.occurrence ?? 1,
    repetition: p.repetition ?? 1,
    component: p.component ?? 1,
    subcomponent: p.subcomponent ?? 1,
  };
}

export class Hl7Message {
  /**
   * @param segments - MSH first
   * @param delimiters - as declared in MSH-1/MSH-2
   */
  constructor(
    readonly segments: readonly Segment[],
    readonly delimiters: Delimiters,
  ) {}

  /** The MSH segment (always first in a parsed message). */
  get header(): Segment {
    const msh = this.segments[0];
    if (!msh) throw errorAt('LNG_HL7_NO_MSH', 'Message has no segments', 'MSH');
    return msh;
  }

  /** The nth (1-based) segment with this id. */
  segment(name: string, occurrence = 1): Segment | undefined {
    let seen = 0;
    for (const s of this.segments) if (s.name === name && ++seen === occurrence) return s;
    return undefined;
  }

  segmentsNamed(name: string): Segment[] {
    return this.segments.filter((s) => s.name === name);
  }

  /** The field a path names, ignoring its repetition/component parts. */
  field(path: string): Field | undefined {
    const p = parsePath(path);
    return this.segment(p.segment, p.occurrence)?.field(p.field);
  }

  /**
   * Decoded text at a path (`PID-5[2].1`); undefined when the message does not contain that
   * element at all, '' when it is present but empty.
   */
  get(path: string): string | undefined {
    const p = parsePath(path);
    return this.segment(p.segment, p.occurrence)?.field(p.field)?.text(p.component, p.subcomponent, p.repetition);
  }

  /** MSH-12.1, e.g. `2.5.1`. */
  get version(): string {
    return this.header.field(12)?.text() ?? '';
  }

  /** MSH-10, the id the ACK's MSA-2 must echo. */
  get controlId(): string {
    return this.header.field(10)?.text() ?? '';
  }

  /** MSH-9: message code, trigger event and (v2.3.1+) message structure. */
  get messageType(): { code: string; trigger: string; structure: string } {
    const f = this.header.field(9);
    return { code: f?.text(1) ?? '', trigger: f?.text(2) ?? '', structure: f?.text(3) ?? '' };
  }
}
