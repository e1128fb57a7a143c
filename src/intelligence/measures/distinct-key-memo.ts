/**
 * Remembered distinct-keys for FHIR records in cql-execution. A CQL query returns distinct
 * rows unless it says `all` (CQL 1.5, "Query: return clause"), and cql-execution makes each
 * row's key by walking the whole value into immutable.js Maps (`toNormalizedKey`). For a
 * query returning records (`[Encounter: ...] E where ...`) that is a deep copy of every
 * resource, every time a define runs: in a CPU profile of the care-gap workers on 300 people,
 * `toDistinctList` was 1.8 s of 5.0 s of evaluation.
 *
 * A record's key is the same every time: the wrappers (cql-exec-fhir FHIRObject) are
 * read-only views of JSON that does not change while a patient is evaluated, and are shared
 * between defines and measures (fhir-object-memo.ts, patient-data.ts). So a record's key is
 * computed once and kept beside it; values of other kinds (tuples, intervals, lists, made
 * fresh by each query) are keyed as before.
 *
 * The library's own calls, recursive ones included, read `toNormalizedKey` off the module's
 * exports object, so replacing it there reaches all of them; patched once per process.
 */
import { createRequire } from 'node:module';

interface ImmutableUtil {
  toNormalizedKey(js: unknown): unknown;
}

const require = createRequire(import.meta.url);
let patched = false;

export function memoizeRecordKeys(): void {
  if (patched) return;
  patched = true;
  const util = require('cql-execution/lib/util/immutableUtil') as ImmutableUtil;
  const toNormalizedKey = util.toNormalizedKey;
  const keys = new WeakMap<object, unknown>();
  util.toNormalizedKey = (js: unknown): unknown => {
    if (!isRecord(js)) return toNormalizedKey(js);
    if (!keys.has(js)) keys.set(js, toNormalizedKey(js));
    return keys.get(js);
  };
}

/** A FHIR model object: cql-execution keys these by their type hierarchy. */
function isRecord(js: unknown): js is object {
  return typeof js === 'object' && js !== null && typeof (js as { _typeHierarchy?: unknown })._typeHierarchy === 'function';
}
