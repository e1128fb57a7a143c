/**
 * Simulator benchmark: generates N people (default 1,000,000) into a temporary directory and
 * reports wall time, people per second, bytes per silo and peak RSS, then deletes the output.
 * Usage: node --import tsx bench/simulate/run.ts [--people N] [--seed S] [--keep]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeOrganization } from '../../src/simulator/index.ts';

const { values } = parseArgs({ options: { people: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '1' }, keep: { type: 'boolean', default: false } } });
const people = Number(values.people);
const dir = mkdtempSync(join(tmpdir(), 'longitude-bench-sim-'));
const started = performance.now();
let lastReport = started;
const summary = await writeOrganization({
  outDir: dir, people, seed: Number(values.seed),
  onProgress: (done) => {
    const now = performance.now();
    if (now - lastReport > 30_000) {
      lastReport = now;
      process.stderr.write(`${done}/${people} after ${((now - started) / 1000).toFixed(0)} s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB\n`);
    }
  },
});
const seconds = (performance.now() - started) / 1000;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
console.log(`people: ${people} (${summary.households} households), seed ${values.seed}`);
console.log(`wall time: ${seconds.toFixed(1)} s, ${(people / seconds).toFixed(0)} people/s`);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
let total = summary.truthBytes;
for (const [silo, s] of Object.entries(summary.silos)) {
  total += s.bytes;
  console.log(`${silo}: ${s.records} records, ${s.items} ${s.itemName}, ${mib(s.bytes)}`);
}
console.log(`truth: ${mib(summary.truthBytes)}; total ${mib(total)}`);
console.log(`signals: ${JSON.stringify(summary.signals)}; injected errors: ${summary.errors}`);
if (values.keep) console.log(`kept in ${dir}`);
else rmSync(dir, { recursive: true, force: true });
