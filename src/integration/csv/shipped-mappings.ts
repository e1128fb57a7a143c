/**
 * The mapping files shipped for the silo simulator's extracts (docs/simulator.md): payer
 * enrollment and claims, CRM contacts. Listed in import order: enrollment before claims, so a
 * member's Patient is written with its demographics before the claims that only ensure it.
 */
import { readFileSync } from 'node:fs';
import { LongitudeError } from '../../platform/errors.ts';
import { parseCsvMapping, type CsvMapping } from './mapping-file.ts';

export const shippedMappingFiles = ['payer-enrollment.json', 'payer-claims.json', 'crm-contacts.json'] as const;

/** Reads and validates a mapping file (LNG_CONFIG_INVALID when it is wrong). */
export function loadMappingFile(path: string | URL): CsvMapping {
  const text = readFileSync(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new LongitudeError('LNG_CONFIG_INVALID', `${String(path)}: not JSON: ${(err as Error).message}`, { cause: err });
  }
  return parseCsvMapping(json, String(path));
}

let shipped: CsvMapping[] | undefined;

export function shippedMappings(): readonly CsvMapping[] {
  shipped ??= shippedMappingFiles.map((file) => loadMappingFile(new URL(`./mappings/${file}`, import.meta.url)));
  return shipped;
}
