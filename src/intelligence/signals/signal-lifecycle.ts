/**
 * The lifecycle, as pure functions: reconciling a run's findings with the stored signals
 * (raise new, refresh, auto-resolve, reopen), and the transitions staff make.
 *
 *   open ──acknowledge──► acknowledged ──resolve──► resolved
 *     │                        │        ──dismiss──► dismissed (reason required)
 *     └───── resolve / dismiss ┘
 *   open | acknowledged ──(evidence gone)──► resolved (automatic)
 *   resolved (automatic) ──(evidence back)──► open
 *
 * A signal closed by a person (resolved or dismissed) stays closed while the finding
 * persists: its evidence is refreshed but it is not raised again.
 *
 * Persons merge (identity): the survivor's run finds the merged-away person's signals among
 * its records' stored ones, under that person's id. The same finding (kind and key) is carried
 * over to the survivor with its state, assignee and history, and the old signal is closed as
 * carried over: staff do not see it twice, nor lose an acknowledgement to a merge.
 */
import type { DetectedIssue } from '@medplum/fhirtypes';
import { LongitudeError } from '../../platform/errors.ts';
import { fromDetectedIssue, isOpen, mitigationOf, signalIdOf, toDetectedIssue } from './detected-issue.ts';
import { findingKeyOf, type Finding, type LifecycleState, type Signal, type SignalKindId } from './signal.ts';

export const SYSTEM_ACTOR = 'system:signals';

export interface KindTally {
  raised: number;
  stillOpen: number;
  resolved: number;
}

export interface Reconciliation {
  writes: DetectedIssue[];
  tally: Map<SignalKindId, KindTally>;
}

export function emptyTally(): KindTally {
  return { raised: 0, stillOpen: 0, resolved: 0 };
}

/** A part of a kind that could not be checked on this run (a measure whose CQL failed). */
export interface Unchecked {
  kind: SignalKindId;
  /** Stored signals of the kind whose key starts with this are left as they are. */
  keyPrefix: string;
}

/**
 * What to write after a run of `kinds` for one person.
 * @param existing - the person's stored signals of those kinds
 * @param now - ISO timestamp of the run
 * @param unchecked - parts of the kinds that could not be checked: their signals are not resolved
 */
export function reconcileSignals(
  person: Signal['person'],
  kinds: readonly SignalKindId[],
  existing: readonly DetectedIssue[],
  findings: readonly Finding[],
  now: string,
  unchecked: readonly Unchecked[] = [],
): Reconciliation {
  const tally = new Map(kinds.map((k) => [k, emptyTally()]));
  const parsed = existing.map((issue) => ({ issue, signal: fromDetectedIssue(issue) }));
  const stored = new Map(parsed.map((entry) => [entry.signal.findingKey, entry]));
  // Signals another person id raised on records now this person's (a merge), by kind and key.
  const fromMerged = new Map(parsed.filter(({ signal }) => signal.person.id !== person.id).map((s) => [`${s.signal.kind}|${s.signal.key}`, s]));
  const carried = new Set<string>();
  const writes: DetectedIssue[] = [];
  const seen = new Set<string>();
  for (const finding of findings) {
    const findingKey = findingKeyOf(finding, person.id);
    if (seen.has(findingKey)) continue;
    seen.add(findingKey);
    const count = tally.get(finding.kind) ?? emptyTally();
    tally.set(finding.kind, count);
    const own = stored.get(findingKey);
    const prior = own ?? fromMerged.get(`${finding.kind}|${finding.key}`);
    if (!prior) {
      const lifecycle: LifecycleState = { status: 'open', by: SYSTEM_ACTOR, at: now };
      writes.push(toDetectedIssue({ ...finding, id: signalIdOf(findingKey), findingKey, person, raisedAt: now, lifecycle }, [mitigationOf(lifecycle)]));
      count.raised += 1;
      continue;
    }
    // Resolved automatically while the finding was gone, and it is back: open again.
    const back = prior.signal.lifecycle.status === 'resolved' && prior.signal.lifecycle.automatic;
    const lifecycle: LifecycleState = back ? { status: 'open', by: SYSTEM_ACTOR, at: now, reason: 'the evidence supports it again' } : prior.signal.lifecycle;
    if (back) count.raised += 1;
    else if (isOpen(lifecycle.status)) count.stillOpen += 1;
    const history = prior.issue.mitigation ?? [];
    if (own) {
      writes.push(toDetectedIssue({ ...finding, id: own.signal.id, findingKey, person, raisedAt: own.signal.raisedAt, lifecycle }, back ? [...history, mitigationOf(lifecycle)] : history));
      continue;
    }
    carried.add(prior.signal.findingKey);
    const carriedOver = mitigationOf({ ...lifecycle, by: SYSTEM_ACTOR, at: now, reason: `carried over from person ${prior.signal.person.id} (merged)` });
    writes.push(toDetectedIssue({ ...finding, id: signalIdOf(findingKey), findingKey, person, raisedAt: prior.signal.raisedAt, lifecycle }, [...history, carriedOver]));
  }
  for (const [findingKey, { issue, signal }] of stored) {
    if (seen.has(findingKey)) continue;
    if (!isOpen(signal.lifecycle.status) || !kinds.includes(signal.kind)) continue;
    if (unchecked.some((u) => u.kind === signal.kind && signal.key.startsWith(u.keyPrefix))) continue;
    const reason = carried.has(findingKey) ? `carried over to person ${person.id} (merged)` : 'the evidence no longer supports it';
    const lifecycle: LifecycleState = { status: 'resolved', by: SYSTEM_ACTOR, at: now, reason, automatic: true };
    writes.push(toDetectedIssue({ ...signal, lifecycle }, [...(issue.mitigation ?? []), mitigationOf(lifecycle)]));
    if (carried.has(findingKey)) continue;
    const count = tally.get(signal.kind) ?? emptyTally();
    count.resolved += 1;
    tally.set(signal.kind, count);
  }
  return { writes, tally };
}

export const signalActions = ['acknowledge', 'resolve', 'dismiss'] as const;
export type SignalAction = (typeof signalActions)[number];

const allowedFrom: Record<SignalAction, readonly string[]> = {
  acknowledge: ['open'],
  resolve: ['open', 'acknowledged'],
  dismiss: ['open', 'acknowledged'],
};
const resultOf: Record<SignalAction, LifecycleState['status']> = { acknowledge: 'acknowledged', resolve: 'resolved', dismiss: 'dismissed' };

/** A person's action on a signal: the new DetectedIssue, or LNG_CONFLICT when the state does not allow it. */
export function transitionSignal(issue: DetectedIssue, action: SignalAction, by: string, now: string, reason?: string): DetectedIssue {
  const signal = fromDetectedIssue(issue);
  if (!allowedFrom[action].includes(signal.lifecycle.status)) {
    throw new LongitudeError('LNG_CONFLICT', `cannot ${action} a signal that is ${signal.lifecycle.status}`);
  }
  if (action === 'dismiss' && !reason?.trim()) throw new LongitudeError('LNG_BAD_REQUEST', 'dismissing a signal needs a reason');
  const assignee = signal.lifecycle.assignee;
  const lifecycle: LifecycleState = { status: resultOf[action], by, at: now, ...(reason?.trim() ? { reason: reason.trim() } : {}), ...(assignee ? { assignee } : {}) };
  return toDetectedIssue({ ...signal, lifecycle }, [...(issue.mitigation ?? []), mitigationOf(lifecycle)]);
}

/** "Assign to me": the signal keeps its status and gains whom it is with; only while it is open. */
export function assignSignal(issue: DetectedIssue, assignee: string, now: string): DetectedIssue {
  const signal = fromDetectedIssue(issue);
  if (!isOpen(signal.lifecycle.status)) throw new LongitudeError('LNG_CONFLICT', `cannot assign a signal that is ${signal.lifecycle.status}`);
  const lifecycle: LifecycleState = { ...signal.lifecycle, by: assignee, at: now, assignee };
  const entry = mitigationOf(lifecycle);
  return toDetectedIssue({ ...signal, lifecycle }, [...(issue.mitigation ?? []), { ...entry, action: { ...entry.action, text: `assigned to ${assignee}` } }]);
}
