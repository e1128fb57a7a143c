/**
 * The identity engine's settings and their defaults. The decision thresholds are posterior match
 * probabilities fixed here in advance from the model, never tuned on a labelled dataset:
 *  - link at P(match | comparison) ≥ 0.95: at most one wrong link in twenty among pairs at the
 *    threshold, and far fewer above it (most true pairs score > 0.999);
 *  - review at P ≥ 0.5: the model finds a match at least as likely as not, so a person decides.
 * Below 0.5 the pair is a non-match. m priors are the share of true matches expected at each
 * level (a typo in 2-5 % of names, Winkler 1990; dates wrong in ~5 %; people change phones,
 * emails and addresses), used as EM's starting point and as Dirichlet pseudo-counts.
 */

export interface IdentityConfig {
  linkProbability: number;
  reviewProbability: number;
  /** A blocking key shared by more records than this is skipped (common names, default dates). */
  maxBlockSize: number;
  /**
   * When above 0, a block of more records than this is compared along its rule's sort order,
   * each record with the next `blockWindow - 1` (sorted neighbourhood inside the block), not
   * pair by pair. 0 (the default): every pair. Off by default because EM's household class
   * depends on the mix of candidate pairs (docs/identity.md, "Scale"): at 20,000 simulated
   * people a window of 8 made EM find a household class and recall fell 0.993 → 0.945.
   */
  blockWindow: number;
  /** Random record pairs drawn to estimate u (the agreement rates of non-matches). */
  randomPairs: number;
  seed: number;
  emMaxIterations: number;
  emTolerance: number;
  /** Weight of the m priors, in pseudo-pairs, against the pairs the data gives EM. */
  priorStrength: number;
  /** Per comparison, m prior per level (see compare/fields.ts for the level order). */
  mPriors: Readonly<Record<string, readonly number[]>>;
  /**
   * Per comparison, the level distribution expected for two different people of one household
   * (same surname, address and phone; different given name and birth date): EM's second class.
   */
  householdPriors: Readonly<Record<string, readonly number[]>>;
  /** Largest cross-cluster check when merging two persons (pairs); larger merges are sampled. */
  maxMergeChecks: number;
}

export const DEFAULT_IDENTITY_CONFIG: IdentityConfig = Object.freeze({
  linkProbability: 0.95,
  reviewProbability: 0.5,
  maxBlockSize: 100,
  blockWindow: 0,
  randomPairs: 200_000,
  seed: 20261203,
  emMaxIterations: 60,
  emTolerance: 1e-6,
  priorStrength: 20,
  maxMergeChecks: 400,
  mPriors: Object.freeze({
    givenName: [0.8, 0.04, 0.03, 0.05, 0.02, 0.02, 0.01, 0.03],
    familyName: [0.85, 0.03, 0.05, 0.02, 0.02, 0.03],
    birthDate: [0.88, 0.01, 0.05, 0.02, 0.01, 0.01, 0.02],
    sex: [0.97, 0.03],
    phone: [0.8, 0.03, 0.17],
    email: [0.85, 0.05, 0.1],
    address: [0.75, 0.04, 0.04, 0.05, 0.03, 0.09],
    ssn: [0.95, 0.03, 0.02],
    identifier: [0.85, 0.05, 0.1],
  }),
  householdPriors: Object.freeze({
    givenName: [0.02, 0.01, 0.02, 0.03, 0.04, 0.08, 0.02, 0.78],
    familyName: [0.75, 0.05, 0.02, 0.02, 0.02, 0.14],
    birthDate: [0.04, 0.005, 0.02, 0.02, 0.05, 0.3, 0.565],
    sex: [0.5, 0.5],
    phone: [0.5, 0.01, 0.49],
    email: [0.05, 0.05, 0.9],
    address: [0.8, 0.02, 0.02, 0.03, 0.02, 0.11],
    ssn: [0.001, 0.01, 0.989],
    identifier: [0.001, 0.01, 0.989],
  }),
});

/** Defaults with overrides applied (priors merged per comparison). */
export function resolveIdentityConfig(overrides: Partial<IdentityConfig> = {}): IdentityConfig {
  return {
    ...DEFAULT_IDENTITY_CONFIG,
    ...overrides,
    mPriors: { ...DEFAULT_IDENTITY_CONFIG.mPriors, ...(overrides.mPriors ?? {}) },
    householdPriors: { ...DEFAULT_IDENTITY_CONFIG.householdPriors, ...(overrides.householdPriors ?? {}) },
  };
}

/** log2 odds of a probability: the match-weight scale thresholds are compared on. */
export function probabilityToWeight(p: number): number {
  return Math.log2(p / (1 - p));
}

export function weightToProbability(w: number): number {
  return 1 / (1 + 2 ** -w);
}
