/**
 * Candidate generation: only pairs that share at least one blocking key are compared (comparing
 * all n² pairs is out of reach at a million records). Several rules, each on different fields,
 * so one error (a typo in the surname, a swapped birth date, a new address) does not hide a true
 * pair from all of them. A key shared by more than `maxBlockSize` records (a common name, a
 * placeholder phone) is skipped: its pairs are mostly non-matches and would dominate run time.
 */
import type { NormalizedRecord } from './types.ts';

export interface BlockingRule {
  name: string;
  keys(r: NormalizedRecord): readonly string[];
}

const year = (r: NormalizedRecord) => (r.birthDate ? String(r.birthDate.year) : undefined);
const givenCode = (r: NormalizedRecord) => r.given?.phonetic[0] || undefined;
const familyCode = (r: NormalizedRecord) => r.family?.phonetic[0] || undefined;
const postal = (r: NormalizedRecord) => r.address?.postalCode;
const join = (...parts: (string | undefined)[]) => (parts.every((p) => p !== undefined && p !== '') ? [parts.join('|')] : []);

export const PERSON_BLOCKING_RULES: readonly BlockingRule[] = [
  { name: 'family-phonetic+birth-year', keys: (r) => join(familyCode(r), year(r)) },
  {
    // Sorted, so a record with given and family names swapped lands in the same block.
    name: 'given+family-phonetic',
    keys: (r) => {
      const g = givenCode(r);
      const f = familyCode(r);
      return g && f ? [[g, f].sort().join('|')] : [];
    },
  },
  // A full birth date alone: about n / 30,000 records per block in a real population (80 years
  // of birthdays), small enough at a million records, and it survives any name change or typo.
  { name: 'birth-date', keys: (r) => (r.birthDate ? [r.birthDate.iso] : []) },
  { name: 'given-phonetic+postal-code', keys: (r) => join(givenCode(r), postal(r)) },
  { name: 'family-phonetic+postal-code', keys: (r) => join(familyCode(r), postal(r)) },
  { name: 'phone', keys: (r) => r.phones },
  { name: 'email', keys: (r) => (r.email ? [r.email.address] : []) },
  { name: 'ssn', keys: (r) => (r.ssn ? [r.ssn] : []) },
  { name: 'identifier', keys: (r) => r.identifiers },
];

export interface BlockingStats {
  rule: string;
  keys: number;
  skippedKeys: number;
  pairs: number;
}

export interface CandidatePairs {
  /** Flattened pairs [i0, j0, i1, j1, ...] with i < j, each pair once. */
  pairs: Uint32Array;
  stats: BlockingStats[];
}

/** Candidate pairs from all rules, deduplicated across rules. */
export function generateCandidatePairs(records: readonly NormalizedRecord[], rules: readonly BlockingRule[], maxBlockSize: number): CandidatePairs {
  const n = records.length;
  const seen = new Set<number>();
  const out: number[] = [];
  const stats: BlockingStats[] = [];
  for (const rule of rules) {
    const blocks = new Map<string, number[]>();
    for (const r of records) {
      for (const key of new Set(rule.keys(r))) {
        const members = blocks.get(key);
        if (members) members.push(r.index);
        else blocks.set(key, [r.index]);
      }
    }
    let skippedKeys = 0;
    let pairs = 0;
    for (const members of blocks.values()) {
      if (members.length < 2) continue;
      if (members.length > maxBlockSize) {
        skippedKeys++;
        continue;
      }
      for (let x = 0; x < members.length; x++) {
        for (let y = x + 1; y < members.length; y++) {
          const a = members[x] as number;
          const b = members[y] as number;
          const [i, j] = a < b ? [a, b] : [b, a];
          const key = i * n + j;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push(i, j);
          pairs++;
        }
      }
    }
    stats.push({ rule: rule.name, keys: blocks.size, skippedKeys, pairs });
  }
  return { pairs: Uint32Array.from(out), stats };
}
