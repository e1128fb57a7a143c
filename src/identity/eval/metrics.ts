/**
 * Pairwise evaluation: a predicted pair is two records in one predicted person; it is true when
 * they share an entity label. Counted from cluster overlaps, so no pair list is built
 * (historical_50k has 300,000 true pairs, and a wrong merge could predict millions).
 */

export interface PairwiseScores {
  truePositives: number;
  predictedPairs: number;
  truePairs: number;
  precision: number;
  recall: number;
  f1: number;
}

const pairsIn = (k: number) => (k * (k - 1)) / 2;

export function scorePairwise(predicted: ArrayLike<number>, truth: readonly string[]): PairwiseScores {
  const predictedSizes = new Map<number, number>();
  const trueSizes = new Map<string, number>();
  const overlap = new Map<string, number>();
  for (let i = 0; i < truth.length; i++) {
    const p = predicted[i] as number;
    const t = truth[i] as string;
    predictedSizes.set(p, (predictedSizes.get(p) ?? 0) + 1);
    trueSizes.set(t, (trueSizes.get(t) ?? 0) + 1);
    const key = `${p}\u0000${t}`;
    overlap.set(key, (overlap.get(key) ?? 0) + 1);
  }
  let tp = 0;
  for (const k of overlap.values()) tp += pairsIn(k);
  let pp = 0;
  for (const k of predictedSizes.values()) pp += pairsIn(k);
  let tpairs = 0;
  for (const k of trueSizes.values()) tpairs += pairsIn(k);
  const precision = pp === 0 ? 1 : tp / pp;
  const recall = tpairs === 0 ? 1 : tp / tpairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePositives: tp, predictedPairs: pp, truePairs: tpairs, precision, recall, f1 };
}
