/**
 * The signal: one model for every kind of finding staff act on (docs/signals.md, "The
 * signal model"). A kind computes `Finding`s from a person's record; the runner turns them
 * into stored `Signal`s with a lifecycle. Plain data only: storage is detected-issue.ts.
 */
import type { NormalizationTables } from '../../integration/normalize/index.ts';
import type { MeasureEngine, MeasurementPeriod } from '../measures/index.ts';
import type { CurrentContact } from './kinds/contact-drift.ts';
import type { PersonRecord } from './person-record.ts';

export const signalKinds = [
  'care-gap',
  'duplicate-test',
  'medication-conflict',
  'discharge-without-follow-up',
  'readmission-risk',
  'contact-drift',
] as const;
export type SignalKindId = (typeof signalKinds)[number];

/** Priority, highest first; stored as DetectedIssue.severity (high | moderate | low). */
export const priorities = ['high', 'moderate', 'low'] as const;
export type Priority = (typeof priorities)[number];

/** open → acknowledged → resolved | dismissed; resolved also when the evidence goes away. */
export const lifecycleStatuses = ['open', 'acknowledged', 'resolved', 'dismissed'] as const;
export type LifecycleStatus = (typeof lifecycleStatuses)[number];

/** A resource behind a finding, and the silo it came from. */
export interface Evidence {
  /** `Observation/123`. */
  reference: string;
  /** The source system (Provenance agent, meta.source channel, identifier system), or `unknown`. */
  sourceSystem: string;
  /** What it is, in a few words: "HbA1c 7.1 % on 2025-03-02". */
  display?: string;
}

/** A labelled fact inside an explanation (a LACE component, a failed measure criterion). */
export interface Fact {
  label: string;
  value: string;
  /** References (`Type/id`) among the finding's evidence that support it. */
  evidence: string[];
}

/** A recommended next-best action, coded so journeys can react to it. */
export interface NextAction {
  /** `order-test`, `schedule-visit`, `reconcile-medications`, `update-contact`, `review`. */
  code: string;
  display: string;
}

/** What a kind computes: pure data, with a key stable across runs for the same finding. */
export interface Finding {
  kind: SignalKindId;
  /**
   * Identifies the finding within the kind and person ("CMS122|2025-01-01", "4548-4|Observation/9");
   * the same finding must get the same key on every run, and a different finding a different one.
   */
  key: string;
  priority: Priority;
  /** One plain-language line: "No HbA1c result since 2024-03-02". */
  title: string;
  /** A few plain-language sentences: why, and from which sources. */
  explanation: string;
  evidence: Evidence[];
  facts?: Fact[];
  /** The rule or measure that raised it, and its version. */
  rule: { id: string; version: string };
  actions: NextAction[];
  /** YYYY-MM-DD, where a deadline applies. */
  dueBy?: string;
}

export interface LifecycleState {
  status: LifecycleStatus;
  /** The actor that last changed it (`system:signals` for automatic changes). */
  by: string;
  at: string;
  reason?: string;
  /** True when the runner resolved it because the evidence no longer supports it. */
  automatic?: boolean;
  /** Who is working on it (`user:<id>`), set by "assign to me" in the work queue. */
  assignee?: string;
}

/** A stored finding about a person, with its lifecycle. */
export interface Signal extends Finding {
  /** The DetectedIssue id. */
  id: string;
  /** `<kind>|<person>|<key>`: the same finding is never raised twice. */
  findingKey: string;
  person: { id: string; patientIds: string[] };
  raisedAt: string;
  lifecycle: LifecycleState;
}

/** What a kind gets besides the record: the time it runs at and shared, preloaded helpers. */
export interface SignalContext {
  asOf: Date;
  /** Anything a kind needs prepared once (the measure engine, drug tables); see each kind. */
  services: SignalServices;
}

export interface SignalServices {
  measureEngine?: MeasureEngine;
  measurementPeriod?: MeasurementPeriod;
  drugTable?: NormalizationTables['drugs'];
  /** The person's current contact (identity's golden record when there is one). */
  currentContact?: (person: PersonRecord) => CurrentContact;
}

/**
 * A signal kind: one file under kinds/, a pure function of the record. It may be async (the
 * measure engine is), but must not read storage: everything comes in the PersonRecord.
 */
export interface SignalKind {
  id: SignalKindId;
  /** Version of the rule; part of every finding's `rule`. */
  version: string;
  description: string;
  detect(person: PersonRecord, context: SignalContext): Detection | Promise<Detection>;
}

/** What a kind found; a kind that could check only part of the record says which part it could not. */
export type Detection = Finding[] | PartialDetection;

/**
 * Findings of the parts a kind could check, and the parts it could not (a measure whose CQL
 * failed on odd data): stored signals whose key starts with an unchecked `keyPrefix` stay as
 * they were, neither refreshed nor resolved, as for a kind that failed outright.
 */
export interface PartialDetection {
  findings: Finding[];
  unchecked: { keyPrefix: string; reason: string }[];
}

/** The global key of a finding: kind, person and the kind's key. */
export function findingKeyOf(finding: Pick<Finding, 'kind' | 'key'>, personId: string): string {
  return `${finding.kind}|${personId}|${finding.key}`;
}

const priorityRank: Record<Priority, number> = { high: 0, moderate: 1, low: 2 };

/** Highest priority first, then the earliest due date (none last), then newest raised. */
export function compareSignals(a: Signal, b: Signal): number {
  return (
    priorityRank[a.priority] - priorityRank[b.priority] ||
    (a.dueBy ?? '9999').localeCompare(b.dueBy ?? '9999') ||
    b.raisedAt.localeCompare(a.raisedAt)
  );
}
