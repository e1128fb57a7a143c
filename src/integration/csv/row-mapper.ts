/**
 * One validated row → the FHIR resources its mapping declares, each with the conditional
 * write that makes re-importing the row idempotent: `upsert` is a conditional PUT on the
 * resource's key identifier (http://hl7.org/fhir/R4/http.html#cond-update), `ensure` a
 * conditional create (http.html#ccreate). Entries are planned in declaration order, so a
 * template can refer to the resources declared before it.
 *
 * The record evaluates every condition of a transaction before writing, so two entries with
 * the same criteria would both be created: the same key twice in one row (a diagnosis listed
 * twice) is planned once.
 */
import type { BundleEntry, Identifier, Resource } from '@medplum/fhirtypes';
import { stableUuid } from '../hl7v2-fhir/bundle-builder.ts';
import { identifierCriteria } from '../hl7v2-fhir/identifiers.ts';
import type { CsvMapping, ResourceSpec } from './mapping-file.ts';
import type { CellValue, TypedRow } from './row-validation.ts';
import { conditionHolds, evaluateString, evaluateTemplate } from './template.ts';

export interface PlannedResource {
  alias: string;
  resource: Resource;
  /** `identifier=system|value`, URL-encoded. */
  criteria: string;
  mode: 'upsert' | 'ensure';
  /** A name-based UUID of the type and criteria: the same row always maps to the same Bundle. */
  fullUrl: string;
}

/** The resources of one row, in the mapping's order. */
export function mapRow(mapping: CsvMapping, row: TypedRow): PlannedResource[] {
  const planned: PlannedResource[] = [];
  const seen = new Set<string>();
  const refs = new Map<string, string>();
  for (const spec of mapping.resources) {
    if (spec.when && !conditionHolds(spec.when, row)) continue;
    const items: (CellValue | undefined)[] = spec.forEach === undefined ? [undefined] : listItems(row, spec.forEach);
    items.forEach((item, i) => {
      const scope = { mapping, row, refs, ...(item !== undefined ? { item, index: i + 1 } : {}) };
      const keyValue = evaluateString(spec.key.value, scope);
      if (keyValue === undefined) return;
      const key: Identifier = { system: spec.key.system, value: String(keyValue) };
      const criteria = identifierCriteria(key);
      const mapKey = `${spec.resourceType}?${criteria}`;
      if (seen.has(mapKey)) return;
      seen.add(mapKey);
      const resource = buildResource(spec, key, evaluateTemplate(spec.template, scope));
      const fullUrl = `urn:uuid:${stableUuid(`${mapping.name}:${mapKey}`)}`;
      planned.push({ alias: spec.alias, resource, criteria, mode: spec.mode, fullUrl });
      if (spec.forEach === undefined) refs.set(spec.alias, fullUrl);
    });
  }
  return planned;
}

function listItems(row: TypedRow, column: string): CellValue[] {
  const value = row.values[column];
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** The template's elements with the resource type, and the key among its identifiers. */
function buildResource(spec: ResourceSpec, key: Identifier, body: unknown): Resource {
  const elements = (body ?? {}) as Record<string, unknown> & { identifier?: Identifier[] };
  const identifiers = elements.identifier ?? [];
  const carries = identifiers.some((i) => i.system === key.system && i.value === key.value);
  return { resourceType: spec.resourceType, ...elements, identifier: carries ? identifiers : [key, ...identifiers] } as Resource;
}

/** The planned resources as transaction entries. */
export function toEntries(planned: readonly PlannedResource[]): BundleEntry[] {
  return planned.map((p) =>
    p.mode === 'upsert'
      ? { fullUrl: p.fullUrl, resource: p.resource, request: { method: 'PUT', url: `${p.resource.resourceType}?${p.criteria}` } }
      : { fullUrl: p.fullUrl, resource: p.resource, request: { method: 'POST', url: p.resource.resourceType, ifNoneExist: p.criteria } },
  );
}
