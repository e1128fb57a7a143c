/**
 * Batch linking at scale: the person-level records of a simulated organization (every silo:
 * clinic Patients, hospital and lab PIDs, payer members, CRM contacts) through the batch engine,
 * timed per stage, with the peak memory and the accuracy against the simulator's labels.
 * Issue 6's target: 1,000,000 source records linked in under 5 minutes on the 2-core machine.
 *
 *   node --import tsx bench/identity/scale.ts --dir SIMDIR          (an organization already written)
 *   node --import tsx bench/identity/scale.ts --people 433000       (simulates into /tmp first;
 *                                                                   ≈ 2.3 records per person)
 *   ... --block-window 8                                            (sorted windows in large blocks;
 *                                                                   IdentityConfig.blockWindow)
 *
 * Reading the files is timed apart from linking: `relink --all` reads its records from the store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { linkRecords, readDataset, type LinkStage } from '../../src/identity/index.ts';
import { scorePairwise } from '../../src/identity/eval/metrics.ts';
import { createProgress } from '../../src/cli/progress.ts';
import { writeOrganization } from '../../src/simulator/index.ts';

const { values } = parseArgs({ options: { dir: { type: 'string' }, people: { type: 'string', default: '433000' }, seed: { type: 'string', default: '1' }, 'block-window': { type: 'string', default: '0' } } });

const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

/** Peak RSS, sampled: process.resourceUsage().maxRSS covers the whole run, simulation included. */
function memorySampler(): { peak: () => number; stop: () => void } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  return { peak: () => Math.max(peak, process.memoryUsage().rss), stop: () => clearInterval(timer) };
}

async function organizationDir(): Promise<{ dir: string; cleanup: () => void }> {
  if (values.dir) return { dir: values.dir, cleanup: () => undefined };
  const root = mkdtempSync(join(tmpdir(), 'longitude-bench-identity-scale-'));
  const started = process.hrtime.bigint();
  await writeOrganization({ outDir: join(root, 'org'), people: Number(values.people), seed: Number(values.seed) });
  console.log(`simulated ${values.people} people in ${seconds(started).toFixed(0)} s`);
  return { dir: join(root, 'org'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

const { dir, cleanup } = await organizationDir();
try {
  let started = process.hrtime.bigint();
  const dataset = readDataset(dir, 'simulator');
  const readSeconds = seconds(started);
  console.log(`read ${dataset.records.length} records in ${readSeconds.toFixed(1)} s (rss ${mib(process.memoryUsage().rss)} MiB)`);

  const stages: LinkStage[] = ['normalize', 'block', 'compare', 'estimate', 'cluster'];
  const stageSeconds = new Map<LinkStage, number>();
  const progress = createProgress('link', stages.length * 100);
  const memory = memorySampler();
  const rssBefore = process.memoryUsage().rss;
  let stageStart = process.hrtime.bigint();
  started = stageStart;
  const cpuBefore = process.cpuUsage();
  const result = linkRecords(dataset.records, {
    config: { blockWindow: Number(values['block-window']) },
    onProgress: (stage, done, total) => {
      progress.update(stages.indexOf(stage) * 100 + Math.floor((100 * done) / Math.max(1, total)));
      if (done === total && !stageSeconds.has(stage)) {
        stageSeconds.set(stage, seconds(stageStart));
        process.stderr.write(`\n${stage}: ${stageSeconds.get(stage)!.toFixed(1)} s${stage === 'block' ? `, ${total} candidate pairs` : ''}, rss ${mib(process.memoryUsage().rss)} MiB\n`);
        stageStart = process.hrtime.bigint();
      }
    },
  });
  const linkSeconds = seconds(started);
  const cpu = process.cpuUsage(cpuBefore);
  const linkCpuSeconds = (cpu.user + cpu.system) / 1e6;
  memory.stop();
  progress.stop();

  const scores = scorePairwise(result.clusterOf, dataset.entities);
  console.log(`\nmachine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${mib(totalmem())} MiB, Node ${process.version}`);
  console.log('| records | persons (labelled) | persons (found) | pairs compared | link s (CPU s) | normalize | block | compare | estimate | cluster | peak RSS while linking | precision | recall | F1 | review |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const stage = (s: LinkStage) => `${(stageSeconds.get(s) ?? 0).toFixed(1)} s`;
  console.log(
    `| ${dataset.records.length} | ${new Set(dataset.entities).size} | ${new Set(result.clusterOf).size} | ${result.pairsCompared} | ${linkSeconds.toFixed(1)} (${linkCpuSeconds.toFixed(1)}) | ` +
      `${stages.map(stage).join(' | ')} | ${mib(memory.peak())} MiB (${mib(rssBefore)} before) | ` +
      `${scores.precision.toFixed(4)} | ${scores.recall.toFixed(4)} | ${scores.f1.toFixed(4)} | ${((100 * result.reviewRecords.size) / dataset.records.length).toFixed(2)} % |`,
  );
  console.log(`blocking: ${result.blocking.map((b) => `${b.rule} ${b.pairs} pairs${b.skippedKeys ? `, ${b.skippedKeys} keys over the cap` : ''}`).join('; ')}`);
} finally {
  cleanup();
}
