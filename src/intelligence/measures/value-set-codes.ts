/**
 * Terminology for the CQL engine: a cql-execution CodeService built from the ValueSet
 * expansions shipped with the measure content (VSAC expansions in each measure's bundle).
 * The ELM names a value set by canonical URL without a version
 * (`valueset "Diabetes": 'http://cts.nlm.nih.gov/fhir/ValueSet/2.16.840.1.113883.3.464.1003.103.12.1001'`);
 * CodeService then picks the one version we hold.
 */
import type { ValueSet } from '@medplum/fhirtypes';
import { CodeService, type ValueSetDictionary } from 'cql-execution';
import { LongitudeError } from '../../platform/errors.ts';

/** Codes of each value set, keyed `url → version → codes` (cql-execution's dictionary shape). */
export function valueSetDictionary(valueSets: readonly ValueSet[]): ValueSetDictionary {
  const dictionary: ValueSetDictionary = {};
  for (const valueSet of valueSets) {
    if (!valueSet.url) throw new LongitudeError('LNG_MEASURE_CONTENT_INVALID', `ValueSet/${valueSet.id ?? '?'} has no url`);
    if (!valueSet.expansion) {
      // Evaluating against a compose would need a terminology server; refuse rather than
      // silently treat the value set as empty (every "in" would be false).
      throw new LongitudeError('LNG_MEASURE_CONTENT_INVALID', `ValueSet ${valueSet.url} has no expansion`);
    }
    const codes = flattenContains(valueSet.expansion.contains ?? []);
    const versions = (dictionary[valueSet.url] ??= {});
    versions[valueSet.version ?? ''] = codes;
  }
  return dictionary;
}

type Contains = NonNullable<NonNullable<ValueSet['expansion']>['contains']>;

/** expansion.contains nests (R4 ValueSet.expansion.contains.contains); abstract entries are not codes. */
function flattenContains(contains: Contains): { code: string; system: string; version?: string }[] {
  const codes: { code: string; system: string; version?: string }[] = [];
  for (const entry of contains) {
    if (entry.code && entry.system && entry.abstract !== true) {
      codes.push({ code: entry.code, system: entry.system, ...(entry.version ? { version: entry.version } : {}) });
    }
    if (entry.contains) codes.push(...flattenContains(entry.contains));
  }
  return codes;
}

/** A CodeService over the expansions. */
export function createCodeService(valueSets: readonly ValueSet[]): CodeService {
  return new CodeService(valueSetDictionary(valueSets));
}
