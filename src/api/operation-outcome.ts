/**
 * The one place where errors become HTTP answers: every error leaves the API as a FHIR
 * OperationOutcome with the status its code implies. Unknown errors answer 500 with a
 * reference the operator can find in the log, never a stack trace.
 */
import type { OperationOutcome } from '@medplum/fhirtypes';
import { isLongitudeError, type Issue } from '../platform/errors.ts';

export interface ErrorAnswer {
  status: number;
  outcome: OperationOutcome;
  /** True when the error was not ours: log it with its stack. */
  unexpected: boolean;
}

export function operationOutcome(issues: Issue[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({
      severity: i.severity,
      code: i.code,
      diagnostics: i.diagnostics,
      ...(i.expression ? { expression: i.expression } : {}),
    })),
  };
}

/** Maps any thrown value to an OperationOutcome answer. */
export function toErrorAnswer(err: unknown, requestId: string): ErrorAnswer {
  if (isLongitudeError(err)) return { status: err.status, outcome: operationOutcome(err.issues), unexpected: false };
  const fastifyError = err as { statusCode?: number; code?: string; message?: string };
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    // Fastify's own refusals: malformed JSON, body too large, unsupported media type, ...
    const code = fastifyError.statusCode === 413 ? 'too-costly' : fastifyError.statusCode === 415 ? 'not-supported' : 'invalid';
    return {
      status: fastifyError.statusCode,
      outcome: operationOutcome([{ severity: 'error', code, diagnostics: fastifyError.message ?? 'bad request' }]),
      unexpected: false,
    };
  }
  return {
    status: 500,
    outcome: operationOutcome([
      { severity: 'fatal', code: 'exception', diagnostics: `internal error; the server log has the details under request id ${requestId}` },
    ]),
    unexpected: true,
  };
}
