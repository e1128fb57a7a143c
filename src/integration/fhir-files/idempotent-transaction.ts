/**
 * A FHIR file's content (a Bundle, or one resource of an NDJSON file) → transaction entries
 * that can be applied any number of times with the same result, so a re-imported or
 * reprocessed file never duplicates what it wrote:
 * - `PUT Type/id`, conditional PUTs, DELETE, GET and `POST` with `ifNoneExist` are kept as sent;
 * - a plain `POST` of a resource with a business identifier becomes a conditional create on it
 *   (http://hl7.org/fhir/R4/http.html#ccreate). This is also what de-duplicates the
 *   Organizations and Practitioners Synthea repeats in every patient's Bundle (SOURCE.md of
 *   the Synthea sample);
 * - a plain `POST` of a resource without one becomes `PUT Type/<stable id>`: the id of its
 *   `urn:uuid:` fullUrl (Synthea's are UUIDs, valid FHIR ids), else its own id, else a
 *   name-based UUID of the file and entry position;
 * - a resource without a request (a `collection` Bundle, an NDJSON line) is written the same
 *   way: `PUT Type/id` when it has an id, else as a POST above.
 *
 * A `batch` Bundle is applied as a transaction: the message is then processed or errored as a
 * whole, naming the failing entry, instead of half-applied with per-entry outcomes nobody reads.
 */
import type { Bundle, BundleEntry, Identifier, Resource } from '@medplum/fhirtypes';
import { stableUuid } from '../hl7v2-fhir/bundle-builder.ts';
import { identifierCriteria } from '../hl7v2-fhir/identifiers.ts';
import { HandlerError } from '../message-store/message-processor.ts';

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const BUNDLE_TYPES_WITH_REQUESTS = new Set(['transaction', 'batch']);
const BUNDLE_TYPES_OF_RESOURCES = new Set(['collection', 'searchset', 'transaction-response', 'batch-response', 'history', 'document', 'message']);

/**
 * @param content - parsed JSON of the file or line
 * @param origin - what names this content for good (file path, `file#line`): seeds stable ids
 * @throws HandlerError (stage `validate`) when it is not a Bundle or a resource
 */
export function toIdempotentEntries(content: unknown, origin: string): BundleEntry[] {
  if (content === null || typeof content !== 'object' || typeof (content as Resource).resourceType !== 'string') {
    throw new HandlerError({ stage: 'validate', code: 'not-fhir', message: 'the content is not a FHIR resource (no resourceType)', element: 'resourceType' });
  }
  const resource = content as Resource;
  if (resource.resourceType !== 'Bundle') return [asWrite({ resource }, 0, origin, new Set())];
  const bundle = resource as Bundle;
  const entries = bundle.entry ?? [];
  if (!Array.isArray(entries)) throw new HandlerError({ stage: 'validate', code: 'invalid-bundle', message: 'Bundle.entry is not an array', element: 'Bundle.entry' });
  const type = String(bundle.type);
  if (!BUNDLE_TYPES_WITH_REQUESTS.has(type) && !BUNDLE_TYPES_OF_RESOURCES.has(type)) {
    throw new HandlerError({ stage: 'validate', code: 'invalid-bundle', message: `Bundle.type ${type} is not one that can be imported`, element: 'Bundle.type' });
  }
  const criteriaSeen = new Set<string>();
  return entries.map((entry, index) => {
    if (BUNDLE_TYPES_WITH_REQUESTS.has(type) && entry.request) return rewritePost(entry, index, origin, criteriaSeen);
    if (!entry.resource) throw new HandlerError({ stage: 'validate', code: 'invalid-bundle', message: `entry ${index} has neither request nor resource`, element: `Bundle.entry[${index}]` });
    return asWrite(entry, index, origin, criteriaSeen);
  });
}

function rewritePost(entry: BundleEntry, index: number, origin: string, criteriaSeen: Set<string>): BundleEntry {
  if (entry.request?.method !== 'POST' || entry.request.ifNoneExist || !entry.resource) return entry;
  // POST Type?criteria is not a create; leave anything but a plain create alone.
  if (entry.request.url !== entry.resource.resourceType) return entry;
  return createOnce(entry, index, origin, criteriaSeen);
}

/** A resource without a request: its own id when it has one, else created once. */
function asWrite(entry: BundleEntry, index: number, origin: string, criteriaSeen: Set<string>): BundleEntry {
  const resource = entry.resource!;
  if (resource.id && FHIR_ID.test(resource.id)) {
    return { fullUrl: entry.fullUrl ?? `${resource.resourceType}/${resource.id}`, resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } };
  }
  return createOnce({ ...entry, request: { method: 'POST', url: resource.resourceType } }, index, origin, criteriaSeen);
}

function createOnce(entry: BundleEntry, index: number, origin: string, criteriaSeen: Set<string>): BundleEntry {
  const resource = entry.resource!;
  const key = businessIdentifier(resource);
  const fullUrl = entry.fullUrl ?? `urn:uuid:${stableUuid(`${origin}#${index}`)}`;
  if (key) {
    const criteria = identifierCriteria(key);
    // Two entries of one transaction with the same condition would both "not exist" and both
    // be created; the second is written under its own stable id instead.
    if (!criteriaSeen.has(`${resource.resourceType}?${criteria}`)) {
      criteriaSeen.add(`${resource.resourceType}?${criteria}`);
      return { ...entry, fullUrl, request: { method: 'POST', url: resource.resourceType, ifNoneExist: criteria } };
    }
  }
  const id = stableId(entry, origin, index);
  return { ...entry, fullUrl, resource: { ...resource, id }, request: { method: 'PUT', url: `${resource.resourceType}/${id}` } };
}

/** The first identifier with both system and value: one a source issues, so it names the thing for good. */
function businessIdentifier(resource: Resource): Identifier | undefined {
  const identifiers = (resource as { identifier?: Identifier[] | Identifier }).identifier;
  const list = Array.isArray(identifiers) ? identifiers : identifiers ? [identifiers] : [];
  return list.find((i) => i.system && i.value);
}

function stableId(entry: BundleEntry, origin: string, index: number): string {
  const uuid = /^urn:uuid:([0-9a-fA-F-]{36})$/.exec(entry.fullUrl ?? '')?.[1];
  if (uuid) return uuid.toLowerCase();
  if (entry.resource?.id && FHIR_ID.test(entry.resource.id)) return entry.resource.id;
  return stableUuid(`${origin}#${index}`);
}
