/**
 * Administrative sex from FHIR (male/female/other/unknown), HL7 v2 table 0001 (M/F/O/U/A/N) and
 * free text. Unknown and unmapped values are missing, not a disagreement.
 */
export type Sex = 'male' | 'female' | 'other';

const MAP: Readonly<Record<string, Sex>> = {
  m: 'male', male: 'male', man: 'male', boy: 'male',
  f: 'female', female: 'female', woman: 'female', girl: 'female',
  o: 'other', other: 'other', x: 'other', a: 'other', n: 'other', nonbinary: 'other',
};

export function normalizeSex(raw: string | undefined | null): Sex | undefined {
  if (!raw) return undefined;
  return MAP[raw.trim().toLowerCase().replace(/[^a-z]/g, '')];
}
