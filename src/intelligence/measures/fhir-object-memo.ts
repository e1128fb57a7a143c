/**
 * Memoized element access for cql-exec-fhir's FHIRObject (the view of FHIR JSON the CQL
 * engine reads). FHIRObject.get(field) builds a new wrapper for the element on every call,
 * and each wrapper's constructor walks its type's class hierarchy (ModelInfo.findClass per
 * level, a fresh array of elements per level) to define a getter per element. The measures
 * read the same elements of the same records again and again (every define that filters
 * encounters reads their type, status and period), so on the demo's care gaps wrapping was
 * most of the work: a CPU profile of `signals` for 307 persons showed cql-exec-fhir's
 * FHIRObject constructor, findClass and get at ~6 s of 22 s, plus most of the 5 s of GC.
 *
 * Caching what `get` returned, per record and field, is sound because the wrappers are
 * read-only views of JSON that does not change while a patient is evaluated (patient-data.ts
 * already shares them between measures). Class lookups and element lists are fixed once the
 * model info is loaded, so they are cached on the model info's own objects.
 *
 * The library exports neither class: both are reached through the objects a PatientSource
 * makes, and patched once per process.
 */
import type { PatientSource } from 'cql-exec-fhir';

interface ClassInfoLike {
  readonly elements: unknown[];
}

interface ModelInfoLike {
  findClass(name: string): ClassInfoLike | undefined;
  _classesByName?: Map<string, ClassInfoLike>;
}

type Getter = (this: object, field: string) => unknown;

const patchedPrototypes = new WeakSet<object>();
const patchedModels = new WeakSet<object>();
const cached = new WeakMap<object, Map<string, unknown>>();

/** The FHIR model info a PatientSource parsed (its `_modelInfo`). */
function modelInfoOf(source: PatientSource): ModelInfoLike | undefined {
  return (source as unknown as { _modelInfo?: ModelInfoLike })._modelInfo;
}

/** Class lookups by name and every class's element list, computed once per model. */
export function memoizeModelInfo(source: PatientSource): void {
  const model = modelInfoOf(source);
  if (!model || patchedModels.has(model)) return;
  patchedModels.add(model);
  const findClass = model.findClass.bind(model);
  const classes = new Map<string, ClassInfoLike | undefined>();
  Object.defineProperty(model, 'findClass', {
    enumerable: false,
    value(name: string): ClassInfoLike | undefined {
      if (!classes.has(name)) classes.set(name, findClass(name));
      return classes.get(name);
    },
  });
  for (const classInfo of model._classesByName?.values() ?? []) {
    // An own property shadows the prototype's getter, which builds a new array on each read.
    Object.defineProperty(classInfo, 'elements', { enumerable: false, value: classInfo.elements });
  }
}

/**
 * Makes FHIRObject.get remember its answers, given any FHIRObject (a Patient from
 * `currentPatient()` is a subclass instance; the method lives on the base prototype).
 */
export function memoizeElementAccess(record: object): void {
  let prototype: object | null = Object.getPrototypeOf(record);
  while (prototype && !Object.prototype.hasOwnProperty.call(prototype, 'get')) prototype = Object.getPrototypeOf(prototype);
  if (!prototype || patchedPrototypes.has(prototype)) return;
  patchedPrototypes.add(prototype);
  const get = (prototype as { get: Getter }).get;
  Object.defineProperty(prototype, 'get', {
    configurable: true,
    writable: true,
    value(this: object, field: string): unknown {
      let fields = cached.get(this);
      if (!fields) cached.set(this, (fields = new Map()));
      if (fields.has(field)) return fields.get(field);
      const value = get.call(this, field);
      fields.set(field, value);
      return value;
    },
  });
}
