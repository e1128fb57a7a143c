/**
 * Fellegi-Sunter scoring (Fellegi & Sunter, "A Theory for Record Linkage", JASA 1969): a pair's
 * match weight is the prior log2-odds plus, per compared field, log2(m/u) of the level it falls
 * in; missing fields add nothing. Weights are log2 so they read as bits of evidence, and the
 * posterior probability is 1 / (1 + 2^-weight).
 */
import type { Comparison } from './compare/comparison.ts';
import { MISSING } from './compare/comparison.ts';
import { adjustedU, type TermFrequencies } from './term-frequency.ts';
import type { NormalizedRecord } from './types.ts';

export interface MatchModel {
  comparisons: readonly Comparison[];
  /** m[c][l]: P(level l of comparison c | same person). */
  m: number[][];
  /** u[c][l]: P(level l | different persons), from random pairs. */
  u: number[][];
  /** log2 odds that a random pair is a match, before any field is compared. */
  priorWeight: number;
  /**
   * A second kind of non-match, "same household" (EM's second class, Winkler 1993): two people
   * sharing surname, address and phone. Scoring then compares the match hypothesis with both
   * non-match hypotheses, so agreement on household fields cannot outvote different given names
   * and birth dates (twins, parent and child). h[c][l] and its log2 share among non-matches;
   * `excludes`: the levels the hypothesis cannot produce together (see LevelExclusion).
   */
  household?: { h: number[][]; logShare: number; excludes?: LevelExclusion | undefined } | undefined;
  /** Per comparison, term frequencies for the exact level (undefined: no adjustment). */
  termFrequencies: (TermFrequencies | undefined)[];
}

/**
 * Levels that, all together, a hypothesis cannot produce: the pair falls in the combination when
 * every listed comparison is at one of its listed levels (a missing value never does). Two people
 * of one household do not share both their given name and their birth date: twins are named
 * apart, and a "Jr" shares the name a generation later. Left to conditional independence, the
 * household class gives that combination its given-name share times its twins' share (0.02 ×
 * 0.04, one household pair in 1,250), which made a person who moved (name, birth date and sex
 * the same; new phone and address in one silo) look like a household member: posterior 0.90.
 */
export type LevelExclusion = readonly { comparison: number; levels: readonly number[] }[];

/** Whether the levels (from `offset`) fall in the excluded combination. */
export function isExcluded(exclusion: LevelExclusion, levels: ArrayLike<number>, offset = 0): boolean {
  if (exclusion.length === 0) return false;
  for (const { comparison, levels: allowed } of exclusion) if (!allowed.includes(levels[offset + comparison] as number)) return false;
  return true;
}

export interface FieldWeight {
  comparison: string;
  level: string;
  weight: number;
}

/** Levels of every comparison for a pair (MISSING where a side has no value), written at `offset` of `out`. */
export function compareLevels(comparisons: readonly Comparison[], a: NormalizedRecord, b: NormalizedRecord, out?: Int8Array, offset = 0): Int8Array {
  const levels = out ?? new Int8Array(comparisons.length);
  for (let c = 0; c < comparisons.length; c++) levels[offset + c] = (comparisons[c] as Comparison).compare(a, b);
  return levels;
}

/** Weight of one comparison level, with the term-frequency adjustment on exact agreement. */
export function levelWeight(model: MatchModel, c: number, level: number, a: NormalizedRecord, b: NormalizedRecord): number {
  if (level === MISSING) return 0;
  const m = model.m[c]?.[level] ?? 0;
  let u = model.u[c]?.[level] ?? 1;
  const tf = model.termFrequencies[c];
  if (level === 0 && tf) {
    const term = model.comparisons[c]?.agreedTerm?.(a, b);
    if (term !== undefined) u = adjustedU(tf, term, u);
  }
  return Math.log2(m / u);
}

/** Match weight (log2 posterior odds) of a pair given its levels. */
export function weightFromLevels(model: MatchModel, levels: Int8Array, a: NormalizedRecord, b: NormalizedRecord): number {
  let w = model.priorWeight;
  for (let c = 0; c < levels.length; c++) w += levelWeight(model, c, levels[c] as number, a, b);
  const household = model.household;
  if (!household) return w;
  // Not a household pair: weighed against the other non-matches (share 1 − s) alone.
  if (household.excludes && isExcluded(household.excludes, levels)) return w - Math.log2(1 - 2 ** household.logShare);
  // log2 P(γ|H)/P(γ|U) for the household hypothesis, then combine the two non-match hypotheses:
  // odds(M) = P(γ|M)π_M / (P(γ|U)π_U + P(γ|H)π_H), i.e. w − log2(1 − s + s·2^(hu)).
  let hu = 0;
  for (let c = 0; c < levels.length; c++) {
    const l = levels[c] as number;
    if (l === MISSING) continue;
    const h = household.h[c]?.[l] ?? 1;
    hu += Math.log2(h) - (levelWeightBase(model, c, l, a, b));
  }
  const s = 2 ** household.logShare;
  const x = Math.log2(s) + hu;
  // log2((1 − s) + 2^x), computed without overflow.
  const mix = x > Math.log2(1 - s) ? x + Math.log2(1 + (1 - s) * 2 ** -x) : Math.log2(1 - s) + Math.log2(1 + 2 ** x / (1 - s));
  return w - mix;
}

/** log2 of the non-match probability u of a level (with the term-frequency adjustment). */
function levelWeightBase(model: MatchModel, c: number, level: number, a: NormalizedRecord, b: NormalizedRecord): number {
  let u = model.u[c]?.[level] ?? 1;
  const tf = model.termFrequencies[c];
  if (level === 0 && tf) {
    const term = model.comparisons[c]?.agreedTerm?.(a, b);
    if (term !== undefined) u = adjustedU(tf, term, u);
  }
  return Math.log2(u);
}

/** Match weight of a pair: symmetric (every comparison is) and deterministic. */
export function scorePair(model: MatchModel, a: NormalizedRecord, b: NormalizedRecord): number {
  return weightFromLevels(model, compareLevels(model.comparisons, a, b), a, b);
}

/** Per-field weights of a pair, for review screens and audit reasons. */
export function explainPair(model: MatchModel, a: NormalizedRecord, b: NormalizedRecord): FieldWeight[] {
  const levels = compareLevels(model.comparisons, a, b);
  const out: FieldWeight[] = [];
  levels.forEach((level, c) => {
    const comparison = model.comparisons[c] as Comparison;
    out.push({
      comparison: comparison.name,
      level: level === MISSING ? 'missing' : (comparison.levels[level] ?? String(level)),
      weight: levelWeight(model, c, level, a, b),
    });
  });
  return out;
}

/**
 * A fast scorer for batch runs: the same weights as weightFromLevels, with log-weights per level
 * and each record's term-frequency-adjusted u precomputed (a batch scores millions of pairs).
 */
export function buildPairScorer(model: MatchModel, records: readonly NormalizedRecord[]): (levels: Int8Array, i: number, j: number, offset?: number) => number {
  const C = model.comparisons.length;
  const logM = model.m.map((row) => row.map((v) => Math.log2(v)));
  const logU = model.u.map((row) => row.map((v) => Math.log2(v)));
  const logH = model.household?.h.map((row) => row.map((v) => Math.log2(v)));
  // Per comparison with term frequencies: each record's log2 adjusted u for its single term
  // (NaN: no term, or several terms, when the agreed one is found per pair).
  const logU0: (Float64Array | undefined)[] = model.comparisons.map((c, k) => {
    const tf = model.termFrequencies[k];
    if (!tf || !c.termsOf) return undefined;
    const u0 = model.u[k]?.[0] ?? 1;
    const out = new Float64Array(records.length).fill(Number.NaN);
    records.forEach((r, i) => {
      const terms = c.termsOf?.(r) ?? [];
      if (terms.length === 1) out[i] = Math.log2(adjustedU(tf, terms[0] as string, u0));
    });
    return out;
  });
  // For comparisons whose agreed value may sit in another field of the record (names compared
  // crosswise), the record's own term, to know when the precomputed value applies.
  const ownTerm: (string[] | undefined)[] = model.comparisons.map((c, k) => {
    if (!c.termMayMove || !logU0[k]) return undefined;
    return records.map((r) => {
      const terms = c.termsOf?.(r) ?? [];
      return terms.length === 1 ? (terms[0] as string) : '';
    });
  });
  const s = model.household ? 2 ** model.household.logShare : 0;
  const logRest = Math.log2(1 - s);
  const logS = model.household ? model.household.logShare : 0;
  const excludes = model.household?.excludes;
  return (levels, i, j, offset = 0) => {
    let w = model.priorWeight;
    let hu = 0;
    for (let c = 0; c < C; c++) {
      const l = levels[offset + c] as number;
      if (l === MISSING) continue;
      let lu = (logU[c] as number[])[l] as number;
      if (l === 0) {
        const table = logU0[c];
        if (table) {
          const t = table[i] as number;
          const own = ownTerm[c];
          if (!Number.isNaN(t) && !own) lu = t;
          else if (model.termFrequencies[c]) {
            const term = model.comparisons[c]?.agreedTerm?.(records[i] as NormalizedRecord, records[j] as NormalizedRecord);
            if (term !== undefined && own && term === own[i] && !Number.isNaN(t)) lu = t;
            else if (term !== undefined) lu = Math.log2(adjustedU(model.termFrequencies[c] as TermFrequencies, term, model.u[c]?.[0] ?? 1));
          }
        }
      }
      w += ((logM[c] as number[])[l] as number) - lu;
      if (logH) hu += ((logH[c] as number[])[l] as number) - lu;
    }
    if (!logH) return w;
    if (excludes && isExcluded(excludes, levels, offset)) return w - logRest;
    const x = logS + hu;
    const mix = x > logRest ? x + Math.log2(1 + (1 - s) * 2 ** -x) : logRest + Math.log2(1 + 2 ** x / (1 - s));
    return w - mix;
  };
}
