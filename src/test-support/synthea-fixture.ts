/**
 * Test data: one Synthea patient's transaction Bundle (/work/shared/data/fhir/synthea-r4,
 * synthetic, Apache-2.0) as plain resources ready for `store.update`. Entries keep their
 * `urn:uuid:` ids as resource ids, and references to them become `Type/id`, so the set loads
 * without Bundle processing. Read from the shared folder, never copied into the project.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Resource } from '@medplum/fhirtypes';

/** ../shared/data/fhir/synthea-r4 beside the project (see its SOURCE.md). */
export const syntheaDir = new URL('../../../shared/data/fhir/synthea-r4/', import.meta.url).pathname;

export function syntheaFiles(): string[] {
  try {
    return readdirSync(syntheaDir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
}

/** The resources of one Synthea bundle with ids assigned and urn:uuid references rewritten. */
export function loadSyntheaResources(file: string): Resource[] {
  const bundle = JSON.parse(readFileSync(join(syntheaDir, file), 'utf8')) as Bundle;
  const idsByUrn = new Map<string, string>();
  for (const entry of bundle.entry ?? []) {
    if (entry.fullUrl?.startsWith('urn:uuid:') && entry.resource) {
      idsByUrn.set(entry.fullUrl, `${entry.resource.resourceType}/${entry.fullUrl.slice('urn:uuid:'.length)}`);
    }
  }
  const text = JSON.stringify((bundle.entry ?? []).map((e) => ({ ...e.resource, id: idsByUrn.get(e.fullUrl ?? '')?.split('/')[1] })));
  const rewritten = text.replace(/"urn:uuid:([0-9a-f-]{36})"/g, (whole, uuid: string) => {
    const target = idsByUrn.get(`urn:uuid:${uuid}`);
    return target ? JSON.stringify(target) : whole;
  });
  return (JSON.parse(rewritten) as Resource[]).filter((r) => r.id);
}
