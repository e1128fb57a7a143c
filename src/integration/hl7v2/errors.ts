/**
 * Why an HL7 v2 message was rejected. Parsing never throws on bad input: it returns a
 * rejection naming what is wrong and where (segment, field, line, character offset), so the
 * listener can answer AR with an ERR that points at the fault and the message store can keep
 * the reason beside the raw bytes. `rejectionError` turns one into the hub's coded
 * LongitudeError (platform/errors.ts) for callers that prefer throwing.
 */
import { errorAt, LongitudeError, type ErrorCode } from '../../platform/errors.ts';

/** The catalog codes a parse can end with (all `LNG_HL7_*`, see platform/errors.ts). */
export type Hl7RejectionCode = Extract<
  ErrorCode,
  | 'LNG_HL7_EMPTY'
  | 'LNG_HL7_NOT_ER7'
  | 'LNG_HL7_NO_MSH'
  | 'LNG_HL7_BAD_MSH'
  | 'LNG_HL7_BAD_ENCODING_CHARS'
  | 'LNG_HL7_BAD_SEGMENT_ID'
  | 'LNG_HL7_UNEXPECTED_SEGMENT'
  | 'LNG_HL7_MISSING_FIELD'
  | 'LNG_HL7_UNSUPPORTED_VERSION'
  | 'LNG_HL7_TOO_LARGE'
>;

export interface Hl7Rejection {
  code: Hl7RejectionCode;
  message: string;
  /** Segment id at fault (`MSH`, `PID`), when one is known. */
  segment?: string;
  /** Field at fault in HL7 notation (`MSH-9`), when one is known. */
  field?: string;
  /** 1-based line (segment) number in the input, counting each CR, LF or CRLF as one break. */
  line?: number;
  /** 0-based character offset of the segment in the decoded text. */
  offset?: number;
}

/** The rejection as a thrown coded error; the expression names the field, else the segment. */
export function rejectionError(rejection: Hl7Rejection): LongitudeError {
  const where = rejection.field ?? rejection.segment;
  return where === undefined
    ? new LongitudeError(rejection.code, rejection.message)
    : errorAt(rejection.code, rejection.message, where);
}

/** Quotes input text for a rejection message: short, control characters made visible. */
export function quote(text: string, max = 20): string {
  const short = text.length > max ? `${text.slice(0, max)}…` : text;
  let out = '';
  for (const c of short) {
    const code = c.charCodeAt(0);
    const hidden = code < 0x20 || (code >= 0x7f && code < 0xa0);
    out += hidden ? `\\u${code.toString(16).padStart(4, '0')}` : c;
  }
  return `"${out}"`;
}
