/**
 * What every mapper of one message shares: the message, where it came from (channel, message
 * store id, receipt time), the channel's overrides, and date helpers that know the element
 * they read, so a bad value becomes a mapping error naming `OBX[3]-14`.
 */
import type { Hl7Message } from '../hl7v2/message.ts';
import { messageOffset, toFhirDate, toFhirDateTime, type ZoneDefaults } from './hl7-dates.ts';
import type { MappingOverrides } from './overrides.ts';
import { comp, firstSegment, type Rep, type Seg } from './segments.ts';

/** The version of these maps; recorded on every resource and Provenance they write. */
export const MAPPING_VERSION = '1.0.0';

export interface MappingInput {
  /** Name of the source system; defaults to MSH-3 (sending application) and MSH-4 (facility). */
  sourceSystem?: string;
  /** The message store id of the message (Provenance.entity, meta.source). */
  messageId: string;
  channel: string;
  receivedAt: Date;
  overrides?: MappingOverrides;
}

export class MappingContext {
  readonly overrides: MappingOverrides;
  /** The source system as it appears in identifier systems: lower case, URN-safe. */
  readonly sender: string;
  readonly zones: ZoneDefaults;
  readonly msh: Seg;

  constructor(
    readonly message: Hl7Message,
    readonly input: MappingInput,
  ) {
    this.overrides = input.overrides ?? {};
    this.msh = firstSegment(message, 'MSH')!;
    this.sender = urnSafe(input.sourceSystem ?? ([this.msh.text(3), this.msh.text(4)].filter(Boolean).join('.') || 'unknown'));
    const offset = messageOffset(this.msh.text(7));
    this.zones = {
      ...(this.overrides.timeZone ? { timeZone: this.overrides.timeZone } : {}),
      ...(offset !== undefined ? { messageOffsetMinutes: offset } : {}),
    };
  }

  get trigger(): string {
    return this.message.messageType.trigger;
  }

  get controlId(): string {
    return this.message.controlId;
  }

  /** `urn:longitude:channel/<channel>#<messageId>`: Resource.meta.source of everything written. */
  get metaSource(): string {
    return `urn:longitude:channel/${encodeURIComponent(this.input.channel)}#${encodeURIComponent(this.input.messageId)}`;
  }

  /** FHIR dateTime of a field (component), or undefined when it is not valued. */
  dateTime(seg: Seg, field: number, component = 1): string | undefined {
    const value = seg.text(field, component);
    return value === undefined ? undefined : toFhirDateTime(value, seg.element(field, component > 1 ? component : undefined), this.zones);
  }

  /** FHIR date of a field (component): a time, if sent, is dropped. */
  date(seg: Seg, field: number, component = 1): string | undefined {
    const value = seg.text(field, component);
    return value === undefined ? undefined : toFhirDate(value, seg.element(field, component > 1 ? component : undefined));
  }

  /** FHIR dateTime of a component (subcomponent) inside a repetition already read. */
  dateTimeIn(rep: Rep | undefined, component: number, element: string, subcomponent = 1): string | undefined {
    const value = comp(rep, component, subcomponent);
    return value === undefined ? undefined : toFhirDateTime(value, element, this.zones);
  }
}

/** Lower case letters, digits, `.` and `-`: safe inside a URN and a search token. */
export function urnSafe(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'unknown'
  );
}
