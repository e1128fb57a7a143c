/**
 * Fidelity: our mapping of the 22 FHIR-Converter conformance documents
 * (../shared/data/ccda/ms-fhir-converter/, see its SOURCE.md) against the converter's expected
 * bundles, over the elements fidelity-compare.ts lists. docs/integration.md ("C-CDA" →
 * "Fidelity") says what is compared, what is set apart and why.
 *
 * Prints the agreement per file and overall, resource recall per type, what was set apart and
 * the disagreements by element; asserts the measured floor (FLOOR below; the target is 95 %).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Resource } from '@medplum/fhirtypes';
import { ccdaComparedElements, compareCcdaResources, elementValues, normalizeExpected, type CcdaMismatch } from './fidelity-compare.ts';
import { mapCcdaToBundle } from './map-ccda.ts';

const DATA = new URL('../../../../shared/data/ccda/', import.meta.url).pathname;
const EXPECTED = join(DATA, 'expected/ms-fhir-converter');

interface Pair {
  name: string;
  input: string;
  expected: Resource[];
}

function pairs(): Pair[] {
  if (!existsSync(EXPECTED)) return [];
  return readdirSync(EXPECTED)
    .sort()
    .flatMap((root) =>
      readdirSync(join(EXPECTED, root))
        .sort()
        .map((file) => {
          const bundle = JSON.parse(readFileSync(join(EXPECTED, root, file), 'utf8').replace(/^\uFEFF/, '')) as { entry: { resource: Resource }[] };
          // Upstream's own comparison removes the last entry: a DocumentReference whose date
          // and gzip payload change on every run (SOURCE.md, "Conformance pairs").
          const entries = bundle.entry.slice(0, -1).map((e) => e.resource);
          return { name: `${root}/${file.replace(/-expected\.json$/, '')}`, input: join(DATA, 'ms-fhir-converter', file.replace(/-expected\.json$/, '.ccda')), expected: normalizeExpected(entries) };
        }),
    );
}

/**
 * Where the reference leaves out an element R4 requires (Observation.status and
 * DiagnosticReport.status are 1..1) and we, bound by the spec and by our validator, write it:
 * counted and printed on their own, neither agreement nor disagreement.
 */
const REQUIRED_BY_R4 = new Set(['Observation.status', 'DiagnosticReport.status', 'MedicationStatement.status', 'Immunization.status', 'Procedure.status', 'Encounter.status']);

/**
 * Elements the reference never writes, in any of its bundles (e.g. Patient.maritalStatus,
 * Immunization.lotNumber): comparing them would measure the converter's scope, not our
 * agreement with it, so they are set apart, and printed. Computed from the expected files, so
 * a reference that starts writing one brings it back into the comparison.
 */
function emittedByReference(all: Pair[]): Set<string> {
  const emitted = new Set<string>();
  for (const pair of all) {
    for (const r of pair.expected) {
      for (const path of ccdaComparedElements[r.resourceType] ?? []) if (elementValues(r, path).length) emitted.add(`${r.resourceType}.${path}`);
    }
  }
  return emitted;
}
const isDeparture = (m: CcdaMismatch): boolean => m.expected.length === 0 && REQUIRED_BY_R4.has(`${m.resourceType}.${m.path}`);

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/**
 * The issue's target is 95 %; measured: 94.2 % (1,721 / 1,827). docs/integration.md lists the
 * disagreements left: places where we follow C-CDA on FHIR and the converter does not (the
 * document id's extension it drops, Condition.clinicalStatus it writes for 3 of 38 problems,
 * reaction-level severity, negated immunizations it reports as given, the translation it puts
 * before the code sent) and problems sharing one id that pair with the wrong partner. The
 * assertion guards the measured level against regressions.
 */
const FLOOR = 0.94;

test('C-CDA mapping agreement with the FHIR-Converter bundles (target 95 %, floor 94 %)', (t) => {
  const all = pairs();
  if (all.length === 0) return t.skip(`no conformance pairs under ${EXPECTED}`);
  const percent = (a: number, c: number) => (c === 0 ? 'n/a' : `${((100 * a) / c).toFixed(1)} %`);
  let agreed = 0;
  let compared = 0;
  let departed = 0;
  const unmatched: Record<string, number> = {};
  const expectedByType: Record<string, number> = {};
  const notCompared: Record<string, number> = {};
  const mismatches: CcdaMismatch[] = [];
  const emitted = emittedByReference(all);
  const setApart = Object.entries(ccdaComparedElements).flatMap(([type, paths]) => paths.filter((p) => !emitted.has(`${type}.${p}`)).map((p) => `${type}.${p}`));
  for (const pair of all) {
    const { bundle } = mapCcdaToBundle(readFileSync(pair.input), { receivedAt: new Date('2024-01-01T00:00:00Z') });
    const ours = (bundle.entry ?? []).map((e) => e.resource!);
    const c = compareCcdaResources(pair.expected, ours, (type, path) => emitted.has(`${type}.${path}`));
    const departures = c.mismatches.filter(isDeparture).length;
    mismatches.push(...c.mismatches.filter((m) => !isDeparture(m)));
    agreed += c.agreed;
    compared += c.compared - departures;
    departed += departures;
    add(unmatched, c.unmatchedExpected);
    add(expectedByType, c.expectedByType);
    add(notCompared, c.notCompared);
    t.diagnostic(`${pair.name.padEnd(62)} ${String(c.agreed).padStart(4)}/${String(c.compared - departures).padEnd(4)} ${percent(c.agreed, c.compared - departures).padStart(8)}  ${c.pairs} pairs, ${Object.values(c.unmatchedExpected).reduce((a, b) => a + b, 0)} expected unpaired`);
  }
  t.diagnostic(`elements set apart (the reference never writes them): ${setApart.join(', ')}`);
  t.diagnostic(`overall ${agreed}/${compared} = ${percent(agreed, compared)} over ${all.length} documents`);
  t.diagnostic(`counting the ${departed} R4-required elements the reference omits as disagreements: ${agreed}/${compared + departed} = ${percent(agreed, compared + departed)}`);
  const recall = Object.entries(expectedByType).map(([type, n]) => `${type} ${n - (unmatched[type] ?? 0)}/${n}`);
  t.diagnostic(`reference resources paired with ours, by type: ${recall.join(', ')}`);
  t.diagnostic(`reference resources of types not compared (logical references or out of scope), by type: ${JSON.stringify(notCompared)}`);
  const byPath = new Map<string, number>();
  for (const m of mismatches) byPath.set(`${m.resourceType}.${m.path}`, (byPath.get(`${m.resourceType}.${m.path}`) ?? 0) + 1);
  t.diagnostic(`disagreements by element: ${[...byPath].sort((a, b) => b[1] - a[1]).map(([p, n]) => `${p} ${n}`).join(', ')}`);
  assert.ok(compared > 500, `a meaningful number of elements is compared (${compared})`);
  if (agreed / compared < 0.95) t.diagnostic(`below the 95 % target by ${(95 - (100 * agreed) / compared).toFixed(1)} points`);
  assert.ok(agreed / compared >= FLOOR, `agreement ${percent(agreed, compared)} fell below the ${FLOOR * 100} % floor`);
});
