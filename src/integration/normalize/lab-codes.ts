/**
 * Local laboratory codes → LOINC through the sending source's table. A concept that already
 * carries a LOINC coding is left alone (the sender said what it meant, e.g. the hospital's
 * OBX-3 with LOINC as the alternate identifier); otherwise the first coding in one of the
 * table's local code systems (or without a system) whose code the table knows gets a LOINC
 * coding beside it. Codes match exactly, then case-insensitively (`Glu`, `glu`), since lab
 * dictionaries are upper case but interfaces are not always.
 */
import type { CodeableConcept } from '@medplum/fhirtypes';
import { LOINC, addedCoding, appendCoding, hasSystem, type NormalizationChange } from './codings.ts';
import type { LabCodeTable } from './tables.ts';

export interface LabCodeMatch {
  loinc: string;
  display: string;
  /** `lab-codes/hospital.json#GLU`: the table entry that decided it. */
  rule: string;
}

/** The LOINC a table gives a concept's local code, if any. */
export function lookupLabCode(concept: CodeableConcept | undefined, table: LabCodeTable): LabCodeMatch | undefined {
  for (const coding of concept?.coding ?? []) {
    if (!coding.code || (coding.system && !table.systems.includes(coding.system))) continue;
    const key = coding.code in table.codes ? coding.code : Object.keys(table.codes).find((k) => k.toUpperCase() === coding.code!.trim().toUpperCase());
    const entry = key === undefined ? undefined : table.codes[key];
    if (entry) return { loinc: entry.loinc, display: entry.display, rule: `${table.file}#${key}` };
  }
  return undefined;
}

/**
 * Adds the LOINC coding to `concept` (in place) when its table knows the local code.
 * @param path - where the concept is, for the change record (`Observation.code`)
 */
export function normalizeLabCode(concept: CodeableConcept | undefined, table: LabCodeTable | undefined, path: string): NormalizationChange[] {
  if (!concept || !table || hasSystem(concept, LOINC)) return [];
  const match = lookupLabCode(concept, table);
  if (!match) return [];
  return [appendCoding(concept, addedCoding(LOINC, match.loinc, match.display, match.rule), path)];
}
