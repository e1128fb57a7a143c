/**
 * FHIR batch and transaction Bundles (http://hl7.org/fhir/R4/http.html#transaction).
 *
 * A transaction is all or nothing: every entry runs in one database transaction, in the order
 * the spec prescribes (DELETE, then POST, then PUT, then GET; http.html#trules), and
 * `urn:uuid:` (or any fullUrl) references between entries are rewritten to the ids the
 * server assigns before anything is written. A batch runs each entry on its own; one entry's
 * failure becomes that entry's OperationOutcome and the others proceed.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { LongitudeError, type Issue } from '../platform/errors.ts';
import type { AccessContext } from '../trust/access-context.ts';
import { parseEntryRequest, type EntryRequest } from './bundle-request.ts';
import type { ResourceStore, StoreTransaction } from './resource-store.ts';
import type { PreparedMatch } from './store-transaction.ts';

export interface BundleOptions {
  /** Absolute base of the FHIR endpoint, used to recognise absolute fullUrls and references. */
  baseUrl: string;
  /** Prefer: return=minimal leaves the resources out of the response entries. */
  returnMinimal?: boolean;
  /** Existing resources that already say what a new entry says (see SameAsFinder). */
  sameAs?: SameAsFinder;
}

/**
 * Given the entries about to create a resource, with their references resolved: entry index →
 * the id of a resource in the record that already says the same (the integration layer's
 * same-fact rule). Such an entry writes nothing, like a conditional create whose ifNoneExist
 * matched, and every reference to it (the message's Provenance among them) points there.
 */
export type SameAsFinder = (tx: StoreTransaction, fresh: readonly { index: number; resource: Resource }[]) => Promise<Map<number, string>>;

interface Planned {
  index: number;
  entry: BundleEntry;
  request: EntryRequest;
}

/** Processing order of a transaction (http.html#trules): DELETE, POST, PUT/PATCH, GET/HEAD. */
const methodOrder: Record<EntryRequest['method'], number> = { DELETE: 0, POST: 1, PUT: 2, GET: 3 };

export async function processBundle(store: ResourceStore, ctx: AccessContext, bundle: unknown, options: BundleOptions): Promise<Bundle> {
  const { type, entries } = readBundle(bundle);
  const planned = entries.map((entry, index) => ({ index, entry, request: parseEntryRequest(entry, index) }));
  return type === 'transaction' ? runTransaction(store, ctx, planned, options) : runBatch(store, ctx, planned, options);
}

function readBundle(bundle: unknown): { type: 'batch' | 'transaction'; entries: BundleEntry[] } {
  const b = bundle as Bundle | undefined;
  if (!b || typeof b !== 'object' || b.resourceType !== 'Bundle') {
    throw new LongitudeError('LNG_BAD_REQUEST', 'POST to the base URL takes a Bundle of type batch or transaction');
  }
  if (b.type !== 'batch' && b.type !== 'transaction') {
    throw errorAtPath('LNG_BAD_REQUEST', `Bundle.type must be batch or transaction, not ${String(b.type)}`, 'Bundle.type');
  }
  if (b.entry !== undefined && !Array.isArray(b.entry)) throw errorAtPath('LNG_BAD_REQUEST', 'Bundle.entry must be an array', 'Bundle.entry');
  return { type: b.type, entries: b.entry ?? [] };
}

function runTransaction(store: ResourceStore, ctx: AccessContext, planned: Planned[], options: BundleOptions): Promise<Bundle> {
  return store.transaction(ctx, (tx) => runPlannedTransaction(tx, planned, options));
}

/**
 * Applies a transaction Bundle inside a unit of work the caller holds, so that other writes
 * (a message marked processed by what it produced) commit or roll back with it.
 */
export function applyTransactionBundle(tx: StoreTransaction, bundle: Bundle, options: BundleOptions): Promise<Bundle> {
  const { type, entries } = readBundle(bundle);
  if (type !== 'transaction') throw errorAtPath('LNG_BAD_REQUEST', 'Bundle.type must be transaction', 'Bundle.type');
  return runPlannedTransaction(tx, entries.map((entry, index) => ({ index, entry, request: parseEntryRequest(entry, index) })), options);
}

/**
 * The search criteria of a transaction Bundle's conditional entries (ifNoneExist, conditional
 * PUT and DELETE), for looking them up ahead (StoreTransaction.prefetchMatches); entries that
 * do not parse are left for the transaction to refuse.
 */
export function conditionalCriteria(bundle: Bundle): { resourceType: string; criteria: string }[] {
  return (bundle.entry ?? []).flatMap((entry, index) => {
    try {
      const request = parseEntryRequest(entry, index);
      return request.criteria === undefined ? [] : [{ resourceType: request.resourceType, criteria: request.criteria }];
    } catch {
      return [];
    }
  });
}

async function runPlannedTransaction(tx: StoreTransaction, planned: Planned[], options: BundleOptions): Promise<Bundle> {
  const ordered = [...planned].sort((a, b) => methodOrder[a.request.method] - methodOrder[b.request.method] || a.index - b.index);
  // Conditions are evaluated before anything is written, so every entry sees the record as
  // it was when the transaction began, and references can be rewritten to the ids decided.
  const targets = await resolveTargets(tx, planned);
  let ids = referenceMap(planned, targets, options.baseUrl);
  if (options.sameAs) {
    const same = await options.sameAs(tx, freshEntries(planned, targets, ids));
    for (const [index, id] of same) targets.set(index, { action: 'exists', id });
    if (same.size > 0) ids = referenceMap(planned, targets, options.baseUrl);
  }
  const responses = new Map<number, BundleEntry>();
  for (const item of ordered) {
    const resource = item.entry.resource ? rewriteReferences(item.entry.resource, ids, item.index) : undefined;
    responses.set(item.index, await runEntry(tx, item, targets.get(item.index)!, resource, options).catch((err: unknown) => Promise.reject(atEntry(err, item.index))));
  }
  return { resourceType: 'Bundle', type: 'transaction-response', entry: planned.map((p) => responses.get(p.index)!) };
}

async function runBatch(store: ResourceStore, ctx: AccessContext, planned: Planned[], options: BundleOptions): Promise<Bundle> {
  const entry: BundleEntry[] = [];
  for (const item of planned) {
    try {
      entry.push(await store.transaction(ctx, async (tx) => runEntry(tx, item, (await resolveTargets(tx, [item])).get(item.index)!, item.entry.resource, options)));
    } catch (err) {
      entry.push(errorEntry(atEntry(err, item.index)));
    }
  }
  return { resourceType: 'Bundle', type: 'batch-response', entry };
}

/**
 * What an entry will act on, decided before anything is written: the id a POST will create
 * (or the existing resource its ifNoneExist matched), the resource a conditional PUT or DELETE
 * matched (http://hl7.org/fhir/R4/http.html#cond-update): none, one, or several (refused, 412).
 */
type Target =
  | { action: 'create'; id: string }
  | { action: 'exists'; id: string }
  /**
   * `fresh`: a conditional update whose criteria matched nothing, so it creates; `minted`: with
   * an id made here, so no current row can exist to lock.
   */
  | { action: 'update'; id: string; fresh?: true; minted?: true }
  | { action: 'delete'; id: string }
  | { action: 'nothing' }
  | { action: 'read'; id: string };

/**
 * The targets of every entry: all conditional criteria run in one statement, then the current
 * rows of the resources to update or delete are locked in one more (instead of a search and a
 * read per entry: on the embedded database a statement's fixed cost is most of a small one's).
 */
async function resolveTargets(tx: StoreTransaction, planned: readonly Planned[]): Promise<Map<number, Target>> {
  const conditional = planned.filter((item) => item.request.criteria !== undefined);
  const prepared: PreparedMatch[] = [];
  for (const item of conditional) {
    prepared.push(
      await tx
        .prepareMatch(item.request.resourceType, item.request.criteria!)
        .catch((err: unknown) => Promise.reject(atEntry(pointAt(err, criteriaPath(item)), item.index))),
    );
  }
  const found = await tx.matchAll(prepared);
  const matches = new Map(conditional.map((item, i) => [item.index, found[i]!]));
  const targets = new Map<number, Target>();
  for (const item of planned) {
    try {
      targets.set(item.index, targetOf(item, matches.get(item.index)));
    } catch (err) {
      throw atEntry(err, item.index);
    }
  }
  const locked: { resourceType: string; id: string }[] = [];
  const minted: { resourceType: string; id: string }[] = [];
  for (const item of planned) {
    const target = targets.get(item.index)!;
    if (target.action !== 'update' && target.action !== 'delete') continue;
    // A conditional update that matched nothing writes an id minted above: reading its row to
    // lock it was one statement per message (of about 17) that could only find nothing.
    (target.action === 'update' && target.minted ? minted : locked).push({ resourceType: item.request.resourceType, id: target.id });
  }
  tx.noteMinted(minted);
  await tx.lockCurrent(locked);
  return targets;
}

function criteriaPath(item: Planned): string {
  return `Bundle.entry[${item.index}].request.${item.request.method === 'POST' ? 'ifNoneExist' : 'url'}`;
}

/** What one entry acts on, given the ids its criteria matched (none when it has no criteria). */
function targetOf(item: Planned, matches: string[] | undefined): Target {
  const { request, entry } = item;
  if (matches && matches.length > 1) {
    throw new LongitudeError('LNG_MULTIPLE_MATCHES', `${request.resourceType}?${request.criteria} matches more than one resource`);
  }
  const matched = matches?.[0];
  switch (request.method) {
    case 'POST':
      return matched ? { action: 'exists', id: matched } : { action: 'create', id: randomUUID() };
    case 'PUT': {
      const given = entry.resource?.id;
      if (matched && given && given !== matched) {
        throw errorAtPath('LNG_BAD_REQUEST', `the resource id ${given} is not the id its criteria matched (${matched})`, `Bundle.entry[${item.index}].resource.id`);
      }
      const fresh = request.criteria !== undefined && !matched;
      const id = request.id ?? matched ?? given;
      return id !== undefined ? { action: 'update', id, ...(fresh ? { fresh: true as const } : {}) } : { action: 'update', id: randomUUID(), fresh: true, minted: true };
    }
    case 'DELETE':
      return request.id ?? matched ? { action: 'delete', id: (request.id ?? matched)! } : { action: 'nothing' };
    case 'GET':
      return { action: 'read', id: request.id! };
  }
}

/** The entries that will create a resource, with their references as they will be written. */
function freshEntries(planned: readonly Planned[], targets: Map<number, Target>, ids: Map<string, string>): { index: number; resource: Resource }[] {
  return planned.flatMap((item) => {
    const target = targets.get(item.index)!;
    const creates = target.action === 'create' || (target.action === 'update' && target.fresh === true);
    if (!creates || !item.entry.resource) return [];
    try {
      return [{ index: item.index, resource: rewriteReferences(item.entry.resource, ids, item.index) }];
    } catch {
      return []; // a reference naming no entry: refused when the entry runs
    }
  });
}

/** fullUrl (absolute or relative to the base) → the `Type/id` it became. */
function referenceMap(planned: Planned[], targets: Map<number, Target>, baseUrl: string): Map<string, string> {
  const ids = new Map<string, string>();
  for (const { entry, request, index } of planned) {
    const target = targets.get(index)!;
    if (!entry.fullUrl || !('id' in target) || target.action === 'delete' || target.action === 'read') continue;
    if (ids.has(entry.fullUrl)) {
      throw errorAtPath('LNG_BAD_REQUEST', `entry ${index}: fullUrl ${entry.fullUrl} appears more than once`, `Bundle.entry[${index}].fullUrl`);
    }
    const reference = `${request.resourceType}/${target.id}`;
    ids.set(entry.fullUrl, reference);
    if (entry.fullUrl.startsWith(`${baseUrl}/`)) ids.set(entry.fullUrl.slice(baseUrl.length + 1), reference);
  }
  return ids;
}

/** Rewrites every Reference.reference that names another entry; refuses a urn:uuid that names none. */
function rewriteReferences<T extends Resource>(resource: T, ids: Map<string, string>, index: number): T {
  const walk = (value: unknown, path: string): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`));
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'reference' && typeof v === 'string') out[key] = resolveReference(v, ids, `${path}.reference`, index);
      else out[key] = walk(v, `${path}.${key}`);
    }
    return out;
  };
  return walk(resource, resource.resourceType) as T;
}

function resolveReference(reference: string, ids: Map<string, string>, path: string, index: number): string {
  const target = ids.get(reference);
  if (target) return target;
  if (reference.startsWith('urn:uuid:') || reference.startsWith('urn:oid:')) {
    throw errorAtPath('LNG_BAD_REQUEST', `entry ${index}: ${reference} names no entry of this transaction`, `Bundle.entry[${index}].resource.${path.split('.').slice(1).join('.')}`);
  }
  return reference;
}

async function runEntry(
  tx: StoreTransaction,
  item: Planned,
  target: Target,
  resource: Resource | undefined,
  options: BundleOptions,
): Promise<BundleEntry> {
  const { request } = item;
  switch (target.action) {
    case 'create': {
      const body = requireResource(resource, request.resourceType, item.index);
      const { resource: created } = await tx.create(body, { id: target.id });
      return writtenEntry(created, '201 Created', options);
    }
    case 'exists': {
      // ifNoneExist matched: nothing is created; the answer is the resource that exists.
      const existing = await tx.read(request.resourceType, target.id);
      return writtenEntry(existing, '200 OK', options);
    }
    case 'update': {
      const body = requireResource(resource, request.resourceType, item.index);
      if (request.id && body.id !== request.id) {
        throw errorAtPath('LNG_BAD_REQUEST', `the resource id (${body.id ?? 'none'}) must equal the id in request.url (${request.id})`, `Bundle.entry[${item.index}].resource.id`);
      }
      const { resource: written, created } = await tx.update({ ...body, id: target.id }, request.ifMatch ? { ifMatch: request.ifMatch } : {});
      return writtenEntry(written, created ? '201 Created' : '200 OK', options);
    }
    case 'delete':
      await tx.delete(request.resourceType, target.id);
      return { response: { status: '204 No Content' } };
    case 'nothing':
      return { response: { status: '204 No Content' } };
    case 'read': {
      const read = await tx.read(request.resourceType, target.id, request.versionId);
      return { resource: read, response: { status: '200 OK', ...versionHeaders(read) } };
    }
  }
}

function requireResource(resource: Resource | undefined, resourceType: string, index: number): Resource {
  if (!resource) throw errorAtPath('LNG_BAD_REQUEST', `entry ${index} has no resource`, `Bundle.entry[${index}].resource`);
  if (resource.resourceType !== resourceType) {
    throw errorAtPath('LNG_BAD_REQUEST', `entry ${index}: the resource is a ${resource.resourceType}, request.url names ${resourceType}`, `Bundle.entry[${index}].resource.resourceType`);
  }
  return resource;
}

function writtenEntry(resource: Resource, status: string, options: BundleOptions): BundleEntry {
  return {
    fullUrl: `${options.baseUrl}/${resource.resourceType}/${resource.id}`,
    ...(options.returnMinimal ? {} : { resource }),
    response: { status, location: `${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId}`, ...versionHeaders(resource) },
  };
}

function versionHeaders(resource: Resource): { etag?: string; lastModified?: string } {
  return {
    ...(resource.meta?.versionId ? { etag: `W/"${resource.meta.versionId}"` } : {}),
    ...(resource.meta?.lastUpdated ? { lastModified: resource.meta.lastUpdated } : {}),
  };
}

function errorEntry(err: unknown): BundleEntry {
  const error = err instanceof LongitudeError ? err : new LongitudeError('LNG_INTERNAL', 'internal error', { cause: err });
  return {
    response: {
      status: String(error.status),
      outcome: { resourceType: 'OperationOutcome', issue: error.issues.map((i) => ({ severity: i.severity, code: i.code, diagnostics: i.diagnostics, ...(i.expression ? { expression: i.expression } : {}) })) },
    },
  };
}

/** A bad search criterion is the fault of the request element that carries it. */
function pointAt(err: unknown, expression: string): unknown {
  if (!(err instanceof LongitudeError)) return err;
  return new LongitudeError(err.code, err.message, { issues: err.issues.map((i) => ({ ...i, expression: [expression] })), cause: err });
}

/** Says which entry failed: the message and every expression point into Bundle.entry[i]. */
function atEntry(err: unknown, index: number): unknown {
  if (!(err instanceof LongitudeError)) return err;
  if (/^entry \d+/.test(err.message)) return err;
  const issues: Issue[] = err.issues.map((i) => ({
    ...i,
    diagnostics: `entry ${index}: ${i.diagnostics}`,
    expression: (i.expression ?? []).map((e) => (e.startsWith('Bundle.') ? e : `Bundle.entry[${index}].resource.${e.split('.').slice(1).join('.') || e}`)),
  }));
  return new LongitudeError(err.code, `entry ${index}: ${err.message}`, { issues, cause: err });
}

function errorAtPath(code: 'LNG_BAD_REQUEST', message: string, expression: string): LongitudeError {
  return new LongitudeError(code, message, { issues: [{ severity: 'error', code: 'invalid', diagnostics: message, expression: [expression] }] });
}
