/**
 * Term frequencies per comparison: how often each value occurs among the records that have one.
 * A pair agreeing exactly on a value agrees by chance with probability ≈ its frequency, so that
 * frequency replaces the average u of the exact level ("Smith" weighs less than "Zbikowski";
 * Winkler, "Frequency-based matching in Fellegi-Sunter model", 1989; as in Splink's tf tables).
 */
import type { Comparison } from './compare/comparison.ts';
import type { NormalizedRecord } from './types.ts';

export interface TermFrequencies {
  counts: Map<string, number>;
  total: number;
  /**
   * Mean frequency of the value two random records agree on: Σp³ / Σp². The adjustment is
   * u_v = u_exact · p_v / that mean, so it redistributes the exact level's weight between rare
   * and common values without moving its average (which EM and the random pairs calibrated).
   */
  meanAgreeing: number;
}

function withMean(counts: Map<string, number>, total: number): TermFrequencies {
  let p2 = 0;
  let p3 = 0;
  for (const c of counts.values()) {
    const p = c / total;
    p2 += p * p;
    p3 += p * p * p;
  }
  return { counts, total, meanAgreeing: p2 > 0 ? p3 / p2 : 1 };
}

export function buildTermFrequencies(comparison: Comparison, records: readonly NormalizedRecord[]): TermFrequencies | undefined {
  if (!comparison.termsOf || !comparison.agreedTerm) return undefined;
  const counts = new Map<string, number>();
  let total = 0;
  for (const r of records) {
    for (const t of comparison.termsOf(r)) {
      counts.set(t, (counts.get(t) ?? 0) + 1);
      total++;
    }
  }
  return withMean(counts, total);
}

/** Frequency of a term, never below one occurrence (an unseen value is as rare as possible). */
export function termFrequency(tf: TermFrequencies, term: string): number {
  if (tf.total === 0) return 1;
  return Math.max(1, tf.counts.get(term) ?? 0) / tf.total;
}

/** The exact level's u for a pair agreeing on `term`, given the level's average u. */
export function adjustedU(tf: TermFrequencies, term: string, uExact: number): number {
  return Math.min(1, (uExact * termFrequency(tf, term)) / tf.meanAgreeing);
}

/**
 * Term frequencies counted once per person (cluster) rather than per record. Counting records
 * inflates the frequency of every value by the number of systems that hold the same person (a
 * rare surname held by five silos looks five times as common), which understates exactly the
 * agreements that matter. Computed after a first clustering pass.
 */
export function buildPersonTermFrequencies(
  comparison: Comparison,
  records: readonly NormalizedRecord[],
  clusterOf: ArrayLike<number>,
): TermFrequencies | undefined {
  if (!comparison.termsOf || !comparison.agreedTerm) return undefined;
  // Visit records cluster by cluster; a term counts once per cluster (the last cluster that
  // counted it is remembered), which avoids building a key per record and term.
  const order = clusterOrder(records, clusterOf);
  const lastCluster = new Map<string, number>();
  const counts = new Map<string, number>();
  let persons = 0;
  let previous = -1;
  for (const index of order) {
    const cluster = clusterOf[index] as number;
    const terms = comparison.termsOf(records[index] as NormalizedRecord);
    if (terms.length > 0 && cluster !== previous) {
      persons++;
      previous = cluster;
    }
    for (const t of terms) {
      if (lastCluster.get(t) === cluster) continue;
      lastCluster.set(t, cluster);
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
  }
  return withMean(counts, persons);
}

// The order is the same for every comparison of one clustering: sorted once, remembered by clustering.
const ORDERS = new WeakMap<object, { records: readonly NormalizedRecord[]; order: number[] }>();

/** Record indexes grouped by cluster (ascending cluster id, then index). */
function clusterOrder(records: readonly NormalizedRecord[], clusterOf: ArrayLike<number>): number[] {
  const known = ORDERS.get(clusterOf);
  if (known && known.records === records) return known.order;
  const order = records.map((r) => r.index).sort((a, b) => (clusterOf[a] as number) - (clusterOf[b] as number) || a - b);
  ORDERS.set(clusterOf, { records, order });
  return order;
}
