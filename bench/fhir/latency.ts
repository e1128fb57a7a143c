/** Latency figures for the HTTP benchmark: exact percentiles of recorded samples. */

/**
 * The nearest-rank percentile of ascending-sorted samples: the smallest sample such that at
 * least `q` of all samples are at or below it. NaN when there are no samples.
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

/** "p95 4.2 ms = 0.42 of the 10 ms target, met" (or "MISSED"). */
export function ratioToTarget(p95: number, targetMs: number): string {
  const ratio = p95 / targetMs;
  return `p95 ${p95.toFixed(1)} ms = ${ratio.toFixed(2)} of the ${targetMs} ms target, ${ratio < 1 ? 'met' : 'MISSED'}`;
}
