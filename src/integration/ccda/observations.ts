/**
 * Observations: Result Organizer (2.16.840.1.113883.10.20.22.4.1) → DiagnosticReport with its
 * Result Observations (4.2); Vital Signs Organizer (4.26) → one Observation per Vital Sign
 * Observation (4.27, no panel resource, as the reference converter); Smoking Status (4.78),
 * Tobacco Use (4.85), Social History (4.38), Birth Sex (4.200), Pregnancy (15.3.8) →
 * social-history Observations, and so are the other Social History Section (2.17) entries:
 * Caregiver Characteristics (4.72), Cultural and Religious Observation (4.111), Characteristics
 * of Home Environment (4.109); Procedure Activity Observation (4.13) → a procedure Observation.
 * Functional Status (4.67) and Mental Status (4.74, R1.1 "Cognitive Status Result") observations,
 * alone or in their organizers (4.66, 4.75), Nutritional Status (4.124) with its Nutrition
 * Assessments (4.138), and an Indication (4.19) standing as a section entry → Observations with
 * no category (none of observation-category's codes fits them, and C-CDA on FHIR names none).
 * The value follows its xsi:type (PQ, CD/CE/CO, ST/ED, INT, REAL, IVL_PQ, BL, TS); reference
 * ranges and interpretation codes are kept (C-CDA on FHIR "Results" and "Vital Signs" maps).
 */
import type { DiagnosticReport, Observation, ObservationReferenceRange } from '@medplum/fhirtypes';
import type { CcdaContext } from './ccda-context.ts';
import { idKey, toCodeableConcept, toDateTime, toEffective, toIdentifiers, toQuantity } from './cda-datatypes.ts';
import { child, children, textContent, type CdaNode } from './cda-xml.ts';
import { negated, nested, reportUnread, statusOf, xsiType } from './entries.ts';
import { performerReferences } from './participants.ts';

export const RESULT_ORGANIZER = '2.16.840.1.113883.10.20.22.4.1';
export const RESULT_OBSERVATION = '2.16.840.1.113883.10.20.22.4.2';
export const VITAL_SIGNS_ORGANIZER = '2.16.840.1.113883.10.20.22.4.26';
export const VITAL_SIGN_OBSERVATION = '2.16.840.1.113883.10.20.22.4.27';
export const PROCEDURE_OBSERVATION = '2.16.840.1.113883.10.20.22.4.13';
export const SOCIAL_HISTORY_OBSERVATIONS = [
  '2.16.840.1.113883.10.20.22.4.78', // Smoking Status - Meaningful Use
  '2.16.840.1.113883.10.20.22.4.85', // Tobacco Use
  '2.16.840.1.113883.10.20.22.4.38', // Social History Observation
  '2.16.840.1.113883.10.20.22.4.200', // Birth Sex
  '2.16.840.1.113883.10.20.15.3.8', // Pregnancy Observation
  '2.16.840.1.113883.10.20.22.4.72', // Caregiver Characteristics
  '2.16.840.1.113883.10.20.22.4.111', // Cultural and Religious Observation
  '2.16.840.1.113883.10.20.22.4.109', // Characteristics of Home Environment
];
export const FUNCTIONAL_STATUS_ORGANIZER = '2.16.840.1.113883.10.20.22.4.66';
export const FUNCTIONAL_STATUS_OBSERVATION = '2.16.840.1.113883.10.20.22.4.67';
export const MENTAL_STATUS_ORGANIZER = '2.16.840.1.113883.10.20.22.4.75';
export const MENTAL_STATUS_OBSERVATION = '2.16.840.1.113883.10.20.22.4.74';
export const NUTRITIONAL_STATUS_OBSERVATION = '2.16.840.1.113883.10.20.22.4.124';
const NUTRITION_ASSESSMENT = '2.16.840.1.113883.10.20.22.4.138';
export const INDICATION = '2.16.840.1.113883.10.20.22.4.19';

type Category = 'laboratory' | 'vital-signs' | 'social-history' | 'procedure' | 'exam';
const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const OBSERVATION_STATUS: Record<string, Observation['status']> = { completed: 'final', active: 'preliminary', aborted: 'cancelled', cancelled: 'cancelled', nullified: 'entered-in-error' };
const REPORT_STATUS: Record<string, DiagnosticReport['status']> = { completed: 'final', active: 'partial', aborted: 'cancelled', cancelled: 'cancelled', nullified: 'entered-in-error' };

export function mapResultOrganizer(ctx: CcdaContext, organizer: CdaNode): void {
  const members = nested(organizer, RESULT_OBSERVATION);
  reportUnread(ctx, organizer, [RESULT_OBSERVATION], 'result organizer');
  const results = members.map((m) => mapObservation(ctx, m, 'laboratory'));
  const code = toCodeableConcept(ctx, child(organizer, 'code')) ?? (members.length === 1 ? toCodeableConcept(ctx, child(members[0], 'code')) : undefined);
  if (!code) {
    ctx.report(organizer.path, 'result organizer without a code: its observations are kept without a DiagnosticReport');
    return;
  }
  const effective = toEffective(ctx, child(organizer, 'effectiveTime'));
  const performers = performerReferences(organizer);
  const report: DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    identifier: toIdentifiers(children(organizer, 'id')),
    status: REPORT_STATUS[statusOf(organizer) ?? ''] ?? 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB' }] }],
    code,
    subject: ctx.patientRef,
    ...(effective.dateTime ? { effectiveDateTime: effective.dateTime } : effective.period ? { effectivePeriod: effective.period } : membersSpan(ctx, members)),
    ...(performers.length ? { performer: performers } : {}),
    ...(results.length ? { result: results } : {}),
  };
  if (report.identifier?.length === 0) delete report.identifier;
  ctx.add(report, idKey(children(organizer, 'id')), organizer);
}

/**
 * A Result Organizer without an effectiveTime: C-CDA on FHIR ("Results", /effectiveTime row) takes
 * the earliest and latest observation times; one instant is effectiveDateTime, a span a Period.
 */
function membersSpan(ctx: CcdaContext, members: readonly CdaNode[]): Pick<DiagnosticReport, 'effectiveDateTime' | 'effectivePeriod'> {
  const times = members
    .map((m) => toEffective(ctx, child(m, 'effectiveTime')))
    .flatMap((e) => [e.dateTime, e.period?.start, e.period?.end])
    .filter((t): t is string => !!t && !Number.isNaN(Date.parse(t)))
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  const [first] = times;
  const last = times[times.length - 1];
  if (!first || !last) return {};
  return Date.parse(first) === Date.parse(last) ? { effectiveDateTime: first } : { effectivePeriod: { start: first, end: last } };
}

export function mapVitalSignsOrganizer(ctx: CcdaContext, organizer: CdaNode): void {
  reportUnread(ctx, organizer, [VITAL_SIGN_OBSERVATION], 'vital signs organizer');
  for (const member of nested(organizer, VITAL_SIGN_OBSERVATION)) mapObservation(ctx, member, 'vital-signs', { organizer });
}

/**
 * Functional Status Organizer (4.66) and Mental Status Organizer (4.75) → their member
 * observations (4.67, 4.74), one Observation each, as for vital signs. The organizer's own code
 * (an ICF or SNOMED grouping such as "d3 Communication") has no resource to go to and is reported.
 */
export function mapStatusOrganizer(ctx: CcdaContext, organizer: CdaNode): void {
  const members = [FUNCTIONAL_STATUS_OBSERVATION, MENTAL_STATUS_OBSERVATION];
  reportUnread(ctx, organizer, members, 'status organizer');
  if (child(organizer, 'code')?.attr.code) ctx.report(organizer.path, `status organizer: its grouping code ${child(organizer, 'code')!.attr.code} is not mapped (its observations are)`);
  for (const member of nested(organizer, ...members)) mapObservation(ctx, member, undefined, { organizer });
}

/**
 * Nutritional Status Observation (4.124) → an Observation derived from its Nutrition Assessments
 * (4.138, entryRelationship SUBJ), each an Observation of its own: the assessments are the
 * findings the status was concluded from (Observation.derivedFrom).
 */
export function mapNutritionalStatus(ctx: CcdaContext, node: CdaNode): void {
  const assessments = nested(node, NUTRITION_ASSESSMENT).map((a) => mapObservation(ctx, a, undefined));
  mapObservation(ctx, node, undefined, { read: [NUTRITION_ASSESSMENT], derivedFrom: assessments });
}

interface ObservationContext {
  /** The organizer that lends its effectiveTime when the member has none. */
  organizer?: CdaNode;
  /** Nested templates the caller maps itself (not reported as unmapped). */
  read?: readonly string[];
  derivedFrom?: { reference: string }[];
}

/** One observation → Observation (no category when none of observation-category's codes fits). */
export function mapObservation(ctx: CcdaContext, node: CdaNode, category: Category | undefined, { organizer, read = [], derivedFrom = [] }: ObservationContext = {}): { reference: string } {
  const code = toCodeableConcept(ctx, child(node, 'code')) ?? { text: textContent(child(node, 'text')) || 'observation (no code in the document)' };
  if (!child(node, 'code')?.attr.code) ctx.report(node.path, 'observation without a code');
  const effective = toEffective(ctx, child(node, 'effectiveTime'));
  const fallback = organizer ? toEffective(ctx, child(organizer, 'effectiveTime')) : {};
  const interpretation = children(node, 'interpretationCode').map((i) => toCodeableConcept(ctx, i)).filter((c) => !!c);
  const referenceRange = children(node, 'referenceRange').flatMap((r) => rangeOf(ctx, child(r, 'observationRange')));
  const issued = toDateTime(ctx, child(child(node, 'author'), 'time'));
  const performers = performerReferences(node);
  const bodySite = toCodeableConcept(ctx, child(node, 'targetSiteCode'));
  const method = toCodeableConcept(ctx, child(node, 'methodCode'));
  reportUnread(ctx, node, read, 'observation');
  // Observation has no participant: a caregiver (4.72), a specimen or a device here is reported, not lost.
  for (const p of children(node, 'participant')) ctx.report(p.path, `observation participant (typeCode ${p.attr.typeCode ?? 'none'}) is not mapped`);
  const resource: Observation = {
    resourceType: 'Observation',
    identifier: toIdentifiers(children(node, 'id')),
    status: OBSERVATION_STATUS[statusOf(node) ?? ''] ?? 'final',
    ...(category ? { category: [{ coding: [{ system: CATEGORY, code: category }] }] } : {}),
    code,
    subject: ctx.patientRef,
    ...effectiveOf(effective.dateTime || effective.period ? effective : fallback),
    ...(issued && /T/.test(issued) ? { issued } : {}),
    ...(performers.length ? { performer: performers } : {}),
    ...valueOf(ctx, children(node, 'value')),
    ...(interpretation.length ? { interpretation } : {}),
    ...(bodySite ? { bodySite } : {}),
    ...(method ? { method } : {}),
    ...(referenceRange.length ? { referenceRange } : {}),
    ...(derivedFrom.length ? { derivedFrom } : {}),
  };
  // A negated observation asserts the finding is absent (C-CDA on FHIR: dataAbsentReason is not it; keep the fact as a note).
  if (negated(node)) resource.note = [{ text: 'negationInd="true": the document states this was NOT observed' }];
  if (resource.identifier?.length === 0) delete resource.identifier;
  return ctx.add(resource, idKey(children(node, 'id')), node) as { reference: string };
}

function effectiveOf(e: ReturnType<typeof toEffective>): Pick<Observation, 'effectiveDateTime' | 'effectivePeriod'> {
  return e.dateTime ? { effectiveDateTime: e.dateTime } : e.period ? { effectivePeriod: e.period } : {};
}

/** observation/value by xsi:type → value[x]. Several values, or a type without a FHIR value, are reported. */
function valueOf(ctx: CcdaContext, values: CdaNode[]): Partial<Observation> {
  const [value, ...extra] = values.filter((v) => !v.attr.nullFlavor || child(v, 'originalText') || child(v, 'translation'));
  for (const v of extra) ctx.report(v.path, 'a second observation value is not mapped (Observation has one value)');
  if (!value) return {};
  const type = xsiType(value);
  switch (type) {
    case 'PQ': {
      const q = toQuantity(ctx, value);
      return q ? { valueQuantity: q } : {};
    }
    case 'INT': {
      const n = Number(value.attr.value);
      return Number.isInteger(n) && value.attr.value?.trim() ? { valueInteger: n } : {};
    }
    case 'REAL': {
      const q = toQuantity(ctx, value);
      return q ? { valueQuantity: { value: q.value! } } : {};
    }
    case 'CD':
    case 'CE':
    case 'CV':
    case 'CO': {
      const c = toCodeableConcept(ctx, value);
      return c ? { valueCodeableConcept: c } : {};
    }
    case 'ST':
    case 'ED': {
      const text = ctx.narrativeText(child(value, 'reference')?.attr.value) ?? textContent(value);
      return text ? { valueString: text } : {};
    }
    case 'BL':
      return value.attr.value === 'true' || value.attr.value === 'false' ? { valueBoolean: value.attr.value === 'true' } : {};
    case 'TS': {
      const t = toDateTime(ctx, value);
      return t ? { valueDateTime: t } : {};
    }
    case 'IVL_PQ': {
      const low = toQuantity(ctx, child(value, 'low'));
      const high = toQuantity(ctx, child(value, 'high'));
      return low || high ? { valueRange: { ...(low ? { low } : {}), ...(high ? { high } : {}) } } : {};
    }
    default:
      ctx.report(value.path, `observation value of type ${type || '(none)'} is not mapped`);
      return {};
  }
}

function rangeOf(ctx: CcdaContext, range: CdaNode | undefined): ObservationReferenceRange[] {
  if (!range) return [];
  const value = child(range, 'value');
  const low = xsiType(value) === 'IVL_PQ' ? toQuantity(ctx, child(value, 'low')) : undefined;
  const high = xsiType(value) === 'IVL_PQ' ? toQuantity(ctx, child(value, 'high')) : undefined;
  const text = ctx.narrativeText(child(child(range, 'text'), 'reference')?.attr.value) ?? (textContent(child(range, 'text')) || undefined);
  if (!low && !high && !text) return [];
  return [{ ...(low ? { low } : {}), ...(high ? { high } : {}), ...(text ? { text } : {}) }];
}
