/**
 * Fidelity: our mapping of the conformance corpus (/work/shared/data/hl7v2/expected/, see its
 * SOURCE.md) against the reference bundles, over the elements fidelity-compare.ts lists.
 * docs/integration.md ("Fidelity") says what is compared, what is not, and why.
 *
 * Prints the agreement per message type and overall, and what was left unpaired, so a
 * regression and a gap are both visible; asserts at least 95 % overall.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Resource } from '@medplum/fhirtypes';
import type { Hl7Message } from '../hl7v2/message.ts';
import { parseMessageOrThrow } from '../hl7v2/parse.ts';
import { compareResources, comparedTypes, sameValue, valuesAt, type Comparison, type Mismatch } from './fidelity-compare.ts';
import { readFhirXml } from './fhir-xml.ts';
import { KEY_SYSTEM_PREFIX } from './identifiers.ts';
import { mapHl7Message } from './map-message.ts';

const DATA = '/work/shared/data/hl7v2';
const CONVERTER = join(DATA, 'expected/ms-fhir-converter');

interface Pair {
  name: string;
  input: string;
  expected: Resource[];
  /** Compared types for this pair (see the exclusions in docs/integration.md). */
  types: string[];
}

/** Values a person resource holds that must come from one source segment (name, ids, address, phone). */
const PERSON_PATHS = ['name.family', 'name.given', 'identifier.value', 'address.line', 'telecom.value'];
/** What a merge makes unreliable: on a Patient, its repeating person data; a RelatedPerson merged from several NK1 is no one person at all. */
const MERGED_PATHS: Record<string, readonly string[]> = {
  Patient: comparedTypes.Patient!.elements.filter((p) => /^(name|identifier|address|telecom)\./.test(p)),
  RelatedPerson: comparedTypes.RelatedPerson!.elements,
};

function segmentText(message: Hl7Message, names: readonly string[]): string[] {
  return message.segments.filter((s) => names.includes(s.name)).map((s) => s.fields.flatMap((f) => f.value.flat(2)).join('\u0001'));
}

/**
 * The reference converter generates resource ids by hashing, and merges resources whose ids
 * collide: the synthetic v2.8 messages' guarantor (GT1), insured (IN1/IN2) and disability (DB1)
 * data land on the Patient, several NK1 in one RelatedPerson. A person resource whose names,
 * identifiers, address lines or phones cannot all be found in one of its source segments
 * (PID + PD1 for a Patient; one NK1, or PID for PID-21's mother, for a RelatedPerson) is such
 * a merge. Its person data (names, identifiers, addresses, phones) is then not compared; a
 * merged RelatedPerson is not compared at all (a Patient's other elements still are).
 */
function mergedPersonPaths(message: Hl7Message): (resource: Record<string, unknown>) => readonly string[] {
  const sources: Record<string, string[]> = {
    Patient: [segmentText(message, ['PID', 'PD1']).join('\u0001')],
    RelatedPerson: [...segmentText(message, ['NK1']), ...segmentText(message, ['PID'])],
  };
  return (resource) => {
    const candidates = sources[resource.resourceType as string];
    if (!candidates) return [];
    const values = PERSON_PATHS.flatMap((p) => valuesAt(resource, p)).map((v) => v.trim());
    return candidates.some((text) => values.every((v) => text.includes(v))) ? [] : (MERGED_PATHS[resource.resourceType as string] ?? []);
  };
}

/** MedicationRequest.medicationReference → the referenced Medication's code, so both representations compare. */
function inlineMedications(resources: Resource[]): Resource[] {
  const byRef = new Map(resources.map((r) => [`${r.resourceType}/${r.id}`, r]));
  return resources.map((r) => {
    if (r.resourceType !== 'MedicationRequest' || r.medicationCodeableConcept || !r.medicationReference?.reference) return r;
    const medication = byRef.get(r.medicationReference.reference);
    return medication?.resourceType === 'Medication' && medication.code ? { ...r, medicationCodeableConcept: medication.code } : r;
  });
}

/** Our identifiers minted for idempotency are not compared, like the converter's generated ids. */
function withoutMintedKeys(resource: Resource): Resource {
  const r = resource as Resource & { identifier?: { system?: string }[] };
  return r.identifier ? ({ ...r, identifier: r.identifier.filter((i) => !i.system?.startsWith(KEY_SYSTEM_PREFIX)) } as Resource) : resource;
}

function converterPairs(): Pair[] {
  if (!existsSync(CONVERTER)) return [];
  return readdirSync(CONVERTER)
    .sort()
    .flatMap((root) =>
      readdirSync(join(CONVERTER, root)).map((file) => {
        const bundle = JSON.parse(readFileSync(join(CONVERTER, root, file), 'utf8').replace(/^\uFEFF/, '')) as { entry: { resource: Resource }[] };
        const input = join(DATA, 'ms-fhir-converter', file.replace(/-expected\.json$/, '.hl7'));
        // MDM: the IG's MDM_T02 map puts OBX into DocumentReference.content; the converter makes Observations.
        const types = Object.keys(comparedTypes).filter((t) => !(root.startsWith('MDM_') && t === 'Observation'));
        return { name: file, input, expected: inlineMedications(bundle.entry.map((e) => e.resource)), types };
      }),
    );
}

/** The IG's MDM^T02 sample: published as XML; produced with the converter's ADT_A01 template (its own Provenance says so). */
function igPair(): Pair[] {
  const xml = join(DATA, 'expected/hl7-v2-to-fhir-ig/FHIR_bundle.hl7_MDM_T02.xml');
  if (!existsSync(xml)) return [];
  const bundle = readFhirXml(readFileSync(xml, 'utf8')) as { entry?: { resource?: Resource[] }[] };
  const expected = (bundle.entry ?? []).flatMap((e) => e.resource ?? []);
  return [{ name: 'hl7-v2-to-fhir-ig MDM_T02', input: join(DATA, 'expected/hl7-v2-to-fhir-ig/Message.hl7_MDM_T02.txt'), expected, types: ['Patient', 'Encounter', 'DocumentReference'] }];
}

/** The phone numbers the IG's XTN map builds from XTN.5–8 ("+country area local Xext") in a message. */
function composedPhones(message: Hl7Message): Set<string> {
  const phones = new Set<string>();
  for (const segment of message.segments) {
    for (const field of segment.fields) {
      for (const rep of field.value) {
        const c = (n: number) => rep[n - 1]?.[0]?.trim() || undefined;
        if (c(7)) phones.add([c(5) && `+${c(5)}`, c(6), c(7), c(8) && `X${c(8)}`].filter(Boolean).join(' '));
      }
    }
  }
  return phones;
}

/**
 * Where the reference converter departs from the V2-to-FHIR IG and we follow the IG: such an
 * element is a departure, counted and printed on its own, neither agreement nor disagreement.
 * Each rule checks the message, so it only fires where the IG row in question applies.
 */
const departures: { rule: string; applies: (m: Mismatch, message: Hl7Message) => boolean }[] = [
  {
    rule: 'DG1-19 → Condition.recordedDate (IG DG1[Condition] row 19; the converter writes only the assertedDate extension)',
    applies: (m, message) => m.resourceType === 'Condition' && m.path === 'recordedDate' && m.expected.length === 0 && message.segmentsNamed('DG1').some((s) => s.field(19)?.text()),
  },
  {
    rule: 'AL1-6 → AllergyIntolerance.onsetDateTime (IG AL1[AllergyIntolerance] row 6; the converter writes reaction.onset)',
    applies: (m, message) => m.resourceType === 'AllergyIntolerance' && m.path === 'onsetDateTime' && m.expected.length === 0 && message.segmentsNamed('AL1').some((s) => s.field(6)?.text()),
  },
  {
    rule: 'ADT^A04 → Encounter.status planned (IG Event[EncounterStatus] map; the converter says in-progress)',
    applies: (m, message) => m.resourceType === 'Encounter' && m.path === 'status' && message.messageType.trigger === 'A04' && m.actual[0] === 'planned',
  },
  {
    rule: 'PV2-8/PV2-9 → plannedStartDate/plannedEndDate extensions (IG PV2[Encounter] rows 8–9; the converter writes period)',
    applies: (m, message) => {
      if (m.resourceType !== 'Encounter' || !m.path.startsWith('period.')) return false;
      const planned = [8, 9].map((n) => message.get(`PV2-${n}`)).filter((v): v is string => !!v);
      return m.expected.length === 1 && planned.length > 0 && m.actual.length === 0;
    },
  },
  {
    rule: 'XTN.6 + XTN.7 → ContactPoint.value (IG XTN[ContactPoint] row 7; the converter drops numbers sent in parts)',
    applies: (m, message) => {
      if (m.path !== 'telecom.value') return false;
      const phones = composedPhones(message);
      const extra = m.actual.filter((a) => !m.expected.some((e) => sameValue(e, a)));
      return m.expected.every((e) => m.actual.some((a) => sameValue(e, a))) && extra.length > 0 && extra.every((a) => phones.has(a));
    },
  },
];

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

test('mapping agrees with the reference bundles on ≥ 95 % of the compared elements', (t) => {
  const pairs = [...converterPairs(), ...igPair()];
  if (pairs.length === 0) return t.skip(`no conformance pairs under ${DATA}`);
  const byType = new Map<string, { agreed: number; compared: number; messages: number; departed: number }>();
  const unpaired: Record<string, number> = {};
  const skipped: Record<string, number> = {};
  const filtered: string[] = [];
  const mismatches: Comparison['mismatches'] = [];
  const departed = new Map<string, number>();
  for (const pair of pairs) {
    const message = parseMessageOrThrow(readFileSync(pair.input));
    const result = mapHl7Message(message, { messageId: `fidelity:${pair.name}`, channel: 'fidelity', receivedAt: new Date('2024-01-01T00:00:00Z') });
    if (result.kind === 'filtered') {
      filtered.push(pair.name);
      continue;
    }
    const ours = (result.bundle.entry ?? []).map((e) => withoutMintedKeys(e.resource!));
    const comparison = compareResources(pair.expected, ours, { types: pair.types, skip: mergedPersonPaths(message) });
    const type = `${message.messageType.code}^${message.messageType.trigger}`;
    let departures_ = 0;
    for (const m of comparison.mismatches) {
      const departure = departures.find((d) => d.applies(m, message));
      if (departure) {
        departures_++;
        departed.set(departure.rule, (departed.get(departure.rule) ?? 0) + 1);
      } else mismatches.push(m);
    }
    const stats = byType.get(type) ?? { agreed: 0, compared: 0, messages: 0, departed: 0 };
    byType.set(type, {
      agreed: stats.agreed + comparison.agreed,
      compared: stats.compared + comparison.compared - departures_,
      messages: stats.messages + 1,
      departed: stats.departed + departures_,
    });
    add(unpaired, comparison.unmatchedExpected);
    add(skipped, comparison.partlySkipped);
    if (pair.name.startsWith('hl7-v2-to-fhir-ig')) {
      t.diagnostic(`${pair.name}: ${comparison.agreed}/${comparison.compared - departures_} over ${comparison.pairs} resource pairs (${pair.types.join(', ')})`);
    }
  }
  const percent = (a: number, c: number) => (c === 0 ? 'n/a' : `${((100 * a) / c).toFixed(1)} %`);
  let agreed = 0;
  let compared = 0;
  let departedTotal = 0;
  for (const [type, s] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
    agreed += s.agreed;
    compared += s.compared;
    departedTotal += s.departed;
    t.diagnostic(`${type.padEnd(8)} ${String(s.messages).padStart(2)} msg  ${String(s.agreed).padStart(4)}/${String(s.compared).padEnd(4)} ${percent(s.agreed, s.compared).padStart(8)}  (+${s.departed} IG departures)`);
  }
  t.diagnostic(`overall  ${agreed}/${compared} = ${percent(agreed, compared)} over ${pairs.length - filtered.length} messages (${filtered.length} pairs of types not mapped, filtered)`);
  t.diagnostic(`counting the ${departedTotal} IG departures as disagreements: ${agreed}/${compared + departedTotal} = ${percent(agreed, compared + departedTotal)}`);
  t.diagnostic(`IG departures: ${[...departed].map(([rule, n]) => `${n} × ${rule}`).join('; ')}`);
  t.diagnostic(`reference resources without a partner (segments outside this mapping's scope), by type: ${JSON.stringify(unpaired)}`);
  t.diagnostic(`reference person resources merged from several segments (names/ids/addresses/phones not compared): ${JSON.stringify(skipped)}`);
  const byPath = new Map<string, number>();
  for (const m of mismatches) byPath.set(`${m.resourceType}.${m.path}`, (byPath.get(`${m.resourceType}.${m.path}`) ?? 0) + 1);
  t.diagnostic(`disagreements by element: ${[...byPath].sort((a, b) => b[1] - a[1]).map(([p, n]) => `${p} ${n}`).join(', ')}`);
  assert.ok(compared > 1000, `a meaningful number of elements is compared (${compared})`);
  assert.ok(agreed / compared >= 0.95, `agreement ${percent(agreed, compared)} is below 95 %`);
});
