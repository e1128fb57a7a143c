import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeReport } from './quality-report.ts';

test('quality report: per-rule findings from the CLI form; shares from counts', () => {
  const report = normalizeReport({
    source: 'hospital',
    checked: 4,
    passing: 3,
    passingShare: 0.75,
    clean: 2,
    byRule: [{ ruleId: 'code-loinc', severity: 'error', findings: 2, resources: 1 }],
    records: 4,
    score: 0.75,
    checks: [{ check: 'code-loinc', failed: 1, rate: 0.25 }],
  });
  assert.deepEqual(report, { source: 'hospital', checked: 4, passing: 3, passingShare: 0.75, cleanShare: 0.5, rules: [{ rule: 'code-loinc', severity: 'error', findings: 2, resources: 1 }] });
});

test('quality report: the summarized form alone still charts', () => {
  const report = normalizeReport({ source: 'crm', records: 10, score: 0.9, checks: [{ check: 'required-element', failed: 1, rate: 0.1 }] });
  assert.deepEqual([report.checked, report.passing, report.passingShare, report.cleanShare], [10, 9, 0.9, null]);
  assert.deepEqual(report.rules, [{ rule: 'required-element', findings: 1, rate: 0.1 }]);
});
