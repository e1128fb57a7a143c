/**
 * Parameter estimation without labels.
 *
 * u: agreement rates among random record pairs, which are almost all non-matches (with n records
 * and k true pairs, a random pair matches with probability k / (n(n-1)/2), under 1 % here).
 *
 * m: Expectation-Maximisation over the comparison patterns of the candidate pairs (Winkler 1988,
 * "Using the EM algorithm for weight computation in the Fellegi-Sunter model"), a two-class
 * mixture with conditional independence. The candidate pairs' non-matches agree more than random
 * pairs (blocking chose them for agreeing), so EM fits its own non-match distribution for the
 * candidates and only m is kept; scoring uses the random-pair u (without the pairs a first
 * linking pass joined, see estimateU). The m priors enter as Dirichlet pseudo-counts, so levels
 * that the data rarely shows keep sensible values.
 */
import type { Comparison } from './compare/comparison.ts';
import { MISSING } from './compare/comparison.ts';
import { compareLevels, isExcluded, type LevelExclusion } from './fellegi-sunter.ts';
import { createRandom } from './random.ts';
import type { NormalizedRecord } from './types.ts';

export interface LevelPatterns {
  /** Distinct level vectors. */
  patterns: Int8Array[];
  counts: number[];
}

/** Groups level vectors into distinct patterns with counts (EM then runs on a few thousand rows). */
export function countPatterns(levels: Int8Array, width: number): LevelPatterns {
  const index = new Map<number, number>();
  const patterns: Int8Array[] = [];
  const counts: number[] = [];
  for (let p = 0; p < levels.length; p += width) {
    // Levels are -1..7: a base-9 number identifies the pattern without building a string.
    let key = 0;
    for (let c = 0; c < width; c++) key = key * 9 + ((levels[p + c] as number) + 1);
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, patterns.length);
      patterns.push(levels.slice(p, p + width));
      counts.push(1);
    } else {
      counts[at] = (counts[at] ?? 0) + 1;
    }
  }
  return { patterns, counts };
}

/**
 * u per comparison level from `samples` random pairs (Laplace-smoothed so no level is 0).
 * Random pairs include the true pairs, which agree at m, not u: a pair `samePerson` calls one
 * person is left out. On rare agreements that matters: in FEBRL 1 (1,000 records, 500 true
 * pairs) 1 random pair in 1,000 is a match, and the birth date's exact u came out 9.3e-4 with
 * them and 4.4e-5 without (4.4 bits of the weight); on the 2,000-person simulator e-mail's
 * 6.5e-4 against 2.0e-5, the birth date's 4.5e-4 against 7.8e-5.
 */
export function estimateU(comparisons: readonly Comparison[], records: readonly NormalizedRecord[], samples: number, seed: number, samePerson?: (i: number, j: number) => boolean): number[][] {
  const counts = comparisons.map((c) => new Array<number>(c.levels.length).fill(1));
  const n = records.length;
  const levels = new Int8Array(comparisons.length);
  const random = createRandom(seed);
  const total = n * (n - 1) / 2;
  const count = (i: number, j: number) => {
    if (samePerson?.(i, j)) return;
    compareLevels(comparisons, records[i] as NormalizedRecord, records[j] as NormalizedRecord, levels);
    for (let c = 0; c < levels.length; c++) {
      const l = levels[c] as number;
      if (l !== MISSING) (counts[c] as number[])[l]! += 1;
    }
  };
  if (total <= samples) {
    // Few records: every pair, so the estimate is exact and does not depend on their order.
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) count(i, j);
  } else {
    for (let s = 0; s < samples; s++) {
      const i = Math.floor(random() * n);
      let j = Math.floor(random() * (n - 1));
      if (j >= i) j++;
      count(i, j);
    }
  }
  return counts.map((row) => {
    const sum = row.reduce((x, y) => x + y, 0);
    return row.map((v) => v / sum);
  });
}

export interface EmResult {
  m: number[][];
  /** The household class's distributions and its share of candidate pairs (when fitted). */
  household?: { h: number[][]; share: number };
  /** Share of candidate pairs that are matches. */
  lambda: number;
  iterations: number;
}

export interface EmOptions {
  /**
   * Starting distributions (and Dirichlet priors) per latent class: class 0 is "same person";
   * the others are non-matches. Three classes (match, same household, other) follow Winkler,
   * "Improved decision rules in the Fellegi-Sunter model of record linkage" (1993): with two,
   * EM on data full of households splits "same address" from "different address" instead of
   * "same person" from "different person", since a household shares surname, address and phone.
   */
  classPriors: readonly (readonly (readonly number[])[])[];
  classShares: readonly number[];
  /**
   * Per class, comparisons whose distribution stays at its prior. The household class is defined
   * by different given names and birth dates; left free, EM can turn it into a second match
   * class (true pairs with typos), and scoring would then argue against real matches.
   */
  fixed?: readonly (readonly boolean[])[];
  /** Per class, a level combination the class cannot produce (its patterns go to the others). */
  excludes?: readonly (LevelExclusion | undefined)[];
  priorStrength: number;
  maxIterations: number;
  tolerance: number;
}

function normalizeRow(row: readonly number[]): number[] {
  const sum = row.reduce((x, y) => x + y, 0);
  return row.map((v) => v / sum);
}

/** EM over level patterns; returns class 0's distributions as m and its share. */
export function estimateM(data: LevelPatterns, options: EmOptions): EmResult {
  const K = options.classPriors.length;
  let dist = options.classPriors.map((cls) => cls.map(normalizeRow));
  let shares = normalizeRow(options.classShares);
  let iterations = 0;
  const totalCount = data.counts.reduce((x, y) => x + y, 0);
  if (totalCount === 0) return { m: dist[0] ?? [], lambda: 0, iterations: 0 };
  const post = new Float64Array(K);
  for (; iterations < options.maxIterations; iterations++) {
    const acc = options.classPriors.map((cls) => cls.map((row) => row.map((v) => options.priorStrength * v)));
    const mass = new Float64Array(K);
    data.patterns.forEach((pattern, p) => {
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const exclusion = options.excludes?.[k];
        let pk = exclusion && isExcluded(exclusion, pattern) ? 0 : (shares[k] ?? 0);
        const dk = dist[k] as number[][];
        for (let c = 0; c < pattern.length; c++) {
          const l = pattern[c] as number;
          if (l !== MISSING) pk *= dk[c]?.[l] ?? 1;
        }
        post[k] = pk;
        sum += pk;
      }
      const count = data.counts[p] ?? 0;
      for (let k = 0; k < K; k++) {
        const w = sum > 0 ? ((post[k] as number) / sum) * count : count / K;
        mass[k]! += w;
        const ak = acc[k] as number[][];
        for (let c = 0; c < pattern.length; c++) {
          const l = pattern[c] as number;
          if (l !== MISSING) (ak[c] as number[])[l]! += w;
        }
      }
    });
    const next = acc.map((cls, k) => cls.map((row, c) => (options.fixed?.[k]?.[c] ? normalizeRow(options.classPriors[k]?.[c] ?? row) : normalizeRow(row))));
    const nextShares = Array.from(mass, (v) => v / totalCount);
    let change = 0;
    nextShares.forEach((v, k) => { change = Math.max(change, Math.abs(v - (shares[k] ?? 0))); });
    next[0]?.forEach((row, c) => row.forEach((v, l) => { change = Math.max(change, Math.abs(v - (dist[0]?.[c]?.[l] ?? 0))); }));
    dist = next;
    shares = nextShares;
    if (change < options.tolerance) break;
  }
  return {
    m: dist[0] ?? [],
    lambda: shares[0] ?? 0,
    iterations,
    ...(K > 2 ? { household: { h: dist[1] ?? [], share: shares[1] ?? 0 } } : {}),
  };
}
