/**
 * Runs a labelled dataset through the engine and scores it. The labels are passed to the scorer
 * only, after linking.
 */
import { linkRecords, type LinkStage } from '../link.ts';
import { joinSourceMerges } from '../source-merges.ts';
import type { IdentityConfig } from '../config.ts';
import { dropFields, readDataset, type CanonicalField, type DatasetFormat } from './datasets.ts';
import { scorePairwise, type PairwiseScores } from './metrics.ts';

export interface EvalReport {
  precision: number;
  recall: number;
  f1: number;
  /** Share of records with a possible match (review) in another person. */
  reviewRate: number;
  pairsCompared: number;
  seconds: number;
}

export interface EvalDetails {
  report: EvalReport;
  scores: PairwiseScores;
  records: number;
  persons: number;
}

export interface EvalOptions {
  format: DatasetFormat;
  drop?: readonly CanonicalField[];
  config?: Partial<IdentityConfig>;
  onProgress?: (stage: LinkStage, done: number, total: number) => void;
}

export function evaluateIdentity(dir: string, options: EvalOptions): EvalDetails {
  const started = process.hrtime.bigint();
  const dataset = readDataset(dir, options.format);
  const records = options.drop?.length ? dropFields(dataset.records, options.drop) : dataset.records;
  const result = linkRecords(records, {
    ...(options.config ? { config: options.config } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const clusterOf = withSourceMerges(result.clusterOf, records.map((r) => r.recordId), dataset.sourceMerges ?? []);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const scores = scorePairwise(clusterOf, dataset.entities);
  return {
    report: {
      precision: scores.precision,
      recall: scores.recall,
      f1: scores.f1,
      reviewRate: records.length === 0 ? 0 : result.reviewRecords.size / records.length,
      pairsCompared: result.pairsCompared,
      seconds,
    },
    scores,
    records: records.length,
    persons: new Set(clusterOf).size,
  };
}

/** The engine's clusters joined where a source asserted a merge, as `relink --all` does. */
function withSourceMerges(clusterOf: Int32Array, ids: readonly string[], merges: readonly { survivor: string; prior: string }[]): Int32Array {
  if (merges.length === 0) return clusterOf;
  const groups = new Map<number, number[]>();
  clusterOf.forEach((c, i) => (groups.get(c) ?? groups.set(c, []).get(c)!).push(i));
  joinSourceMerges(groups, new Map(ids.map((id, i) => [id, i])), merges, new Set(), (i) => ids[i]!);
  const joined = new Int32Array(clusterOf.length);
  for (const [g, members] of groups) for (const i of members) joined[i] = g;
  return joined;
}
