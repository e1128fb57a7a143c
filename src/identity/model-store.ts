/**
 * The match model kept between a batch relink and the online matches that follow it
 * (migration 0014). The model is estimated from all source records (EM for m, random pairs for
 * u, term frequencies); online matching scores one new record with it instead of estimating it
 * again, so a new record gets the weights a relink would give the same pair.
 *
 * Comparisons are code, not data: the stored model names each comparison and its levels, and
 * is only used when they are still the engine's (a model stored by an older engine is ignored
 * until the next relink stores a new one).
 */
import type { Queryable } from '../platform/db/db.ts';
import type { Comparison } from './compare/comparison.ts';
import type { LevelExclusion, MatchModel } from './fellegi-sunter.ts';
import type { TermFrequencies } from './term-frequency.ts';

interface StoredTermFrequencies {
  counts: [string, number][];
  total: number;
  meanAgreeing: number;
}

export interface StoredModel {
  comparisons: { name: string; levels: string[] }[];
  m: number[][];
  u: number[][];
  priorWeight: number;
  /** `excludes` is absent in models stored before 2026-12-04 (the household then takes any pair). */
  household: { h: number[][]; logShare: number; excludes?: LevelExclusion } | null;
  termFrequencies: (StoredTermFrequencies | null)[];
}

export function modelToJson(model: MatchModel): StoredModel {
  return {
    comparisons: model.comparisons.map((c) => ({ name: c.name, levels: [...c.levels] })),
    m: model.m,
    u: model.u,
    priorWeight: model.priorWeight,
    household: model.household ?? null,
    termFrequencies: model.termFrequencies.map((tf) => (tf ? { counts: [...tf.counts], total: tf.total, meanAgreeing: tf.meanAgreeing } : null)),
  };
}

/** The stored model over these comparisons, or undefined when it was made for others. */
export function modelFromJson(stored: StoredModel, comparisons: readonly Comparison[]): MatchModel | undefined {
  const same = stored.comparisons.length === comparisons.length
    && comparisons.every((c, k) => stored.comparisons[k]?.name === c.name && stored.comparisons[k]?.levels.join('\n') === c.levels.join('\n'));
  if (!same) return undefined;
  const termFrequencies = stored.termFrequencies.map((tf): TermFrequencies | undefined =>
    tf ? { counts: new Map(tf.counts), total: tf.total, meanAgreeing: tf.meanAgreeing } : undefined);
  return {
    comparisons,
    m: stored.m,
    u: stored.u,
    priorWeight: stored.priorWeight,
    household: stored.household ?? undefined,
    termFrequencies,
  };
}

/** Replaces the stored model (older ones are never used again). */
export async function saveModel(tx: Queryable, model: MatchModel, records: number): Promise<void> {
  await tx.query('delete from identity_model');
  await tx.query('insert into identity_model (records, model) values ($1, $2)', [records, JSON.stringify(modelToJson(model))]);
}

/** The id of the stored model (a new one per relink), to tell whether a cached copy is current. */
export async function currentModelId(db: Queryable): Promise<number | undefined> {
  const { rows } = await db.query<{ id: string | number }>('select id from identity_model order by id desc limit 1');
  return rows[0] ? Number(rows[0].id) : undefined;
}

/** The newest stored model, with the number of records it was estimated on. */
export async function loadModel(db: Queryable, comparisons: readonly Comparison[]): Promise<{ model: MatchModel; records: number } | undefined> {
  const { rows } = await db.query<{ model: StoredModel | string; records: number }>('select model, records from identity_model order by id desc limit 1');
  const row = rows[0];
  if (!row) return undefined;
  const stored = typeof row.model === 'string' ? (JSON.parse(row.model) as StoredModel) : row.model;
  const model = modelFromJson(stored, comparisons);
  return model ? { model, records: row.records } : undefined;
}
