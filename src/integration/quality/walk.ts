/**
 * Visits every object inside a resource with its FHIRPath-like location
 * (`Observation.code.coding[0]`), so a rule about Codings or Identifiers applies wherever they
 * occur (contained resources and extensions included) without a list of paths per type.
 */

export type Visit = (node: Record<string, unknown>, location: string, key: string) => void;

export function walkResource(resource: { resourceType: string }, visit: Visit): void {
  walk(resource as unknown as Record<string, unknown>, resource.resourceType, resource.resourceType, visit, 0);
}

function walk(node: Record<string, unknown>, location: string, key: string, visit: Visit, depth: number): void {
  // Resources nest (contained, Bundle entries), but never this deep; a cycle cannot come from JSON.
  if (depth > 64) return;
  visit(node, location, key);
  for (const [k, value] of Object.entries(node)) {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (item !== null && typeof item === 'object') walk(item as Record<string, unknown>, `${location}.${k}[${i}]`, k, visit, depth + 1);
      });
    } else if (value !== null && typeof value === 'object') {
      walk(value as Record<string, unknown>, `${location}.${k}`, k, visit, depth + 1);
    }
  }
}
