/**
 * The identity layer's public surface: the matching engine (normalize, compare, block, score,
 * estimate, cluster) and its evaluation. Other folders import from here only.
 */
export type { NormalizedRecord, SourceRecord } from './types.ts';
export { normalizeRecord } from './normalize/record.ts';
export { PERSON_COMPARISONS } from './compare/fields.ts';
export { PERSON_BLOCKING_RULES, generateCandidatePairs } from './blocking.ts';
export { DEFAULT_IDENTITY_CONFIG, resolveIdentityConfig, probabilityToWeight, weightToProbability, type IdentityConfig } from './config.ts';
export { explainPair, scorePair, type MatchModel, type FieldWeight } from './fellegi-sunter.ts';
export { linkRecords, type LinkResult, type LinkStage } from './link.ts';
export { evaluateIdentity, type EvalReport, type EvalDetails } from './eval/run-eval.ts';
export {
  CANONICAL_FIELDS, DATASET_FORMATS, detectFormat, readDataset, type CanonicalField, type DatasetFormat, type LabelledDataset,
} from './eval/datasets.ts';
