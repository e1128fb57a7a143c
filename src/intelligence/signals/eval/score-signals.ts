/**
 * Precision and recall per kind of the signals we raised against the labelled ones: both
 * sides named as keys (signal-truth.ts), compared as sets. With nothing raised precision is 1
 * (nothing wrong was said); with nothing expected recall is 1.
 */
import type { KeyedFinding } from './signal-truth.ts';

export interface KindScore {
  precision: number;
  recall: number;
  expected: number;
  raised: number;
  matched: number;
  /** Up to ten keys of each miss, for a person to look at. */
  missed: string[];
  unexpected: string[];
}

export function scoreFindings(kinds: readonly string[], expected: readonly KeyedFinding[], raised: readonly KeyedFinding[]): Record<string, KindScore> {
  const scores: Record<string, KindScore> = {};
  for (const kind of kinds) {
    const want = keysOf(expected, kind);
    const got = keysOf(raised, kind);
    const matched = [...got].filter((key) => want.has(key)).length;
    scores[kind] = {
      precision: got.size === 0 ? 1 : matched / got.size,
      recall: want.size === 0 ? 1 : matched / want.size,
      expected: want.size,
      raised: got.size,
      matched,
      missed: [...want].filter((key) => !got.has(key)).slice(0, 10),
      unexpected: [...got].filter((key) => !want.has(key)).slice(0, 10),
    };
  }
  return scores;
}

function keysOf(findings: readonly KeyedFinding[], kind: string): Set<string> {
  return new Set(findings.filter((f) => f.kind === kind).map((f) => f.key));
}
