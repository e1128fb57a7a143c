/**
 * Identity accuracy on every labelled dataset: FEBRL 1-4 (with and without the SSN-like id),
 * Splink fake_1000 and historical_50k, and a simulated organization (generated into a temporary
 * directory). Same engine, same configured thresholds for all; labels used only to score.
 * Usage: node --import tsx bench/identity/eval.ts [--people N] [--seed S]
 * Figures go to docs/benchmarks.md ("Identity matching accuracy").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateIdentity, type CanonicalField, type DatasetFormat } from '../../src/identity/index.ts';
import { writeOrganization } from '../../src/simulator/index.ts';

const { values } = parseArgs({ options: { people: { type: 'string', default: '2000' }, seed: { type: 'string', default: '1' } } });
const data = new URL('../../../shared/data/linkage/', import.meta.url).pathname;
const simDir = mkdtempSync(join(tmpdir(), 'longitude-bench-identity-'));
await writeOrganization({ outDir: join(simDir, 'org'), people: Number(values.people), seed: Number(values.seed) });

const runs: { label: string; dir: string; format: DatasetFormat; drop?: CanonicalField[]; target: string }[] = [
  ...['febrl1', 'febrl2', 'febrl3', 'febrl4'].flatMap((d) => [
    { label: d, dir: `${data}${d}`, format: 'febrl' as const, target: 'F1 ≥ 0.995' },
    { label: `${d} without ssn`, dir: `${data}${d}`, format: 'febrl' as const, drop: ['ssn' as const], target: 'F1 ≥ 0.995' },
  ]),
  { label: 'splink_fake_1000', dir: `${data}splink_fake_1000`, format: 'splink', target: 'F1 ≥ 0.93' },
  { label: 'splink_historical_50k', dir: `${data}splink_historical_50k`, format: 'splink', target: 'F1 ≥ 0.90, < 10 s' },
  { label: `simulator ${values.people} people`, dir: join(simDir, 'org'), format: 'simulator', target: 'F1 ≥ 0.98, review ≤ 2 %' },
];

console.log('| dataset | records | precision | recall | F1 | review | pairs compared | seconds | target |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|');
try {
  for (const run of runs) {
    const { report: r, records } = evaluateIdentity(run.dir, { format: run.format, ...(run.drop ? { drop: run.drop } : {}) });
    console.log(`| ${run.label} | ${records} | ${r.precision.toFixed(4)} | ${r.recall.toFixed(4)} | ${r.f1.toFixed(4)} | ${(100 * r.reviewRate).toFixed(2)} % | ${r.pairsCompared} | ${r.seconds.toFixed(1)} | ${run.target} |`);
  }
} finally {
  rmSync(simDir, { recursive: true, force: true });
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
