/**
 * A signal stored as a FHIR DetectedIssue (http://hl7.org/fhir/R4/detectedissue.html), so it
 * is searchable through the FHIR API like the rest of the record, written through the store
 * (policy, audit, outbox events) and versioned. Mapping (docs/signals.md, "Storage"):
 *
 * | Signal            | DetectedIssue                                                      |
 * |-------------------|--------------------------------------------------------------------|
 * | findingKey        | identifier `urn:longitude:signal|<key>`; id `sig-<sha256(key)[:40]>` |
 * | kind              | code `urn:longitude:signal-kind|<kind>`                             |
 * | person            | patient (first source Patient)                                      |
 * | priority          | severity (high / moderate / low)                                    |
 * | title             | extension `urn:longitude:signal:title`, and code.text               |
 * | explanation       | detail                                                              |
 * | evidence          | implicated (display; source system in extension on the Reference)   |
 * | facts             | evidence[].code.text + evidence[].detail                            |
 * | rule              | reference `urn:longitude:rule:<id>|<version>`                       |
 * | actions           | extension `urn:longitude:signal:next-action` (valueCodeableConcept) |
 * | dueBy             | extension `urn:longitude:signal:due-by` (valueDate)                 |
 * | lifecycle         | extension `urn:longitude:signal:lifecycle` (complex) + meta.tag      |
 * |                   | `urn:longitude:signal-status|<status>` (search `_tag`) + mitigation  |
 * | raisedAt          | identifiedDateTime                                                  |
 *
 * The whole finding is also kept, losslessly, as canonical JSON in the extension
 * `urn:longitude:signal:finding`; reading a signal back reads that and the lifecycle.
 */
import { createHash } from 'node:crypto';
import type { DetectedIssue, Extension, Reference } from '@medplum/fhirtypes';
import { canonicalJson } from '../../platform/canonical-json.ts';
import { LongitudeError } from '../../platform/errors.ts';
import { lifecycleStatuses, type Finding, type LifecycleState, type LifecycleStatus, type Signal } from './signal.ts';

export const SIGNAL_IDENTIFIER_SYSTEM = 'urn:longitude:signal';
export const SIGNAL_KIND_SYSTEM = 'urn:longitude:signal-kind';
export const SIGNAL_STATUS_TAG = 'urn:longitude:signal-status';
export const SIGNAL_EXTENSION = {
  finding: 'urn:longitude:signal:finding',
  title: 'urn:longitude:signal:title',
  nextAction: 'urn:longitude:signal:next-action',
  dueBy: 'urn:longitude:signal:due-by',
  lifecycle: 'urn:longitude:signal:lifecycle',
  sourceSystem: 'urn:longitude:signal:source-system',
} as const;

/** The DetectedIssue id of a finding key: stable, so writing it again updates, never duplicates. */
export function signalIdOf(findingKey: string): string {
  return `sig-${createHash('sha256').update(findingKey).digest('hex').slice(0, 40)}`;
}

/** resolved and dismissed are closed; a closed signal is not reopened except after an automatic resolution. */
export function isOpen(status: LifecycleStatus): boolean {
  return status === 'open' || status === 'acknowledged';
}

/**
 * DetectedIssue.status is the status of the detection (R4 binds it to ObservationStatus), not
 * of the follow-up: a signal's detection is always `final`; its lifecycle is the extension.
 */
const issueStatus = 'final';

function lifecycleExtension(state: LifecycleState): Extension {
  return {
    url: SIGNAL_EXTENSION.lifecycle,
    extension: [
      { url: 'status', valueCode: state.status },
      { url: 'by', valueString: state.by },
      { url: 'at', valueDateTime: state.at },
      ...(state.reason ? [{ url: 'reason', valueString: state.reason }] : []),
      ...(state.automatic ? [{ url: 'automatic', valueBoolean: true }] : []),
      ...(state.assignee ? [{ url: 'assignee', valueString: state.assignee }] : []),
    ],
  };
}

function readLifecycle(issue: DetectedIssue): LifecycleState {
  const ext = issue.extension?.find((e) => e.url === SIGNAL_EXTENSION.lifecycle)?.extension ?? [];
  const part = (url: string) => ext.find((e) => e.url === url);
  const status = part('status')?.valueCode as LifecycleStatus | undefined;
  if (!status || !lifecycleStatuses.includes(status)) throw new LongitudeError('LNG_UNPROCESSABLE', `DetectedIssue/${issue.id} has no signal lifecycle`);
  const reason = part('reason')?.valueString;
  return {
    status,
    by: part('by')?.valueString ?? 'unknown',
    at: part('at')?.valueDateTime ?? '',
    ...(reason ? { reason } : {}),
    ...(part('automatic')?.valueBoolean ? { automatic: true } : {}),
    ...(part('assignee')?.valueString ? { assignee: part('assignee')!.valueString! } : {}),
  };
}

/** The DetectedIssue for a signal; `history` is the lifecycle changes so far (mitigation). */
export function toDetectedIssue(signal: Signal, history: DetectedIssue['mitigation'] = []): DetectedIssue {
  const { id: _id, lifecycle, person, raisedAt, findingKey, ...finding } = signal;
  const ref = (reference: string, display?: string, sourceSystem?: string): Reference => ({
    reference,
    ...(display ? { display } : {}),
    ...(sourceSystem ? { extension: [{ url: SIGNAL_EXTENSION.sourceSystem, valueString: sourceSystem }] } : {}),
  });
  return {
    resourceType: 'DetectedIssue',
    id: signal.id,
    meta: { tag: [{ system: SIGNAL_STATUS_TAG, code: lifecycle.status }] },
    extension: [
      { url: SIGNAL_EXTENSION.finding, valueString: canonicalJson({ finding, person }) },
      { url: SIGNAL_EXTENSION.title, valueString: finding.title },
      ...finding.actions.map((a) => ({ url: SIGNAL_EXTENSION.nextAction, valueCodeableConcept: { coding: [{ system: 'urn:longitude:next-action', code: a.code }], text: a.display } })),
      ...(finding.dueBy ? [{ url: SIGNAL_EXTENSION.dueBy, valueDate: finding.dueBy }] : []),
      lifecycleExtension(lifecycle),
    ],
    identifier: [{ system: SIGNAL_IDENTIFIER_SYSTEM, value: findingKey }],
    status: issueStatus,
    code: { coding: [{ system: SIGNAL_KIND_SYSTEM, code: finding.kind }], text: finding.title },
    severity: finding.priority,
    patient: { reference: `Patient/${person.patientIds[0]}` },
    identifiedDateTime: raisedAt,
    implicated: finding.evidence.map((e) => ref(e.reference, e.display, e.sourceSystem)),
    ...(finding.facts?.length
      ? { evidence: finding.facts.map((f) => ({ code: [{ text: `${f.label}: ${f.value}` }], ...(f.evidence.length ? { detail: f.evidence.map((r) => ref(r)) } : {}) })) }
      : {}),
    detail: finding.explanation,
    reference: `urn:longitude:rule:${encodeURIComponent(finding.rule.id)}|${finding.rule.version}`,
    ...(history && history.length > 0 ? { mitigation: history } : {}),
  };
}

/** Reads a signal back from its DetectedIssue. */
export function fromDetectedIssue(issue: DetectedIssue): Signal {
  const raw = issue.extension?.find((e) => e.url === SIGNAL_EXTENSION.finding)?.valueString;
  const findingKey = issue.identifier?.find((i) => i.system === SIGNAL_IDENTIFIER_SYSTEM)?.value;
  if (!raw || !findingKey || !issue.id) throw new LongitudeError('LNG_UNPROCESSABLE', `DetectedIssue/${issue.id ?? '?'} is not a signal`);
  const { finding, person } = JSON.parse(raw) as { finding: Finding; person: Signal['person'] };
  return { ...finding, id: issue.id, findingKey, person, raisedAt: issue.identifiedDateTime ?? '', lifecycle: readLifecycle(issue) };
}

/** A lifecycle change as a DetectedIssue.mitigation entry (the trail of who did what). */
export function mitigationOf(state: LifecycleState): NonNullable<DetectedIssue['mitigation']>[number] {
  return {
    action: { coding: [{ system: SIGNAL_STATUS_TAG, code: state.status }], text: `${state.status}${state.reason ? `: ${state.reason}` : ''}` },
    date: state.at,
    author: { display: state.by },
  };
}
