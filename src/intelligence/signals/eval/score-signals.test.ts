import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scoreFindings } from './score-signals.ts';
import { ourKey, truthKey, type TruthSignal } from './signal-truth.ts';
import { truthPersonOf } from './truth-persons.ts';

const truth = (kind: string, code: string, details: Record<string, unknown>): TruthSignal => ({ id: `P1-${kind}`, personId: 'P1', kind, code, reasons: [], details });

test('a labelled signal and ours name the same finding alike', () => {
  assert.deepEqual(truthKey(truth('care-gap', 'colorectal-cancer-screening', {})), ourKey({ kind: 'care-gap', key: 'CMS130|2025-12-04' }, 'P1'));
  assert.deepEqual(truthKey(truth('duplicate-test', 'repeat-within-days', { loinc: '4548-4', date: '2026-03-02' })), ourKey({ kind: 'duplicate-test', key: 'HbA1c|2026-03-02' }, 'P1'));
  assert.deepEqual(
    truthKey(truth('discharge-no-follow-up', 'no-visit-within-7-days', { dischargeDate: '2026-03-01' })),
    ourKey({ kind: 'discharge-without-follow-up', key: '7d|Encounter/e1', dueBy: '2026-03-08' }, 'P1'),
  );
  assert.deepEqual(truthKey(truth('contact-drift', 'homePhone', { field: 'homePhone' })), ourKey({ kind: 'contact-drift', key: 'phone|Patient/h1' }, 'P1'));
  assert.deepEqual(truthKey(truth('medication-conflict', 'therapeutic-duplication', {})), ourKey({ kind: 'medication-conflict', key: 'duplicate-therapy|ssri' }, 'P1'));
});

test('what the simulator does not label is left out, not scored', () => {
  assert.equal(ourKey({ kind: 'care-gap', key: 'CMS165|2025-12-04' }, 'P1'), undefined);
  assert.equal(ourKey({ kind: 'discharge-without-follow-up', key: '30d|Encounter/e1', dueBy: '2026-03-31' }, 'P1'), undefined);
  assert.equal(ourKey({ kind: 'discharge-without-follow-up', key: '7d|Encounter/e1', dueBy: '2026-12-05' }, 'P1', '2026-12-03'), undefined, 'the week is not over');
  assert.equal(ourKey({ kind: 'readmission-risk', key: 'Encounter/e1' }, 'P1'), undefined);
});

test('precision and recall per kind, as sets of keys', () => {
  const expected = [{ kind: 'care-gap', key: 'P1|CMS130' }, { kind: 'care-gap', key: 'P2|CMS130' }, { kind: 'contact-drift', key: 'P1|phone' }];
  const raised = [{ kind: 'care-gap', key: 'P1|CMS130' }, { kind: 'care-gap', key: 'P3|CMS125' }, { kind: 'care-gap', key: 'P1|CMS130' }];
  const scores = scoreFindings(['care-gap', 'contact-drift', 'duplicate-test'], expected, raised);
  assert.deepEqual(
    { ...scores['care-gap'] },
    { precision: 0.5, recall: 0.5, expected: 2, raised: 2, matched: 1, missed: ['P2|CMS130'], unexpected: ['P3|CMS125'] },
  );
  assert.equal(scores['contact-drift']!.recall, 0);
  assert.equal(scores['contact-drift']!.precision, 1, 'nothing raised: nothing wrong said');
  assert.deepEqual([scores['duplicate-test']!.precision, scores['duplicate-test']!.recall], [1, 1]);
});

test('a person of ours is the labelled person most of its source records belong to', () => {
  const byRecord = new Map([['C1', 'P1'], ['M1', 'P1'], ['73', 'P2']]);
  const recordIdsOf = new Map([['c', ['C1', 'urn-x']], ['m', ['M1']], ['h', ['73']], ['u', ['nothing']]]);
  assert.equal(truthPersonOf(['c', 'm', 'h'], recordIdsOf, byRecord), 'P1');
  assert.equal(truthPersonOf(['h'], recordIdsOf, byRecord), 'P2');
  assert.equal(truthPersonOf(['u'], recordIdsOf, byRecord), undefined);
});
