/**
 * One timeline across a person's records: every resource in the Patient compartments of the
 * person's source records (patient-everything.ts, so the policy and the audit apply as for
 * $everything), turned into dated, labelled items that carry the system they came from.
 * The source of an item is its meta.source channel (`urn:longitude:channel/<channel>#<msg>`,
 * set by the integration layer), e.g. `hl7:hospital` → silo `hospital`.
 */
import type { CodeableConcept, Coverage, Resource } from '@medplum/fhirtypes';
import { resourceTypes } from '../fhir/index.ts';
import type { Queryable } from '../platform/db/db.ts';
import type { AccessContext } from '../trust/access-context.ts';
import type { AuditLog } from '../trust/audit/audit-log.ts';
import { decide } from '../trust/policy.ts';
import { patientEverything } from './patient-everything.ts';
import type { ResourceStore } from './resource-store.ts';
import { patientCompartmentParameters } from './search/search-parameters.ts';

export const timelineKinds = ['encounter', 'lab', 'vital', 'medication', 'immunization', 'claim', 'communication', 'condition', 'procedure', 'allergy', 'document', 'other'] as const;
export type TimelineKind = (typeof timelineKinds)[number];

export interface TimelineItem {
  ref: string;
  resourceType: string;
  kind: TimelineKind;
  date?: string;
  display: string;
  status?: string;
  code?: { system?: string; code?: string; display?: string };
  value?: { value: number; unit?: string };
  components?: { code?: string; display?: string; value: number; unit?: string }[];
  source: { system: string; silo: string };
  /** meta.source as stored (`urn:longitude:channel/<channel>#<message id>`); not served. */
  sourceUri?: string;
}

export interface CareTeamMember {
  name: string;
  role: string;
  source: string;
}

export interface Timeline {
  items: TimelineItem[];
  coverage: Coverage[];
  careTeam: CareTeamMember[];
  /** Record types the caller's role may not read: left out, and said so. */
  withheld: string[];
}

/** Kept out of the timeline: the records themselves and bookkeeping, not events in a life. */
// A Specimen belongs to its DiagnosticReport; on its own it would repeat the report's line.
const notEvents = new Set(['Patient', 'Provenance', 'Coverage', 'CareTeam', 'DetectedIssue', 'AuditEvent', 'RelatedPerson', 'Specimen']);

const kindByType: Record<string, TimelineKind> = {
  Encounter: 'encounter',
  MedicationRequest: 'medication',
  MedicationStatement: 'medication',
  MedicationDispense: 'medication',
  MedicationAdministration: 'medication',
  Immunization: 'immunization',
  Claim: 'claim',
  ExplanationOfBenefit: 'claim',
  Communication: 'communication',
  Condition: 'condition',
  Procedure: 'procedure',
  AllergyIntolerance: 'allergy',
  DocumentReference: 'document',
  DiagnosticReport: 'lab',
};

type Loose = Record<string, unknown> & Resource;

function kindOf(r: Loose): TimelineKind {
  if (r.resourceType === 'Observation') {
    const categories = ((r.category as CodeableConcept[] | undefined) ?? []).flatMap((c) => c.coding ?? []).map((c) => c.code);
    return categories.includes('vital-signs') ? 'vital' : 'lab';
  }
  return kindByType[r.resourceType] ?? 'other';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const periodStart = (v: unknown): string | undefined => str((v as { start?: string } | undefined)?.start);

/** When it happened, by the element each type uses for it; last updated otherwise. */
export function dateOf(r: Loose): string | undefined {
  const candidates = [
    periodStart(r.period),
    str(r.effectiveDateTime),
    periodStart(r.effectivePeriod),
    str(r.occurrenceDateTime),
    str(r.authoredOn),
    periodStart(r.billablePeriod),
    str(r.sent),
    str(r.onsetDateTime),
    str(r.performedDateTime),
    periodStart(r.performedPeriod),
    str(r.issued),
    str(r.recordedDate),
    str(r.date),
    str(r.created),
  ];
  // No meta.lastUpdated fallback: the day a record was loaded is not when it happened; an
  // undated item sorts last and says so, rather than appearing as today's news.
  return candidates.find((d) => d !== undefined);
}

function firstConcept(r: Loose): CodeableConcept | undefined {
  const item = (r.item as { productOrService?: CodeableConcept }[] | undefined)?.[0]?.productOrService;
  const concepts = [r.code, r.medicationCodeableConcept, r.vaccineCode, (r.type as CodeableConcept[] | CodeableConcept | undefined), item, r.category];
  for (const c of concepts) {
    const concept = Array.isArray(c) ? (c[0] as CodeableConcept | undefined) : (c as CodeableConcept | undefined);
    if (concept && (concept.text || concept.coding?.length)) return concept;
  }
  return undefined;
}

function labelOf(r: Loose, concept: CodeableConcept | undefined): string {
  const payload = str((r.payload as { contentString?: string }[] | undefined)?.[0]?.contentString);
  const coding = concept?.coding?.[0];
  return concept?.text ?? coding?.display ?? payload ?? (coding?.code ? `${coding.code}` : r.resourceType);
}

function quantity(v: unknown): { value: number; unit?: string } | undefined {
  const q = v as { value?: number; unit?: string; code?: string } | undefined;
  if (typeof q?.value !== 'number') return undefined;
  const unit = q.unit ?? q.code;
  return { value: q.value, ...(unit ? { unit } : {}) };
}

export function sourceOfResource(r: Resource): { system: string; silo: string } {
  const metaSource = r.meta?.source ?? '';
  const channel = /^urn:longitude:channel\/([^#]+)/.exec(metaSource)?.[1];
  if (channel) {
    const system = decodeURIComponent(channel);
    return { system, silo: system.includes(':') ? system.slice(system.indexOf(':') + 1) : system };
  }
  return { system: metaSource || 'unknown', silo: metaSource ? metaSource.replace(/^[a-z]+:\/\//, '').split(/[/#]/)[0]! : 'unknown' };
}

/** One resource as a timeline item; undefined for what is not an event (the Patient, Provenance). */
export function timelineItem(resource: Resource): TimelineItem | undefined {
  if (notEvents.has(resource.resourceType)) return undefined;
  const r = resource as Loose;
  const concept = firstConcept(r);
  const coding = concept?.coding?.[0];
  const date = dateOf(r);
  const value = quantity(r.valueQuantity);
  const components = ((r.component as { code?: CodeableConcept; valueQuantity?: unknown }[] | undefined) ?? []).flatMap((c) => {
    const q = quantity(c.valueQuantity);
    const cc = c.code?.coding?.[0];
    return q ? [{ ...(cc?.code ? { code: cc.code } : {}), ...(cc?.display || c.code?.text ? { display: (cc?.display ?? c.code?.text)! } : {}), ...q }] : [];
  });
  return {
    ref: `${r.resourceType}/${r.id}`,
    resourceType: r.resourceType,
    kind: kindOf(r),
    ...(date ? { date } : {}),
    display: labelOf(r, concept),
    ...(str(r.status) ? { status: r.status as string } : {}),
    ...(coding ? { code: { ...(coding.system ? { system: coding.system } : {}), ...(coding.code ? { code: coding.code } : {}), ...(coding.display ? { display: coding.display } : {}) } } : {}),
    ...(value ? { value } : {}),
    ...(components.length ? { components } : {}),
    source: sourceOfResource(r),
    ...(r.meta?.source ? { sourceUri: r.meta.source } : {}),
  };
}

function careTeamOf(resources: readonly Resource[]): CareTeamMember[] {
  const out: CareTeamMember[] = [];
  for (const r of resources) {
    if (r.resourceType === 'CareTeam') {
      for (const p of r.participant ?? []) {
        const name = p.member?.display;
        if (name) out.push({ name, role: p.role?.[0]?.text ?? p.role?.[0]?.coding?.[0]?.display ?? 'member', source: sourceOfResource(r).silo });
      }
    }
    if (r.resourceType === 'Encounter') {
      for (const p of r.participant ?? []) {
        const name = p.individual?.display;
        if (name) out.push({ name, role: p.type?.[0]?.text ?? p.type?.[0]?.coding?.[0]?.display ?? 'attending', source: sourceOfResource(r).silo });
      }
    }
    if (r.resourceType === 'Patient') {
      for (const gp of r.generalPractitioner ?? []) if (gp.display) out.push({ name: gp.display, role: 'primary care', source: sourceOfResource(r).silo });
    }
  }
  const seen = new Set<string>();
  return out.filter((m) => !seen.has(`${m.name}|${m.role}`) && seen.add(`${m.name}|${m.role}`));
}

const pageSize = 1000;

/**
 * One MLLP channel often carries several systems (the hospital's ADT and the lab's results on
 * one port, told apart by MSH-4). For items from an HL7 channel the silo is the sending
 * facility the message store kept with the message (`MSH-3^MSH-4`).
 */
async function withHl7Senders(db: Queryable, items: TimelineItem[]): Promise<TimelineItem[]> {
  const messageIdOf = (i: TimelineItem) => (i.source.system.startsWith('hl7') ? /#(\d+)$/.exec(i.sourceUri ?? '')?.[1] : undefined);
  const ids = [...new Set(items.map(messageIdOf).filter((id): id is string => id !== undefined))];
  const { rows } = ids.length
    ? await db.query<{ id: string; sender: string | null }>('select id::text as id, sender from inbound_message where id = any($1::bigint[])', [ids])
    : { rows: [] };
  const facility = new Map(rows.map((r) => [r.id, r.sender?.split('^').filter(Boolean).pop()?.toLowerCase()]));
  return items.map((item) => {
    const { sourceUri: _uri, ...shown } = item;
    const sender = facility.get(messageIdOf(item) ?? '');
    return sender ? { ...shown, source: { system: item.source.system, silo: sender } } : shown;
  });
}

/**
 * The timeline of the given source Patients, newest first. `kind` and `source` (a silo or a
 * channel) filter the items; coverage and care team come with it whatever the filters.
 */
export async function buildTimeline(
  deps: { db: Queryable; store: ResourceStore; audit: AuditLog },
  ctx: AccessContext,
  patientIds: readonly string[],
  filter: { kind?: TimelineKind; source?: string } = {},
): Promise<Timeline> {
  const resources: Resource[] = [];
  for (const id of patientIds) {
    let after: { resourceType: string; id: string } | undefined;
    do {
      const page = await patientEverything(deps, ctx, id, { count: pageSize, ...(after ? { after } : {}) });
      resources.push(...page.resources);
      after = page.next;
    } while (after);
  }
  const items = (await withHl7Senders(deps.db, resources.map(timelineItem).filter((i): i is TimelineItem => i !== undefined)))
    .filter((i) => !filter.kind || i.kind === filter.kind)
    .filter((i) => !filter.source || i.source.silo === filter.source || i.source.system === filter.source)
    .sort((a, b) => (b.date ?? '').localeCompare(a.date ?? ''));
  const compartmentTypes = [...resourceTypes()].filter((t) => patientCompartmentParameters(t).length > 0 && !notEvents.has(t));
  return {
    items,
    coverage: resources.filter((r): r is Coverage => r.resourceType === 'Coverage'),
    careTeam: careTeamOf(resources),
    withheld: [...new Set(compartmentTypes)].filter((t) => !decide(ctx, 'read', t).allowed).sort(),
  };
}
