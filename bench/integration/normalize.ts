/**
 * Normalization and data quality over a simulated organization: every hospital and reference
 * lab HL7 message (mapped to FHIR) and every clinic EHR bundle goes through normalizeBundle and
 * checkBundleQuality. Prints, per source, resources, changes by rule family, findings by rule,
 * throughput, and how many Observations share a same-fact key with another source's (the
 * hospital forwarding reference-lab results: the simulator's duplicateLabReport errors).
 *
 *   node bin/longitude.js simulate --out /tmp/org --people 1000
 *   node --import tsx bench/integration/normalize.ts /tmp/org
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Bundle, Observation, Patient } from '@medplum/fhirtypes';
import { parseMessage } from '../../src/integration/hl7v2/parse.ts';
import { splitMessages } from '../../src/integration/hl7v2/split.ts';
import { mapHl7ToBundle, unsupportedReason } from '../../src/integration/hl7v2-fhir/map-message.ts';
import { normalizeBundle, sameFactKey } from '../../src/integration/normalize/index.ts';
import { checkBundleQuality } from '../../src/integration/quality/index.ts';

const dir = process.argv[2];
if (!dir) throw new Error('usage: bench/integration/normalize.ts <simulated organization dir>');

const identity = new Map<string, string>();
for (const line of readFileSync(join(dir, 'truth', 'identity.csv'), 'utf8').trim().split('\n').slice(1)) {
  const [silo, record, person] = line.split(',');
  identity.set(`${silo}|${record}`, person!);
}

function hl7Bundles(silo: string): Bundle[] {
  const bundles: Bundle[] = [];
  for (const file of readdirSync(join(dir!, silo)).filter((f) => f.endsWith('.hl7')).sort()) {
    for (const [i, m] of splitMessages(readFileSync(join(dir!, silo, file), 'utf8')).messages.entries()) {
      const parsed = parseMessage(m.content);
      if (!parsed.ok || unsupportedReason(parsed.message)) continue;
      try {
        bundles.push(mapHl7ToBundle(parsed.message, { messageId: `${file}#${i}`, channel: silo, receivedAt: new Date() }));
      } catch {
        // a message the mapper rejects (its error is the mapper's to report)
      }
    }
  }
  return bundles;
}

function clinicBundles(): Bundle[] {
  const root = join(dir!, 'ehr-clinic', 'bundles');
  return readdirSync(root).flatMap((sub) => readdirSync(join(root, sub)).map((f) => JSON.parse(readFileSync(join(root, sub, f), 'utf8')) as Bundle));
}

const sources: [string, string, () => Bundle[]][] = [
  ['hospital', 'hospital', () => hl7Bundles('hospital')],
  ['labs', 'labs', () => hl7Bundles('labs')],
  ['ehr-clinic', 'ehr-clinic', clinicBundles],
];

const keyOwners = new Map<string, Set<string>>();
let keyed = 0;
for (const [source, silo, load] of sources) {
  const bundles = load();
  const resources = bundles.reduce((n, b) => n + (b.entry?.length ?? 0), 0);
  const changesByRule = new Map<string, number>();
  const findingsByRule = new Map<string, number>();
  let normalizeMs = 0;
  let checkMs = 0;
  let failing = 0;
  let checked = 0;
  for (const bundle of bundles) {
    let t = performance.now();
    const { bundle: normalized, changes } = normalizeBundle(bundle, { source });
    normalizeMs += performance.now() - t;
    t = performance.now();
    const checks = checkBundleQuality(normalized);
    checkMs += performance.now() - t;
    for (const c of changes) {
      const family = c.rule.replace(/[:#].*$/, '');
      changesByRule.set(family, (changesByRule.get(family) ?? 0) + 1);
    }
    for (const check of checks) {
      checked++;
      if (check.findings.some((f) => f.severity === 'error')) failing++;
      for (const f of check.findings) findingsByRule.set(`${f.ruleId}/${f.severity}`, (findingsByRule.get(`${f.ruleId}/${f.severity}`) ?? 0) + 1);
    }
    const patient = normalized.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource as Patient | undefined;
    const person = patient?.identifier?.map((i) => identity.get(`${silo}|${i.value}`)).find(Boolean);
    for (const e of normalized.entry ?? []) {
      if (e.resource?.resourceType !== 'Observation') continue;
      const key = sameFactKey(e.resource as Observation, person ? { subjectKey: person } : {});
      if (!key) continue;
      keyed++;
      const owners = keyOwners.get(key) ?? new Set<string>();
      owners.add(source);
      keyOwners.set(key, owners);
    }
  }
  const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en-US')}/s`;
  console.log(`${source}: ${bundles.length} bundles, ${resources} entries; normalize ${rate(resources, normalizeMs)}, quality ${rate(checked, checkMs)} resources`);
  console.log(`  changes: ${[...changesByRule].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(', ') || 'none'}`);
  console.log(`  quality: ${checked} checked, ${checked - failing} passing (${((1 - failing / checked) * 100).toFixed(1)} %); ${[...findingsByRule].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(', ') || 'no findings'}`);
}
const shared = [...keyOwners.values()].filter((o) => o.size > 1).length;
console.log(`same-fact keys: ${keyed} keyed Observations, ${keyOwners.size} distinct; ${shared} reported by more than one source`);
