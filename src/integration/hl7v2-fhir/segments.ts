/**
 * Reading segments for mapping: every value the mappers take goes through here, so "absent"
 * means the same thing everywhere (not sent, empty, blanks, or the HL7 null `""`, which a
 * sender uses to say "delete this value", v2.5.1 ch. 2 §2.5.3) and every value knows the
 * element it came from (`OBX[3]-14`), which is what a mapping error names.
 */
import type { Hl7Message, Segment } from '../hl7v2/message.ts';

/** One repetition of a field: components → subcomponents (0-based). */
export type Rep = readonly (readonly string[])[];

/** A segment and which occurrence of its name it is in the message (1-based). */
export class Seg {
  constructor(
    readonly segment: Segment,
    readonly occurrence: number,
  ) {}

  get name(): string {
    return this.segment.name;
  }

  /** `PID-7`, `OBX[3]-5.2`: the element in HL7 location notation. */
  element(field: number, component?: number): string {
    const at = this.occurrence > 1 ? `${this.name}[${this.occurrence}]` : this.name;
    return `${at}-${field}${component ? `.${component}` : ''}`;
  }

  /** Decoded, trimmed text at (field, component, subcomponent) of the first repetition. */
  text(field: number, component = 1, subcomponent = 1): string | undefined {
    return valued(this.segment.field(field)?.text(component, subcomponent, 1));
  }

  /** The repetitions of a field that carry any value. */
  reps(field: number): Rep[] {
    return (this.segment.field(field)?.value ?? []).filter((rep) => rep.some((c) => c.some((s) => valued(s) !== undefined)));
  }

  /** The first valued repetition of a field. */
  rep(field: number): Rep | undefined {
    return this.reps(field)[0];
  }
}

/** Text of component n (1-based), subcomponent s, of one repetition. */
export function comp(rep: Rep | undefined, n: number, s = 1): string | undefined {
  return valued(rep?.[n - 1]?.[s - 1]);
}

/** The subcomponents of component n as a repetition of their own (HD inside CX.4, CWE inside XAD.9). */
export function sub(rep: Rep | undefined, n: number): Rep | undefined {
  const parts = rep?.[n - 1];
  if (!parts || parts.every((p) => valued(p) === undefined)) return undefined;
  return parts.map((p) => [p]);
}

/** Trimmed text, or undefined for nothing, blanks and the HL7 null `""`. */
export function valued(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t === undefined || t === '' || t === '""' ? undefined : t;
}

/** Every segment of a name, with its occurrence numbers. */
export function segmentsNamed(message: Hl7Message, name: string): Seg[] {
  return message.segmentsNamed(name).map((s, i) => new Seg(s, i + 1));
}

/** All segments in order, each with its occurrence number among segments of its name. */
export function allSegments(message: Hl7Message): Seg[] {
  const seen = new Map<string, number>();
  return message.segments.map((s) => {
    const n = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, n);
    return new Seg(s, n);
  });
}

/** The first segment of a name, if present. */
export function firstSegment(message: Hl7Message, name: string): Seg | undefined {
  const s = message.segment(name, 1);
  return s ? new Seg(s, 1) : undefined;
}

/**
 * Splits the segments into groups, each starting at a segment named in `starts`, holding the
 * following segments until the next start (or a segment named in `stops`). Order results are
 * grouped this way: an OBR and its OBX, NTE, SPM (v2.5.1 ch. 7 ORU_R01 structure).
 */
export function groupSegments(segs: readonly Seg[], starts: readonly string[], stops: readonly string[] = []): Seg[][] {
  const groups: Seg[][] = [];
  let current: Seg[] | undefined;
  for (const s of segs) {
    if (starts.includes(s.name)) {
      current = [s];
      groups.push(current);
    } else if (stops.includes(s.name)) {
      current = undefined;
    } else {
      current?.push(s);
    }
  }
  return groups;
}
