/**
 * Reads Bundle.entry.request (http://hl7.org/fhir/R4/bundle-definitions.html#Bundle.entry.request)
 * into what the processor acts on, conditional forms included: `ifNoneExist` on POST, and
 * `[type]?[criteria]` as the URL of a PUT or DELETE (http://hl7.org/fhir/R4/http.html#cond-update).
 */
import type { BundleEntry } from '@medplum/fhirtypes';
import { LongitudeError } from '../platform/errors.ts';

export interface EntryRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  resourceType: string;
  id?: string;
  versionId?: string;
  ifMatch?: string;
  /** Search criteria: ifNoneExist of a POST, or the query of a conditional PUT or DELETE. */
  criteria?: string;
}

const idPattern = /^[A-Za-z0-9\-.]{1,64}$/;
const typePattern = /^[A-Z][A-Za-z]+$/;

export function parseEntryRequest(entry: BundleEntry, index: number): EntryRequest {
  const at = `Bundle.entry[${index}].request`;
  const request = entry?.request;
  if (!request || typeof request !== 'object') throw invalid(`entry ${index} has no request`, at);
  const method = request.method;
  if (method !== 'GET' && method !== 'POST' && method !== 'PUT' && method !== 'DELETE') {
    throw invalid(`entry ${index}: request.method ${String(method)} is not supported (GET, POST, PUT, DELETE)`, `${at}.method`);
  }
  if (typeof request.url !== 'string' || request.url.length === 0) throw invalid(`entry ${index} has no request.url`, `${at}.url`);
  if (request.ifNoneMatch || request.ifModifiedSince) {
    throw new LongitudeError('LNG_BAD_REQUEST', `entry ${index}: ifNoneMatch and ifModifiedSince are not supported`, {
      issues: [{ severity: 'error', code: 'not-supported', diagnostics: `entry ${index}: ifNoneMatch and ifModifiedSince are not supported`, expression: [at] }],
    });
  }
  const [path = '', query] = request.url.replace(/^\//, '').split(/\?(.*)/s);
  if (query !== undefined) return conditionalRequest(method, path, query, index, at);
  if (request.ifNoneExist !== undefined && method !== 'POST') throw invalid(`entry ${index}: only POST takes ifNoneExist`, `${at}.ifNoneExist`);
  const [resourceType, id, history, versionId, ...rest] = path.split('/');
  if (!resourceType || !typePattern.test(resourceType) || rest.length > 0 || (history !== undefined && history !== '_history')) {
    throw invalid(`entry ${index}: request.url ${request.url} is not [type], [type]/[id] or [type]/[id]/_history/[vid]`, `${at}.url`);
  }
  if (id !== undefined && !idPattern.test(id)) throw invalid(`entry ${index}: ${id} is not a valid id`, `${at}.url`);
  const needsId = method === 'PUT' || method === 'DELETE' || method === 'GET';
  if (needsId && !id) throw invalid(`entry ${index}: ${method} needs [type]/[id] in request.url`, `${at}.url`);
  if (method === 'POST' && id) throw invalid(`entry ${index}: POST takes [type] only in request.url`, `${at}.url`);
  if (versionId !== undefined && method !== 'GET') throw invalid(`entry ${index}: only GET takes a version`, `${at}.url`);
  const ifMatch = request.ifMatch ? /^(?:W\/)?"([^"]+)"$/.exec(request.ifMatch)?.[1] : undefined;
  if (request.ifMatch && !ifMatch) throw invalid(`entry ${index}: ifMatch must be an ETag such as W/"3"`, `${at}.ifMatch`);
  return {
    method,
    resourceType,
    ...(id ? { id } : {}),
    ...(versionId ? { versionId } : {}),
    ...(ifMatch ? { ifMatch } : {}),
    ...(request.ifNoneExist ? { criteria: request.ifNoneExist } : {}),
  };
}

/** `PUT [type]?[criteria]` and `DELETE [type]?[criteria]`. */
function conditionalRequest(method: EntryRequest['method'], resourceType: string, criteria: string, index: number, at: string): EntryRequest {
  if (method !== 'PUT' && method !== 'DELETE') {
    throw invalid(`entry ${index}: only PUT and DELETE take search criteria in request.url (use ifNoneExist for a conditional create)`, `${at}.url`);
  }
  if (!typePattern.test(resourceType)) throw invalid(`entry ${index}: ${resourceType} is not a resource type`, `${at}.url`);
  if (criteria === '') throw invalid(`entry ${index}: the search criteria after ? are empty`, `${at}.url`);
  return { method, resourceType, criteria };
}

function invalid(message: string, expression: string): LongitudeError {
  return new LongitudeError('LNG_BAD_REQUEST', message, { issues: [{ severity: 'error', code: 'invalid', diagnostics: message, expression: [expression] }] });
}
