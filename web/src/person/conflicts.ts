/**
 * Survivorship made visible: for each golden element, the value that won, where from and by
 * which rule, and the differing values the other source records hold. Pure functions over
 * the /identity/persons/{id} answer.
 */
import { addressText, isPersonId, nameText, siloLabel, type ContactPoint } from '../format.ts';
import type { PatientLike, PersonDetail } from './types.ts';

export interface FieldView {
  element: string;
  label: string;
  value: string;
  source?: string;
  rule?: string;
  sourceRecord?: string;
  /** Values from source records that differ from the golden one (after trimming and case). */
  others: { value: string; source: string; reference: string }[];
}

const phone = (p: PatientLike) => p.telecom?.find((t: ContactPoint) => t.system === 'phone')?.value ?? '';
const email = (p: PatientLike) => p.telecom?.find((t: ContactPoint) => t.system === 'email')?.value ?? '';
const codeable = (c: { text?: string; coding?: { display?: string; code?: string }[] } | undefined) => c?.text ?? c?.coding?.[0]?.display ?? c?.coding?.[0]?.code ?? '';

/** The elements the console shows, in the order of survivorship.json, with how to read each. */
const elements: { element: string; provenanceKeys: string[]; label: string; read: (p: PatientLike) => string }[] = [
  { element: 'name', provenanceKeys: ['name'], label: 'Name', read: (p) => nameText(p.name?.find((n) => n.use !== 'old') ?? p.name?.[0]) },
  { element: 'birthDate', provenanceKeys: ['birthDate'], label: 'Date of birth', read: (p) => p.birthDate ?? '' },
  { element: 'gender', provenanceKeys: ['gender'], label: 'Gender', read: (p) => p.gender ?? '' },
  { element: 'phone', provenanceKeys: ['phone', 'telecom.phone'], label: 'Phone', read: phone },
  { element: 'email', provenanceKeys: ['email', 'telecom.email'], label: 'Email', read: email },
  { element: 'address', provenanceKeys: ['address'], label: 'Address', read: (p) => addressText(p.address?.find((a) => a.use !== 'old') ?? p.address?.[0]) },
  { element: 'communication', provenanceKeys: ['communication'], label: 'Preferred language', read: (p) => codeable((p.communication?.find((c) => c.preferred) ?? p.communication?.[0])?.language) },
  { element: 'maritalStatus', provenanceKeys: ['maritalStatus'], label: 'Marital status', read: (p) => codeable(p.maritalStatus) },
];

const same = (a: string, b: string) => a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();

export function fieldViews(detail: PersonDetail): FieldView[] {
  const golden = detail.golden;
  const views: FieldView[] = [];
  for (const e of elements) {
    const value = golden ? e.read(golden) : '';
    const provenance = e.provenanceKeys.map((k) => detail.provenance[k]).find((p) => p !== undefined);
    const others = detail.sources
      .map((s) => ({ value: e.read(s.resource), source: s.source, reference: s.reference }))
      .filter((o) => o.value !== '' && !same(o.value, value));
    if (value === '' && others.length === 0) continue;
    views.push({
      element: e.element,
      label: e.label,
      value,
      ...(provenance ? { source: provenance.source, rule: provenance.rule, sourceRecord: provenance.sourceRecord } : {}),
      others,
    });
  }
  return views;
}

/** Why a value won, in words (the rules of src/identity/survivorship.json). */
export function ruleText(rule: string | undefined, source: string | undefined): string {
  switch (rule) {
    case 'verified':
      return 'Verified: the source flagged this value as checked with the person.';
    case 'authority':
      return `Most trusted source: ${siloLabel(source)} ranks highest for this field.`;
    case 'recency':
      return 'Most recent: the latest value among equally trusted sources.';
    case 'most-frequent':
      return 'Most frequent: the value most sources agree on.';
    case 'union':
      return 'Union: every distinct value from all sources is kept.';
    case undefined:
      return 'No rule recorded.';
    default:
      return rule;
  }
}

/** Identifiers from every silo: each source record's identifiers, with the record's source. */
export function identifierRows(detail: PersonDetail): { system: string; value: string; source: string; reference: string }[] {
  const rows = new Map<string, { system: string; value: string; source: string; reference: string }>();
  for (const s of detail.sources) {
    for (const id of s.resource.identifier ?? []) {
      if (!id.value || isPersonId(id.system)) continue;
      const key = `${id.system ?? ''}|${id.value.replace(/\W/g, '')}`;
      if (!rows.has(key)) rows.set(key, { system: id.system ?? '', value: id.value, source: s.source, reference: s.reference });
    }
  }
  return [...rows.values()];
}
