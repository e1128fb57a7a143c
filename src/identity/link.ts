/**
 * Batch linking: normalize → term frequencies → blocking → compare → estimate u (random pairs)
 * and m (EM, no labels) → score → decide (link / review / no match) → cluster into persons.
 * Plain data in and out, so the later database-backed online mode reuses every step.
 */
import { PERSON_BLOCKING_RULES, generateCandidatePairs, type BlockingRule, type BlockingStats } from './blocking.ts';
import type { Comparison } from './compare/comparison.ts';
import { PERSON_COMPARISONS } from './compare/fields.ts';
import { clusterRecords } from './cluster.ts';
import { probabilityToWeight, resolveIdentityConfig, type IdentityConfig } from './config.ts';
import { countPatterns, estimateM, estimateU } from './em.ts';
import { buildPairScorer, compareLevels, type LevelExclusion, type MatchModel } from './fellegi-sunter.ts';
import { normalizeRecord } from './normalize/record.ts';
import { buildPersonTermFrequencies, buildTermFrequencies } from './term-frequency.ts';
import type { NormalizedRecord, SourceRecord } from './types.ts';

export type LinkStage = 'normalize' | 'block' | 'compare' | 'estimate' | 'cluster';

export interface LinkOptions {
  config?: Partial<IdentityConfig>;
  comparisons?: readonly Comparison[];
  blockingRules?: readonly BlockingRule[];
  onProgress?: (stage: LinkStage, done: number, total: number) => void;
}

export interface LinkResult {
  records: NormalizedRecord[];
  model: MatchModel;
  /** Cluster (person) id per record index. */
  clusterOf: Int32Array;
  /** Record indexes with a possible match (review band, or a link refused by clustering) in another person. */
  reviewRecords: Set<number>;
  /** The pairs behind reviewRecords, with their match weight (for the review queue). */
  reviewPairs: { i: number; j: number; weight: number }[];
  pairsCompared: number;
  blocking: BlockingStats[];
  emIterations: number;
}

/** Estimates the model from the records themselves (no labels). */
export function estimateModel(
  records: readonly NormalizedRecord[],
  levels: Int8Array,
  comparisons: readonly Comparison[],
  config: IdentityConfig,
): { model: MatchModel; iterations: number } {
  const u = estimateU(comparisons, records, config.randomPairs, config.seed);
  const uniform = (c: Comparison) => c.levels.map(() => 1 / c.levels.length);
  const priorsFor = (table: Readonly<Record<string, readonly number[]>>, fallback: (c: Comparison) => readonly number[]) =>
    comparisons.map((c) => {
      const prior = table[c.name];
      return prior && prior.length === c.levels.length ? prior : fallback(c);
    });
  const mPriors = priorsFor(config.mPriors, (c) => c.levels.map((_, l) => (l === 0 ? 0.9 : 0.1 / (c.levels.length - 1))));
  const em = estimateM(countPatterns(levels, comparisons.length), {
    classPriors: [mPriors, priorsFor(config.householdPriors, uniform), u],
    classShares: [0.2, 0.2, 0.6],
    fixed: [[], comparisons.map((c) => HOUSEHOLD_DEFINING.has(c.name)), []],
    excludes: [undefined, householdExclusion(comparisons), undefined],
    priorStrength: config.priorStrength, maxIterations: config.emMaxIterations, tolerance: config.emTolerance,
  });
  const n = records.length;
  const candidates = levels.length / comparisons.length;
  const allPairs = Math.max(1, (n * (n - 1)) / 2);
  // Expected true pairs = match share among candidates × candidates (true pairs outside blocking are few).
  const matches = Math.min(Math.max(em.lambda * candidates, 1), allPairs / 2);
  const prior = matches / allPairs;
  // Household pairs all share a blocking key (surname, address, phone), so the candidates hold them all.
  const householdPairs = em.household && looksLikeHouseholds(comparisons, em.household, records) ? Math.min(em.household.share * candidates, allPairs / 2) : 0;
  const householdShare = householdPairs / Math.max(1, allPairs - matches);
  return {
    model: {
      comparisons,
      m: em.m,
      u,
      priorWeight: Math.log2(prior / (1 - prior)),
      termFrequencies: comparisons.map((c) => buildTermFrequencies(c, records)),
      household: em.household && householdShare > 0 ? { h: em.household.h, logShare: Math.log2(householdShare), excludes: householdExclusion(comparisons) } : undefined,
    },
    iterations: em.iterations,
  };
}

/** Fields that define a household pair as different people: held at their priors in EM. */
const HOUSEHOLD_DEFINING = new Set(['givenName', 'birthDate']);

/**
 * The same given name (its nickname, or one edit apart) and the same birth date (or its day and
 * month swapped): never two people of one household (see LevelExclusion), so EM's household
 * class takes no such pair and scoring weighs such a pair against the other non-matches only.
 * One edit: a typo ("Ddborah") is far likelier than twins named a letter apart; left to the
 * household class, a mover whose payer record had such a typo went to review (simulator,
 * 10,000 people: review 2.36 → 2.34 %, F1 0.9900 → 0.9902; FEBRL and Splink sets unchanged).
 */
const HOUSEHOLD_EXCLUDED: Readonly<Record<string, readonly string[]>> = {
  givenName: ['exact', 'nickname', 'jw>=0.92 or one edit'],
  birthDate: ['exact', 'day/month swapped'],
};

/** HOUSEHOLD_EXCLUDED as level indexes of these comparisons (none when one is not compared). */
export function householdExclusion(comparisons: readonly Comparison[]): LevelExclusion {
  const out: { comparison: number; levels: number[] }[] = [];
  for (const [name, levelNames] of Object.entries(HOUSEHOLD_EXCLUDED)) {
    const comparison = comparisons.findIndex((c) => c.name === name);
    if (comparison < 0) return [];
    const levels = comparisons[comparison]?.levels ?? [];
    out.push({ comparison, levels: levelNames.map((l) => levels.indexOf(l)).filter((l) => l >= 0) });
  }
  return out;
}

/**
 * EM's second class is used as a household alternative only when it is one:
 *  - a household is people at one dwelling, so most of its pairs must agree exactly on the
 *    address, and most records must have a street line (when records hold only a town or a
 *    postal code, "same address" is "same town", and the class gathers same-town pairs);
 *  - households are a population, not a handful of pairs: the class must hold at least
 *    `MIN_HOUSEHOLD_SHARE` of the candidate pairs (in a population register most people share
 *    a dwelling with someone, and every household pair shares a blocking key).
 * (Its given-name and birth-date distributions are held at their priors, so those cannot tell.)
 * On data without households (FEBRL, Splink's sets) the class instead gathers "same surname,
 * same area" pairs, true matches among them, and using it as a non-match hypothesis would
 * throw those away.
 */
export function looksLikeHouseholds(comparisons: readonly Comparison[], household: { h: number[][]; share: number }, records: readonly NormalizedRecord[]): boolean {
  const address = comparisons.findIndex((c) => c.name === 'address');
  if (address < 0 || (household.h[address]?.[0] ?? 0) < 0.5 || household.share < MIN_HOUSEHOLD_SHARE) return false;
  let withAddress = 0;
  let withStreet = 0;
  for (const r of records) {
    if (!r.address) continue;
    withAddress++;
    if (r.address.street !== undefined) withStreet++;
  }
  return withStreet * 2 >= withAddress;
}

/** Smallest share of candidate pairs EM's household class must hold to be used (see looksLikeHouseholds). */
const MIN_HOUSEHOLD_SHARE = 0.05;

/**
 * Fields one household shares: agreement on them comes together for two people at one dwelling,
 * which the independence model only knows where EM found a household class (looksLikeHouseholds).
 */
const HOUSEHOLD_SHARED = new Set(['familyName', 'address', 'phone']);

/**
 * u with the random pairs of one person (as a first pass found them) left out, for every field
 * but the household-shared ones (see estimateU for why and by how much). Those keep the all-pairs
 * estimate, whose agreement rate the person's own records raise: with their u corrected too,
 * where no household class is found (the 60 records of identity-fixtures.ts, FEBRL), surname,
 * address and phone in common outweighed another given name, birth date and sex, and a
 * household member joined the person (+11 bits at 1,500 fixture records, −12 before).
 */
function withoutSamePersonU(u: number[][], comparisons: readonly Comparison[], records: readonly NormalizedRecord[], config: IdentityConfig, clusterOf: Int32Array): number[][] {
  const apart = estimateU(comparisons, records, config.randomPairs, config.seed, (i, j) => clusterOf[i] === clusterOf[j]);
  return u.map((row, c) => (HOUSEHOLD_SHARED.has(comparisons[c]?.name ?? '') ? row : (apart[c] ?? row)));
}

interface ScoreOptions {
  linkWeight: number;
  reviewWeight: number;
  maxChecks: number;
  /** Plain transitive closure, for the first pass that only estimates persons for term frequencies. */
  transitiveOnly?: boolean;
}

/** Scores every candidate pair from its stored levels and clusters the links. */
function scoreAndCluster(records: readonly NormalizedRecord[], pairs: Uint32Array, levels: Int8Array, model: MatchModel, options: ScoreOptions) {
  const width = model.comparisons.length;
  const pairCount = pairs.length / 2;
  const n = records.length;
  const score = buildPairScorer(model, records);
  const weights = new Float64Array(pairCount);
  // Candidate pairs come sorted by (i, j) from blocking: their weights are found by binary search
  // on the key i·n + j; other pairs the clustering asks about are scored once and remembered.
  const keys = new Float64Array(pairCount);
  let sorted = true;
  const edges = [];
  for (let p = 0; p < pairCount; p++) {
    const i = pairs[2 * p] as number;
    const j = pairs[2 * p + 1] as number;
    const w = score(levels, i, j, p * width);
    weights[p] = w;
    keys[p] = i * n + j;
    if (p > 0 && (keys[p] as number) <= (keys[p - 1] as number)) sorted = false;
    if (w >= options.linkWeight) edges.push({ i, j, weight: w });
  }
  if (options.transitiveOnly) {
    return { ...clusterRecords(n, edges, () => 0, { linkWeight: options.linkWeight, mergeWeight: Number.NEGATIVE_INFINITY, maxChecks: 1 }), weights };
  }
  const scratch = new Int8Array(width);
  const known = new Map<number, number>();
  if (!sorted) for (let p = 0; p < pairCount; p++) known.set(keys[p] as number, weights[p] as number);
  const candidateWeight = (key: number): number | undefined => {
    if (!sorted) return undefined;
    let lo = 0;
    let hi = pairCount - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const k = keys[mid] as number;
      if (k === key) return weights[mid];
      if (k < key) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  };
  const weightOf = (a: number, b: number): number => {
    const [i, j] = a < b ? [a, b] : [b, a];
    const key = i * n + j;
    let w = candidateWeight(key) ?? known.get(key);
    if (w === undefined) {
      w = score(compareLevels(model.comparisons, records[i] as NormalizedRecord, records[j] as NormalizedRecord, scratch), i, j);
      known.set(key, w);
    }
    return w;
  };
  const { clusterOf, refused } = clusterRecords(n, edges, weightOf, {
    linkWeight: options.linkWeight, mergeWeight: options.reviewWeight, maxChecks: options.maxChecks,
  });
  return { clusterOf, refused, weights };
}

export function linkRecords(input: readonly SourceRecord[], options: LinkOptions = {}): LinkResult {
  const config = resolveIdentityConfig(options.config);
  const comparisons = options.comparisons ?? PERSON_COMPARISONS;
  const progress = options.onProgress ?? (() => undefined);
  const records = input.map((r, i) => normalizeRecord(r, i));
  progress('normalize', records.length, records.length);

  const { pairs, stats } = generateCandidatePairs(records, options.blockingRules ?? PERSON_BLOCKING_RULES, config);
  const pairCount = pairs.length / 2;
  progress('block', pairCount, pairCount);

  const width = comparisons.length;
  const levels = new Int8Array(pairCount * width);
  for (let p = 0; p < pairCount; p++) {
    compareLevels(comparisons, records[pairs[2 * p] as number] as NormalizedRecord, records[pairs[2 * p + 1] as number] as NormalizedRecord, levels, p * width);
    if ((p & 0xffff) === 0) progress('compare', p, pairCount);
  }
  progress('compare', pairCount, pairCount);

  const { model, iterations } = estimateModel(records, levels, comparisons, config);
  progress('estimate', 1, 1);

  const linkWeight = probabilityToWeight(config.linkProbability);
  const reviewWeight = probabilityToWeight(config.reviewProbability);
  // Pass 1 with record-level term frequencies and u from all random pairs; pass 2, the one kept,
  // with frequencies counted per person found in pass 1 (see buildPersonTermFrequencies) and,
  // for the fields that tell individuals apart, u from the random pairs pass 1 did not join.
  let scored = scoreAndCluster(records, pairs, levels, model, { linkWeight, reviewWeight, maxChecks: config.maxMergeChecks, transitiveOnly: true });
  const firstPass = scored.clusterOf;
  model.termFrequencies = comparisons.map((c) => buildPersonTermFrequencies(c, records, firstPass));
  model.u = withoutSamePersonU(model.u, comparisons, records, config, firstPass);
  scored = scoreAndCluster(records, pairs, levels, model, { linkWeight, reviewWeight, maxChecks: config.maxMergeChecks });
  const { clusterOf, refused, weights } = scored;
  progress('cluster', 1, 1);

  const reviewRecords = new Set<number>();
  const reviewPairs: LinkResult['reviewPairs'] = [];
  for (let p = 0; p < pairCount; p++) {
    const w = weights[p] as number;
    const i = pairs[2 * p] as number;
    const j = pairs[2 * p + 1] as number;
    if (w >= reviewWeight && w < linkWeight && clusterOf[i] !== clusterOf[j]) {
      reviewRecords.add(i);
      reviewRecords.add(j);
      reviewPairs.push({ i, j, weight: w });
    }
  }
  for (const e of refused) {
    if (clusterOf[e.i] !== clusterOf[e.j]) {
      reviewRecords.add(e.i);
      reviewRecords.add(e.j);
      reviewPairs.push({ i: e.i, j: e.j, weight: e.weight });
    }
  }
  return { records, model, clusterOf, reviewRecords, reviewPairs, pairsCompared: pairCount, blocking: stats, emIterations: iterations };
}
