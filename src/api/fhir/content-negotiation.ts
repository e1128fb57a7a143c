/**
 * Content negotiation for the FHIR API (http://hl7.org/fhir/R4/http.html#mime-type): JSON
 * only. `_format` overrides Accept; a request that can only take XML (or an unknown format)
 * is answered 406 with an OperationOutcome rather than with JSON it did not ask for.
 */
import { LongitudeError } from '../../platform/errors.ts';

const jsonFormats = new Set(['json', 'application/json', 'application/fhir+json', 'application/json+fhir']);

export function checkAcceptable(accept: string | undefined, format: string | undefined): void {
  if (format !== undefined) {
    const requested = format.split(';')[0]!.trim().toLowerCase();
    if (!jsonFormats.has(requested)) throw notAcceptable(`_format=${format}`);
    return;
  }
  if (!accept) return;
  const types = accept.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  const takesJson = types.some((t) => t === '*/*' || t === 'application/*' || jsonFormats.has(t) || t.endsWith('+json'));
  if (!takesJson) throw notAcceptable(`Accept: ${accept}`);
}

function notAcceptable(asked: string): LongitudeError {
  const message = `${asked} cannot be served: this server speaks FHIR JSON only (application/fhir+json)`;
  return new LongitudeError('LNG_NOT_ACCEPTABLE', message, { issues: [{ severity: 'error', code: 'not-supported', diagnostics: message }] });
}

export type ReturnPreference = 'minimal' | 'representation' | 'OperationOutcome';

/** Prefer: return=... (http://hl7.org/fhir/R4/http.html#ops); representation when absent. */
export function returnPreference(prefer: string | undefined): ReturnPreference {
  const match = /(?:^|[;,\s])return=(minimal|representation|OperationOutcome)\b/.exec(prefer ?? '');
  return (match?.[1] as ReturnPreference | undefined) ?? 'representation';
}
