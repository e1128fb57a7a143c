/**
 * `longitude eval signals` as a user runs it (a spawned process) on a small simulated
 * organization: the JSON shape the issue specifies, scored against the organization's own
 * truth/signals.json, and a one-line error for a directory without labels.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runLongitude } from '../../test-support/cli-process.ts';

const measures = new URL('../../../../shared/data/measures/', import.meta.url).pathname;
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'eval-signals-'));
  const simulated = runLongitude(['simulate', '--people', '150', '--seed', '7', '--start-date', '2025-12-04', '--out', join(dir, 'org')]);
  assert.equal(simulated.status, 0, simulated.stderr);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('--json scores every labelled kind against truth/signals.json', () => {
  const { status, stdout, stderr } = runLongitude(['eval', 'signals', '--dataset', join(dir, 'org'), '--measures', measures, '--json']);
  assert.equal(status, 0, stderr);
  const result = JSON.parse(stdout) as { kinds: Record<string, { precision: number; recall: number; expected: number; raised: number; matched: number }>; failures: number };
  assert.equal(result.failures, 0, 'every kind ran for every person');
  const truth = JSON.parse(readFileSync(join(dir, 'org', 'truth', 'signals.json'), 'utf8')) as { signals: { kind: string }[] };
  assert.deepEqual(Object.keys(result.kinds).sort(), ['care-gap', 'contact-drift', 'discharge-no-follow-up', 'duplicate-test', 'medication-conflict']);
  for (const [kind, score] of Object.entries(result.kinds)) {
    const labelled = truth.signals.filter((s) => s.kind === kind).length;
    assert.ok(score.expected > 0 || labelled === 0, `${kind}: labelled signals are expected`);
    assert.ok(score.expected <= labelled, kind);
    assert.ok(score.matched <= Math.min(score.expected, score.raised), kind);
    assert.equal(score.recall, score.expected === 0 ? 1 : score.matched / score.expected, kind);
    assert.equal(score.precision, score.raised === 0 ? 1 : score.matched / score.raised, kind);
  }
  // The rule-based kinds find exactly what the simulator labels in this organization (at
  // 2,000 people a few of their 235 labels are still missed: docs/signals.md). Contact drift
  // dates values by when they were loaded, not by when the silo learned them, so it can miss
  // a move most silos have not heard of yet: only its precision is held here.
  for (const kind of ['duplicate-test', 'medication-conflict', 'discharge-no-follow-up']) {
    assert.ok(result.kinds[kind]!.expected > 0, `${kind}: the organization has some`);
    assert.deepEqual([result.kinds[kind]!.precision, result.kinds[kind]!.recall], [1, 1], kind);
  }
  assert.equal(result.kinds['contact-drift']!.precision, 1);
  assert.ok(result.kinds['care-gap']!.matched > 0, 'care gaps: persons are mapped to the labelled ones');
});

test('a directory without labels is one line and exit 2', () => {
  const { status, stderr } = runLongitude(['eval', 'signals', '--dataset', dir]);
  assert.equal(status, 2);
  assert.match(stderr, /^error: .* holds no truth\/signals\.json .*\n$/);
});
