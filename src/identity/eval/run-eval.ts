/**
 * Runs a labelled dataset through the engine and scores it. The labels are passed to the scorer
 * only, after linking.
 */
import { linkRecords, type LinkStage } from '../link.ts';
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
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const scores = scorePairwise(result.clusterOf, dataset.entities);
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
    persons: new Set(result.clusterOf).size,
  };
}
