/**
 * Accuracy on the labelled sets in ../shared/data/linkage (see its README), with the configured
 * thresholds and no per-dataset settings. Figures are printed; the assertions are floors a
 * little under what the engine reaches today (docs/benchmarks.md), so a regression fails. The
 * issue's targets (FEBRL ≥ 0.995 also without the SSN-like id, fake_1000 ≥ 0.93) are printed
 * beside each figure; the ones not yet reached are listed in docs/identity.md.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateIdentity } from './run-eval.ts';

const data = new URL('../../../../shared/data/linkage/', import.meta.url).pathname;

const CASES = [
  { name: 'febrl1', format: 'febrl', floor: 0.995, target: 0.995 },
  { name: 'febrl2', format: 'febrl', floor: 0.995, target: 0.995 },
  { name: 'febrl3', format: 'febrl', floor: 0.995, target: 0.995 },
  { name: 'febrl4', format: 'febrl', floor: 0.995, target: 0.995 },
  { name: 'febrl1', format: 'febrl', drop: ['ssn'], floor: 0.99, target: 0.995 },
  { name: 'febrl4', format: 'febrl', drop: ['ssn'], floor: 0.985, target: 0.995 },
  { name: 'splink_fake_1000', format: 'splink', floor: 0.965, target: 0.93 },
] as const;

for (const c of CASES) {
  const label = `${c.name}${'drop' in c ? ' without ssn' : ''}`;
  test(`identity accuracy: ${label}`, () => {
    const { report } = evaluateIdentity(`${data}${c.name}`, { format: c.format, ...('drop' in c ? { drop: c.drop } : {}) });
    console.log(`${label.padEnd(28)} P ${report.precision.toFixed(4)}  R ${report.recall.toFixed(4)}  F1 ${report.f1.toFixed(4)} (target ${c.target})  review ${(100 * report.reviewRate).toFixed(2)} %  pairs ${report.pairsCompared}`);
    assert.ok(report.f1 >= c.floor, `F1 ${report.f1} < ${c.floor}`);
  });
}
