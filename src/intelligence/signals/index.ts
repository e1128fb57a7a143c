/**
 * Signals: findings staff act on, computed from a person's longitudinal record by one pure
 * function per kind, stored as DetectedIssue resources with a lifecycle, kept fresh from the
 * outbox, and surfaced over /signals and CDS Hooks. See docs/signals.md.
 */
export * from './signal.ts';
export { entriesOf, evidenceOf, personRecordOf, referenceOf, sourceSystemOf, type PersonRecord, type RecordEntry } from './person-record.ts';
export { loadPersonRecord } from './person-record-loader.ts';
export { identityPersons, patientPersons, type PersonDirectory, type PersonRef } from './person-directory.ts';
export { signalKindRegistry, signalKindById } from './kinds/index.ts';
export { fromDetectedIssue, toDetectedIssue, signalIdOf, SIGNAL_IDENTIFIER_SYSTEM, SIGNAL_KIND_SYSTEM, SIGNAL_STATUS_TAG, SIGNAL_EXTENSION } from './detected-issue.ts';
export { reconcileSignals, transitionSignal, signalActions, emptyTally, SYSTEM_ACTOR, type KindTally, type SignalAction } from './signal-lifecycle.ts';
export { SignalRunner, type PersonRun, type SignalRunnerDeps } from './signal-runner.ts';
export { SignalService, type SignalFilter } from './signal-service.ts';
export { signalsSubscriber, SignalWorker, patientReferencesIn, type SignalWorkerOptions } from './signal-consumer.ts';
export { cdsServices, cdsServiceIds, cardsForSignals, draftLabOrders, duplicateOrderCards, type Card, type CdsService } from './cds-hooks.ts';
export { contactDrift, mostRecentContact, type CurrentContact } from './kinds/contact-drift.ts';
export { testWindows } from './kinds/duplicate-test-windows.ts';
export { createSignalServices, runSignals, type RunSummary, type SignalServiceOptions } from './signal-run.ts';
export { attachIncrementalSignals, type IncrementalSignals } from './incremental-signals.ts';
