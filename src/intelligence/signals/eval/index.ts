/** Signals against a simulated organization's labelled ones (`longitude eval signals`). */
export { ourKey, readSignalTruth, scoredKinds, truthKey, type KeyedFinding, type SignalTruth, type TruthSignal } from './signal-truth.ts';
export { scoreFindings, type KindScore } from './score-signals.ts';
export { readTruthRecords, truthPersonOf } from './truth-persons.ts';
