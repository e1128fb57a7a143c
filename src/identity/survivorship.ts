/**
 * Survivorship: which source's value each element of the golden Patient takes, and why. A pure
 * function over the linked source Patients and the rules of survivorship.json; the provenance
 * it returns per element (source system, rule, source record) is what `GET /identity/persons/{id}`
 * shows. Rules narrow the candidates in the configured order (see the $comment in the JSON).
 */
import { readFileSync } from 'node:fs';
import type { Address, CodeableConcept, ContactPoint, HumanName, Identifier, Patient } from '@medplum/fhirtypes';
import { canonicalJson } from '../platform/canonical-json.ts';
import { LongitudeError } from '../platform/errors.ts';
import { sourceSystemOfPatient } from './from-fhir-patient.ts';

export const survivorshipRuleNames = ['verified', 'authority', 'recency', 'most-frequent', 'union'] as const;
export type SurvivorshipRuleName = (typeof survivorshipRuleNames)[number];

export const goldenElements = [
  'name', 'gender', 'birthDate', 'phone', 'email', 'address', 'communication', 'maritalStatus', 'deceased', 'generalPractitioner', 'identifier',
] as const;
export type GoldenElement = (typeof goldenElements)[number];

export interface ElementRule {
  rules: SurvivorshipRuleName[];
  /** Source kinds, most trusted first (for `authority`). */
  authority?: string[];
}

export interface SurvivorshipRules {
  /** Kind → case-insensitive substrings of a source system that make a source of that kind. */
  sourceKinds: Record<string, string[]>;
  elements: Partial<Record<GoldenElement, ElementRule>>;
}

export interface SurvivorSource {
  /** `Patient/<id>` of the source record. */
  ref: string;
  patient: Patient;
  /** Source system; from the Patient (meta.source, identifier) when omitted. */
  source?: string;
}

export interface ElementProvenance {
  source: string;
  rule: SurvivorshipRuleName;
  sourceRecord: string;
  /** For `union`: every record that contributed. */
  sourceRecords?: string[];
}

export interface SurvivedRecord {
  /** The golden content: no id, meta or link (the caller owns those). */
  patient: Patient;
  provenance: Partial<Record<GoldenElement, ElementProvenance>>;
}

const VERIFIED_URL = 'urn:longitude:identity:verified';
const VERIFIED_TAG = { system: 'urn:longitude:identity', code: 'verified' };

/** The rules in src/identity/survivorship.json, checked. */
export function loadSurvivorshipRules(url: URL = new URL('./survivorship.json', import.meta.url)): SurvivorshipRules {
  const raw = JSON.parse(readFileSync(url, 'utf8')) as SurvivorshipRules;
  for (const [element, rule] of Object.entries(raw.elements ?? {})) {
    if (!(goldenElements as readonly string[]).includes(element)) throw new LongitudeError('LNG_CONFIG_INVALID', `survivorship: unknown element ${element}`);
    const bad = rule.rules.find((r) => !(survivorshipRuleNames as readonly string[]).includes(r));
    if (bad !== undefined || rule.rules.length === 0) throw new LongitudeError('LNG_CONFIG_INVALID', `survivorship: ${element} has an unknown or empty rule list`);
  }
  return raw;
}

/** One source's value for an element, with what the rules look at. */
interface Candidate {
  ref: string;
  source: string;
  kind: string | undefined;
  value: unknown;
  verified: boolean;
  /** ISO instant or date: period.start of the value, else the record's lastUpdated. */
  recordedAt: string;
}

type Extended = { extension?: { url?: string; valueBoolean?: boolean }[]; period?: { start?: string; end?: string } };
const isCurrent = (x: Extended) => x.period?.end === undefined;
const flagged = (x: Extended) => x.extension?.some((e) => e.url === VERIFIED_URL && e.valueBoolean === true) ?? false;

/** The value of an element in one source, or undefined when the source has none. */
function extract(element: GoldenElement, p: Patient): { value: unknown; items: Extended[] } | undefined {
  const some = <T>(xs: T[] | undefined): T[] | undefined => (xs && xs.length > 0 ? xs : undefined);
  switch (element) {
    case 'name': {
      const names = (p.name ?? []).filter(isCurrent);
      const name: HumanName | undefined = names.find((n) => n.use === 'official') ?? names.find((n) => n.use !== 'old') ?? undefined;
      return name ? { value: name, items: [name] } : undefined;
    }
    case 'phone':
    case 'email': {
      const systems = element === 'phone' ? ['phone', 'sms'] : ['email'];
      const points = some((p.telecom ?? []).filter((t: ContactPoint) => systems.includes(t.system ?? '') && t.value && isCurrent(t)));
      return points ? { value: points, items: points } : undefined;
    }
    case 'address': {
      const address: Address | undefined = (p.address ?? []).find((a) => a.use !== 'old' && isCurrent(a));
      return address ? { value: address, items: [address] } : undefined;
    }
    case 'deceased':
      if (p.deceasedDateTime !== undefined) return { value: { deceasedDateTime: p.deceasedDateTime }, items: [] };
      if (p.deceasedBoolean !== undefined) return { value: { deceasedBoolean: p.deceasedBoolean }, items: [] };
      return undefined;
    case 'communication':
    case 'generalPractitioner':
    case 'identifier': {
      const list = some(p[element] as unknown[] | undefined);
      return list ? { value: list, items: [] } : undefined;
    }
    case 'birthDate':
    case 'gender':
    case 'maritalStatus': {
      const value = p[element];
      return value === undefined ? undefined : { value, items: [] };
    }
  }
}

function kindOf(source: string, rules: SurvivorshipRules): string | undefined {
  const lower = source.toLowerCase();
  return Object.entries(rules.sourceKinds).find(([, needles]) => needles.some((n) => lower.includes(n.toLowerCase())))?.[0];
}

function candidatesFor(element: GoldenElement, sources: readonly SurvivorSource[], rules: SurvivorshipRules): Candidate[] {
  const out: Candidate[] = [];
  for (const s of sources) {
    const got = extract(element, s.patient);
    if (!got) continue;
    const source = s.source ?? sourceSystemOfPatient(s.patient);
    const tagged = s.patient.meta?.tag?.some((t) => t.system === VERIFIED_TAG.system && t.code === VERIFIED_TAG.code) ?? false;
    const starts = got.items.map((i) => i.period?.start).filter((d): d is string => !!d).sort();
    out.push({
      ref: s.ref,
      source,
      kind: kindOf(source, rules),
      value: got.value,
      verified: tagged || got.items.some(flagged),
      recordedAt: starts.at(-1) ?? s.patient.meta?.lastUpdated ?? '',
    });
  }
  // Ties go to the smallest reference, whatever order the sources came in.
  return withoutUnknown(element, out).sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
}

/**
 * "unknown" is what a source says when it does not know (administrative-gender `unknown`, HL7 v2
 * PID-8 `U`; marital status `UNK`, v3 NullFlavor): it competes only when no source knows. A lab
 * that sends sex U must not outvote, by recency, the clinic that registered a woman — the
 * sex-specific measures (breast and cervical cancer screening) would lose her.
 */
function withoutUnknown(element: GoldenElement, candidates: Candidate[]): Candidate[] {
  const unknown = (c: Candidate) =>
    element === 'gender' ? c.value === 'unknown' : element === 'maritalStatus' ? (c.value as CodeableConcept | undefined)?.coding?.some((x) => x.code === 'UNK') ?? false : false;
  const known = candidates.filter((c) => !unknown(c));
  return known.length > 0 ? known : candidates;
}

/** Keeps the candidates a rule prefers; an empty preference keeps them all. */
function narrow(rule: SurvivorshipRuleName, candidates: Candidate[], elementRule: ElementRule): Candidate[] {
  switch (rule) {
    case 'verified': {
      const verified = candidates.filter((c) => c.verified);
      return verified.length > 0 ? verified : candidates;
    }
    case 'authority': {
      const ranking = elementRule.authority ?? [];
      const rank = (c: Candidate) => (c.kind === undefined || !ranking.includes(c.kind) ? ranking.length : ranking.indexOf(c.kind));
      const best = Math.min(...candidates.map(rank));
      return candidates.filter((c) => rank(c) === best);
    }
    case 'recency': {
      const latest = candidates.reduce((m, c) => (c.recordedAt > m ? c.recordedAt : m), '');
      return candidates.filter((c) => c.recordedAt === latest);
    }
    case 'most-frequent': {
      const counts = new Map<string, number>();
      for (const c of candidates) counts.set(canonicalJson(c.value), (counts.get(canonicalJson(c.value)) ?? 0) + 1);
      const top = Math.max(...counts.values());
      return candidates.filter((c) => counts.get(canonicalJson(c.value)) === top);
    }
    case 'union':
      return candidates;
  }
}

function unionIdentifiers(candidates: readonly Candidate[]): Identifier[] {
  const seen = new Map<string, Identifier>();
  for (const c of candidates) {
    for (const id of c.value as Identifier[]) {
      const key = `${id.system ?? ''}|${id.value ?? ''}`;
      if (!seen.has(key)) seen.set(key, id);
    }
  }
  return [...seen.values()];
}

function place(patient: Patient, element: GoldenElement, value: unknown): void {
  switch (element) {
    case 'name': patient.name = [value as HumanName]; break;
    case 'address': patient.address = [value as Address]; break;
    case 'phone':
    case 'email': patient.telecom = [...(patient.telecom ?? []), ...(value as ContactPoint[])]; break;
    case 'deceased': Object.assign(patient, value); break;
    case 'birthDate':
    case 'gender':
    case 'maritalStatus':
    case 'communication':
    case 'generalPractitioner':
    case 'identifier':
      (patient as unknown as Record<string, unknown>)[element] = value;
  }
}

/**
 * The golden Patient of a person from its source Patients. Deterministic: the same sources and
 * rules give the same record whatever their order.
 */
export function surviveGoldenRecord(sources: readonly SurvivorSource[], rules: SurvivorshipRules): SurvivedRecord {
  const patient: Patient = { resourceType: 'Patient', active: true };
  const provenance: SurvivedRecord['provenance'] = {};
  for (const element of goldenElements) {
    const elementRule = rules.elements[element];
    if (!elementRule) continue;
    const candidates = candidatesFor(element, sources, rules);
    if (candidates.length === 0) continue;
    if (elementRule.rules.includes('union')) {
      place(patient, element, element === 'identifier' ? unionIdentifiers(candidates) : candidates.flatMap((c) => c.value as unknown[]));
      const first = candidates[0] as Candidate;
      provenance[element] = { source: first.source, rule: 'union', sourceRecord: first.ref, sourceRecords: candidates.map((c) => c.ref) };
      continue;
    }
    // The deciding rule is the one after which one value is left (the remaining rules then only
    // choose which of the agreeing records to cite); when all sources agree, the first rule.
    const distinct = (cs: readonly Candidate[]) => new Set(cs.map((c) => canonicalJson(c.value))).size;
    let remaining = candidates;
    let decidedBy: SurvivorshipRuleName | undefined = distinct(candidates) === 1 ? elementRule.rules[0] : undefined;
    for (const rule of elementRule.rules) {
      remaining = narrow(rule, remaining, elementRule);
      if (decidedBy === undefined && distinct(remaining) === 1) decidedBy = rule;
      if (remaining.length === 1) break;
    }
    decidedBy ??= elementRule.rules.at(-1) as SurvivorshipRuleName;
    const winner = remaining[0] as Candidate;
    place(patient, element, structuredClone(winner.value));
    provenance[element] = { source: winner.source, rule: decidedBy, sourceRecord: winner.ref };
  }
  return { patient, provenance };
}

/** Elements whose golden value differs between two golden Patients (for the change event). */
export function changedElements(before: Patient | undefined, after: Patient): GoldenElement[] {
  return goldenElements.filter((e) => canonicalJson(extract(e, before ?? { resourceType: 'Patient' })?.value ?? null) !== canonicalJson(extract(e, after)?.value ?? null));
}
