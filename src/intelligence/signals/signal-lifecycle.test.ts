import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DetectedIssue } from '@medplum/fhirtypes';
import { expectCodedError } from '../../test-support/coded-error.ts';
import { fromDetectedIssue, signalIdOf } from './detected-issue.ts';
import { reconcileSignals, transitionSignal } from './signal-lifecycle.ts';
import type { Finding } from './signal.ts';

const person = { id: 'p1', patientIds: ['p1'] };
const finding = (key: string, title = 'HbA1c repeated'): Finding => ({
  kind: 'duplicate-test',
  key,
  priority: 'moderate',
  title,
  explanation: 'because',
  evidence: [{ reference: 'Observation/a', sourceSystem: 'lab' }],
  facts: [{ label: 'gap', value: '41 days', evidence: ['Observation/a'] }],
  rule: { id: 'duplicate-test/HbA1c', version: '1.0.0' },
  actions: [{ code: 'review', display: 'Review' }],
  dueBy: '2026-07-01',
});

describe('signal lifecycle', () => {
  test('a new finding is raised open with a stable id; the DetectedIssue round-trips', () => {
    const { writes, tally } = reconcileSignals(person, ['duplicate-test'], [], [finding('k1')], '2026-06-01T00:00:00.000Z');
    assert.equal(writes.length, 1);
    const issue = writes[0]!;
    assert.equal(issue.id, signalIdOf('duplicate-test|p1|k1'));
    assert.deepEqual(issue.identifier, [{ system: 'urn:longitude:signal', value: 'duplicate-test|p1|k1' }]);
    assert.deepEqual(issue.meta?.tag, [{ system: 'urn:longitude:signal-status', code: 'open' }]);
    const signal = fromDetectedIssue(issue);
    assert.equal(signal.lifecycle.status, 'open');
    assert.deepEqual(signal.facts, finding('k1').facts);
    assert.deepEqual(tally.get('duplicate-test'), { raised: 1, stillOpen: 0, resolved: 0 });
  });

  test('the same finding again is still open, not raised twice; gone, it resolves itself; back, it reopens', () => {
    const first = reconcileSignals(person, ['duplicate-test'], [], [finding('k1')], '2026-06-01T00:00:00.000Z').writes;
    const again = reconcileSignals(person, ['duplicate-test'], first, [finding('k1')], '2026-06-02T00:00:00.000Z');
    assert.deepEqual(again.writes, first, 'an unchanged finding rewrites the identical resource (the store writes no version)');
    assert.deepEqual(again.tally.get('duplicate-test'), { raised: 0, stillOpen: 1, resolved: 0 });
    const gone = reconcileSignals(person, ['duplicate-test'], first, [], '2026-06-03T00:00:00.000Z');
    const resolved = fromDetectedIssue(gone.writes[0]!);
    assert.deepEqual([resolved.lifecycle.status, resolved.lifecycle.automatic, resolved.lifecycle.by], ['resolved', true, 'system:signals']);
    assert.deepEqual(gone.tally.get('duplicate-test'), { raised: 0, stillOpen: 0, resolved: 1 });
    const back = reconcileSignals(person, ['duplicate-test'], gone.writes, [finding('k1')], '2026-06-04T00:00:00.000Z');
    assert.equal(fromDetectedIssue(back.writes[0]!).lifecycle.status, 'open');
    assert.equal(back.writes[0]!.mitigation?.length, 3);
  });

  test('a dismissed signal stays dismissed while its finding persists, and kinds not run are left alone', () => {
    const first = reconcileSignals(person, ['duplicate-test'], [], [finding('k1')], '2026-06-01T00:00:00.000Z').writes;
    const dismissed = transitionSignal(first[0]!, 'dismiss', 'user:dr-a', '2026-06-02T00:00:00.000Z', 'patient declined');
    const again = reconcileSignals(person, ['duplicate-test'], [dismissed], [finding('k1', 'new title')], '2026-06-03T00:00:00.000Z');
    const signal = fromDetectedIssue(again.writes[0]!);
    assert.deepEqual([signal.lifecycle.status, signal.lifecycle.reason, signal.title], ['dismissed', 'patient declined', 'new title']);
    assert.deepEqual(reconcileSignals(person, ['care-gap'], first, [], '2026-06-03T00:00:00.000Z').writes, []);
  });

  test('after a merge the survivor takes over the same finding with its state; the old signal closes as carried over', () => {
    const merged = { id: 'p-old', patientIds: ['p1'] };
    const raised = reconcileSignals(merged, ['duplicate-test'], [], [finding('k1')], '2026-06-01T00:00:00.000Z').writes;
    const acknowledged = transitionSignal(raised[0]!, 'acknowledge', 'user:cm-1', '2026-06-02T00:00:00.000Z');
    const survivor = { id: 'p-new', patientIds: ['p1', 'p2'] };
    const { writes, tally } = reconcileSignals(survivor, ['duplicate-test'], [acknowledged], [finding('k1')], '2026-06-03T00:00:00.000Z');
    const [taken, old] = writes.map((w) => fromDetectedIssue(w));
    assert.deepEqual([taken!.findingKey, taken!.lifecycle.status, taken!.lifecycle.by, taken!.raisedAt], ['duplicate-test|p-new|k1', 'acknowledged', 'user:cm-1', '2026-06-01T00:00:00.000Z']);
    assert.match(JSON.stringify(writes[0]!.mitigation), /carried over from person p-old/);
    assert.deepEqual([old!.findingKey, old!.lifecycle.status, old!.lifecycle.reason], ['duplicate-test|p-old|k1', 'resolved', 'carried over to person p-new (merged)']);
    assert.deepEqual(tally.get('duplicate-test'), { raised: 0, stillOpen: 1, resolved: 0 }, 'nothing raised or resolved from the staff\'s point of view');
    const gone = reconcileSignals(merged, ['duplicate-test'], raised, [], '2026-06-02T00:00:00.000Z').writes;
    const reopened = reconcileSignals(survivor, ['duplicate-test'], gone, [finding('k1')], '2026-06-03T00:00:00.000Z');
    assert.equal(fromDetectedIssue(reopened.writes[0]!).lifecycle.status, 'open', 'resolved automatically before the merge, back after it: open again');
    assert.deepEqual(reopened.tally.get('duplicate-test'), { raised: 1, stillOpen: 0, resolved: 0 });
  });

  test('a part of a kind that could not be checked keeps its signals; the rest of the kind is reconciled', () => {
    const first = reconcileSignals(person, ['duplicate-test'], [], [finding('HbA1c|2026-05-01'), finding('TSH|2026-05-02')], '2026-06-01T00:00:00.000Z').writes;
    const { writes } = reconcileSignals(person, ['duplicate-test'], first, [], '2026-06-02T00:00:00.000Z', [{ kind: 'duplicate-test', keyPrefix: 'TSH|' }]);
    assert.deepEqual(writes.map((w) => [fromDetectedIssue(w).key, fromDetectedIssue(w).lifecycle.status]), [['HbA1c|2026-05-01', 'resolved']], 'the TSH signal is not written at all');
  });

  test('transitions: open → acknowledged → resolved; dismiss needs a reason; closed signals refuse', async () => {
    const [open] = reconcileSignals(person, ['duplicate-test'], [], [finding('k1')], '2026-06-01T00:00:00.000Z').writes as [DetectedIssue];
    const acked = transitionSignal(open, 'acknowledge', 'user:dr-a', '2026-06-02T00:00:00.000Z');
    assert.equal(fromDetectedIssue(acked).lifecycle.status, 'acknowledged');
    await expectCodedError(Promise.resolve().then(() => transitionSignal(acked, 'acknowledge', 'user:dr-a', '2026-06-02T00:00:00.000Z')), 'LNG_CONFLICT');
    await expectCodedError(Promise.resolve().then(() => transitionSignal(acked, 'dismiss', 'user:dr-a', '2026-06-02T00:00:00.000Z', ' ')), 'LNG_BAD_REQUEST');
    const resolved = transitionSignal(acked, 'resolve', 'user:dr-a', '2026-06-03T00:00:00.000Z', 'test done');
    assert.deepEqual(fromDetectedIssue(resolved).lifecycle, { status: 'resolved', by: 'user:dr-a', at: '2026-06-03T00:00:00.000Z', reason: 'test done' });
    await expectCodedError(Promise.resolve().then(() => transitionSignal(resolved, 'dismiss', 'user:dr-a', '2026-06-04T00:00:00.000Z', 'x')), 'LNG_CONFLICT');
  });
});
