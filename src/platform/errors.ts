/**
 * One error vocabulary for the whole hub. Inside, code throws a LongitudeError with a stable
 * code from the catalog below; at the edge exactly one function turns it into an
 * OperationOutcome and an HTTP status (api/operation-outcome.ts) or a one-line CLI message
 * and exit code (cli/main.ts). Tests assert on `code`, never on message text.
 */

/** FHIR IssueType codes we use (http://hl7.org/fhir/R4/valueset-issue-type.html). */
export type IssueType =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'security'
  | 'login'
  | 'forbidden'
  | 'not-found'
  | 'deleted'
  | 'conflict'
  | 'multiple-matches'
  | 'not-supported'
  | 'processing'
  | 'exception'
  | 'timeout'
  | 'too-costly'
  | 'informational';

export const ErrorCatalog = {
  LNG_CONFIG_INVALID: { status: 500, issue: 'invalid' },
  LNG_BAD_REQUEST: { status: 400, issue: 'invalid' },
  LNG_UNAUTHENTICATED: { status: 401, issue: 'login' },
  LNG_FORBIDDEN: { status: 403, issue: 'forbidden' },
  LNG_NO_ACCESS_CONTEXT: { status: 500, issue: 'security' },
  LNG_NOT_FOUND: { status: 404, issue: 'not-found' },
  LNG_GONE: { status: 410, issue: 'deleted' },
  LNG_METHOD_NOT_ALLOWED: { status: 405, issue: 'not-supported' },
  LNG_NOT_ACCEPTABLE: { status: 406, issue: 'not-supported' },
  LNG_VERSION_CONFLICT: { status: 412, issue: 'conflict' },
  LNG_CONFLICT: { status: 409, issue: 'conflict' },
  LNG_MULTIPLE_MATCHES: { status: 412, issue: 'multiple-matches' },
  LNG_INVALID_RESOURCE: { status: 400, issue: 'structure' },
  LNG_UNPROCESSABLE: { status: 422, issue: 'processing' },
  LNG_MIGRATION_FAILED: { status: 500, issue: 'exception' },
  LNG_AUDIT_CHAIN_BROKEN: { status: 500, issue: 'exception' },
  LNG_INTERNAL: { status: 500, issue: 'exception' },
  // HL7 v2 protocol core (integration/hl7v2): why a message could not be parsed or encoded.
  LNG_HL7_EMPTY: { status: 400, issue: 'required' },
  LNG_HL7_NOT_ER7: { status: 415, issue: 'not-supported' },
  LNG_HL7_NO_MSH: { status: 400, issue: 'structure' },
  LNG_HL7_BAD_MSH: { status: 400, issue: 'structure' },
  LNG_HL7_BAD_ENCODING_CHARS: { status: 400, issue: 'structure' },
  LNG_HL7_BAD_SEGMENT_ID: { status: 400, issue: 'structure' },
  LNG_HL7_UNEXPECTED_SEGMENT: { status: 400, issue: 'structure' },
  LNG_HL7_MISSING_FIELD: { status: 400, issue: 'required' },
  LNG_HL7_UNSUPPORTED_VERSION: { status: 400, issue: 'not-supported' },
  LNG_HL7_TOO_LARGE: { status: 413, issue: 'too-costly' },
  LNG_HL7_BAD_PATH: { status: 400, issue: 'invalid' },
  LNG_HL7_CANNOT_ENCODE: { status: 422, issue: 'processing' },
  // C-CDA documents (integration/ccda): why a document could not be read as a ClinicalDocument.
  LNG_CCDA_EMPTY: { status: 400, issue: 'required' },
  LNG_CCDA_MALFORMED_XML: { status: 400, issue: 'structure' },
  LNG_CCDA_NOT_A_DOCUMENT: { status: 400, issue: 'structure' },
  LNG_CCDA_TOO_LARGE: { status: 413, issue: 'too-costly' },
  // Quality measures (intelligence/measures): content that cannot be executed.
  LNG_MEASURE_CONTENT_INVALID: { status: 422, issue: 'processing' },
} as const satisfies Record<string, { status: number; issue: IssueType }>;

export type ErrorCode = keyof typeof ErrorCatalog;

/** One problem found, pointing at the element or parameter at fault (FHIRPath expression). */
export interface Issue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  code: IssueType;
  diagnostics: string;
  expression?: string[];
}

export class LongitudeError extends Error {
  readonly code: ErrorCode;
  readonly issues: Issue[];

  constructor(code: ErrorCode, message: string, options: { issues?: Issue[]; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'LongitudeError';
    this.code = code;
    this.issues = options.issues ?? [
      { severity: 'error', code: ErrorCatalog[code].issue, diagnostics: message },
    ];
  }

  get status(): number {
    return ErrorCatalog[this.code].status;
  }
}

/** Shorthand for the common case: an error about one element or parameter. */
export function errorAt(code: ErrorCode, message: string, expression: string): LongitudeError {
  return new LongitudeError(code, message, {
    issues: [{ severity: 'error', code: ErrorCatalog[code].issue, diagnostics: message, expression: [expression] }],
  });
}

export function isLongitudeError(err: unknown): err is LongitudeError {
  return err instanceof LongitudeError;
}
