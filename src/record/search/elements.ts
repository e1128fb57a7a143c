/**
 * `_elements` (http://hl7.org/fhir/R4/search.html#elements): return only the named top-level
 * elements, plus what a resource cannot do without (resourceType, id, meta and every element
 * its StructureDefinition makes mandatory), and mark the result SUBSETTED so nobody stores
 * it as the whole resource.
 */
import { tryGetDataType } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';

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
