/**
 * JSON Patch (RFC 6902) applied to a resource, for the FHIR patch interaction
 * (http://hl7.org/fhir/R4/http.html#patch). Paths are JSON Pointers (RFC 6901). The document
 * is never changed in place: a failing operation leaves the original untouched.
 */
import { canonicalJson } from '../platform/canonical-json.ts';
import { LongitudeError } from '../platform/errors.ts';

export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

type Container = Record<string, unknown> | unknown[];

export function applyJsonPatch<T>(document: T, operations: unknown): T {
  if (!Array.isArray(operations)) throw patchError('the body must be a JSON Patch array of operations', 'body');
  let doc = structuredClone(document) as unknown;
  operations.forEach((operation: unknown, index: number) => {
    doc = applyOne(doc, readOperation(operation, index), index);
  });
  return doc as T;
}

function readOperation(operation: unknown, index: number): PatchOperation {
  const o = operation as Partial<PatchOperation> | null;
  const ops = ['add', 'remove', 'replace', 'move', 'copy', 'test'];
  if (!o || typeof o !== 'object' || typeof o.op !== 'string' || !ops.includes(o.op)) {
    throw patchError(`operation ${index}: op must be one of ${ops.join(', ')}`, `[${index}].op`);
  }
  if (typeof o.path !== 'string') throw patchError(`operation ${index}: path must be a JSON Pointer`, `[${index}].path`);
  if ((o.op === 'move' || o.op === 'copy') && typeof o.from !== 'string') throw patchError(`operation ${index}: ${o.op} needs from`, `[${index}].from`);
  if ((o.op === 'add' || o.op === 'replace' || o.op === 'test') && !('value' in o)) throw patchError(`operation ${index}: ${o.op} needs value`, `[${index}].value`);
  return o as PatchOperation;
}

function applyOne(doc: unknown, op: PatchOperation, index: number): unknown {
  switch (op.op) {
    case 'add':
      return add(doc, parsePointer(op.path, index), structuredClone(op.value), index);
    case 'remove':
      return remove(doc, parsePointer(op.path, index), index).doc;
    case 'replace':
      return add(remove(doc, parsePointer(op.path, index), index).doc, parsePointer(op.path, index), structuredClone(op.value), index);
    case 'move': {
      const from = parsePointer(op.from!, index);
      const path = parsePointer(op.path, index);
      if (path.length > from.length && from.every((t, i) => t === path[i])) throw patchError(`operation ${index}: cannot move a value into itself`, `[${index}].path`);
      const removed = remove(doc, from, index);
      return add(removed.doc, path, removed.value, index);
    }
    case 'copy':
      return add(doc, parsePointer(op.path, index), structuredClone(get(doc, parsePointer(op.from!, index), index)), index);
    case 'test':
      if (canonicalJson(get(doc, parsePointer(op.path, index), index)) !== canonicalJson(op.value)) {
        throw new LongitudeError('LNG_UNPROCESSABLE', `operation ${index}: test failed at ${op.path}`);
      }
      return doc;
  }
}

/** RFC 6901: "" is the whole document; "/a/0/b~1c" → ["a", "0", "b/c"]. */
function parsePointer(pointer: string, index: number): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw patchError(`operation ${index}: ${pointer} is not a JSON Pointer`, `[${index}].path`);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(doc: unknown, tokens: string[], index: number): unknown {
  let current = doc;
  for (const token of tokens) {
    current = child(current, token, index, false);
  }
  return current;
}

function child(container: unknown, token: string, index: number, forAdd: boolean): unknown {
  if (Array.isArray(container)) {
    const i = arrayIndex(container, token, index, forAdd);
    return container[i];
  }
  if (container !== null && typeof container === 'object' && Object.hasOwn(container, token)) return (container as Record<string, unknown>)[token];
  throw new LongitudeError('LNG_UNPROCESSABLE', `operation ${index}: nothing at /${token}`);
}

function arrayIndex(array: unknown[], token: string, index: number, forAdd: boolean): number {
  if (forAdd && token === '-') return array.length;
  if (!/^(0|[1-9]\d*)$/.test(token) || Number(token) > array.length || (!forAdd && Number(token) === array.length)) {
    throw new LongitudeError('LNG_UNPROCESSABLE', `operation ${index}: ${token} is not an index of an array of ${array.length}`);
  }
  return Number(token);
}

function add(doc: unknown, tokens: string[], value: unknown, index: number): unknown {
  if (tokens.length === 0) return value;
  const parent = get(doc, tokens.slice(0, -1), index) as Container;
  const last = tokens.at(-1)!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, index, true), 0, value);
  else if (parent !== null && typeof parent === 'object') parent[last] = value;
  else throw new LongitudeError('LNG_UNPROCESSABLE', `operation ${index}: cannot add below a ${typeof parent}`);
  return doc;
}

function remove(doc: unknown, tokens: string[], index: number): { doc: unknown; value: unknown } {
  if (tokens.length === 0) throw patchError(`operation ${index}: cannot remove the whole resource`, `[${index}].path`);
  const parent = get(doc, tokens.slice(0, -1), index) as Container;
  const last = tokens.at(-1)!;
  const value = child(parent, last, index, false);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as Record<string, unknown>)[last];
  return { doc, value };
}

function patchError(message: string, where: string): LongitudeError {
  return new LongitudeError('LNG_BAD_REQUEST', message, { issues: [{ severity: 'error', code: 'invalid', diagnostics: message, expression: [where] }] });
}
