/**
 * Care gap: one finding per quality measure the person is in the denominator of, not
 * excluded or excepted, and on the wrong side of the numerator (measures/populations.ts),
 * explained by the measure's failed criteria as the measure engine reads them from the ELM.
 *
 * Needs `services.measureEngine`; without one (no measure content configured) it finds nothing.
 * The measurement period is `services.measurementPeriod`, else the calendar year of `asOf`.
 */
import type { Patient, Resource } from '@medplum/fhirtypes';
import type { Criterion, MeasurementPeriod, PatientMeasureResult } from '../../measures/index.ts';
import { measurementPeriod } from '../../measures/index.ts';
import { isGoldenPatient } from '../../../identity/from-fhir-patient.ts';
import { entriesOf, evidenceOf, type PersonRecord } from '../person-record.ts';
import type { Detection, Fact, Finding, NextAction, SignalContext, SignalKind } from '../signal.ts';

const version = '1.1.0';

/** Plain words and the next-best action for each measure (the measures' own titles are long). */
const measureTopics: Record<string, { topic: string; action: NextAction }> = {
  CMS122: { topic: 'diabetes: HbA1c above 9 % or not tested this period', action: { code: 'order-test', display: 'Order an HbA1c test (LOINC 4548-4) and review glycaemic control' } },
  CMS165: { topic: 'high blood pressure not controlled below 140/90', action: { code: 'schedule-visit', display: 'Schedule a blood pressure check and review treatment' } },
  CMS125: { topic: 'breast cancer screening (mammogram) not done', action: { code: 'order-test', display: 'Offer and order a screening mammogram' } },
  CMS130: { topic: 'colorectal cancer screening not done', action: { code: 'order-test', display: 'Offer colorectal cancer screening (FIT, colonoscopy or other)' } },
  CMS69: { topic: 'BMI not recorded, or no follow-up plan for an abnormal BMI', action: { code: 'schedule-visit', display: 'Record BMI and document a follow-up plan if abnormal' } },
  CMS2: { topic: 'depression screening, or its follow-up plan, not documented', action: { code: 'schedule-visit', display: 'Screen for depression (PHQ-9) and document a follow-up plan if positive' } },
};

function periodOf(context: SignalContext): MeasurementPeriod {
  if (context.services.measurementPeriod) return context.services.measurementPeriod;
  const year = context.asOf.getUTCFullYear();
  return measurementPeriod(`${year}-01-01`, `${year}-12-31`);
}

/**
 * The Patient the measures read birth date and gender from. The measure engine takes exactly
 * one Patient (cql-exec-fhir treats every resource in the bundle as the patient's), so one
 * stands for all of the person's records: identity's golden Patient when the record holds one
 * (its survivorship chose the birth date and gender the organization trusts), else the first
 * source Patient by identifiers that has a birth date and a gender. Ids are random UUIDs in the
 * store, and choosing by id made the same organization's care gaps differ from load to load
 * (314 to 332 of ~390 at 300 people) where silos disagree on a birth date; choosing by
 * identifiers alone picked the CRM's contact (urn:longitude:crm sorts first), which records
 * neither, for everyone the contact center knows: no age, so in no measure's initial population
 * (4 colorectal screening gaps missed at 2,000 people).
 */
function measurePatient(person: PersonRecord): Patient | undefined {
  const key = (p: Patient) => (p.identifier ?? []).map((i) => `${i.system ?? ''}|${i.value ?? ''}`).sort().join(',') + `\u0000${p.id}`;
  const byKey = (a: Patient, b: Patient) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  const patients = entriesOf<Patient>(person, 'Patient').map((e) => e.resource);
  const [golden] = patients.filter(isGoldenPatient).sort(byKey);
  if (golden) return golden;
  const sources = patients.filter((p) => person.patientIds.includes(p.id!)).sort(byKey);
  return sources.find((p) => p.birthDate && p.gender) ?? sources.find((p) => p.birthDate) ?? sources[0];
}

const observationCategory = 'http://terminology.hl7.org/CodeSystem/observation-category';

/**
 * A resource as the measures need it. An HL7 v2 result (ORU OBX) was mapped with no
 * Observation.category (the V2-to-FHIR IG's OBX map sets none), and QI-Core's "Laboratory Test,
 * Performed" (Status library `isLaboratoryTestPerformed`, read by CMS122's "Glycemic Status
 * Assessment" and CMS130's FOBT and sDNA-FIT) requires category `laboratory`: every HbA1c from
 * the hospital and the reference lab was invisible, and a diabetic tested twice at the lab
 * counted as never tested. An Observation made on a specimen (`specimen`, OBR-7 / SPM) is a
 * laboratory result (US Core Laboratory Result Observation), so one without a category is given
 * that one here. Copies only: the stored record is unchanged. The HL7 mapping sets the category
 * itself since (hl7v2-fhir/observation.ts); this keeps results stored before that, and other
 * senders' uncategorised specimen results, in the measures.
 */
function forMeasures(resource: Resource): Resource {
  if (resource.resourceType !== 'Observation' || resource.category?.length || !resource.specimen) return resource;
  return { ...resource, category: [{ coding: [{ system: observationCategory, code: 'laboratory', display: 'Laboratory' }] }] };
}

/** The measure engine's input for a person: the measure Patient, then every other resource of the record. */
export function measureInput(person: PersonRecord): Resource[] {
  const primary = measurePatient(person);
  const others = person.entries.filter((e) => e.resource.resourceType !== 'Patient').map((e) => forMeasures(e.resource));
  return primary ? [primary, ...others] : [];
}

function criterionText(c: Criterion): string {
  const name = c.define ? `"${c.define}"` : (c.cql ?? 'a clause');
  return `${name} is ${c.display ?? (c.value ? 'true' : 'false')}`;
}

function toFinding(result: PatientMeasureResult, person: PersonRecord, title: string): Finding {
  const topic = measureTopics[result.measureId];
  const reasons = result.explanation.gapReasons;
  const facts: Fact[] = reasons.map((c) => ({
    label: c.define ?? 'criterion',
    value: [criterionText(c), ...c.because.slice(0, 3).map((b) => `because ${criterionText(b)}`)].join('; '),
    evidence: [],
  }));
  const patients = person.entries.filter((e) => e.resource.resourceType === 'Patient').map((e) => evidenceOf(e, `Patient ${(e.resource as Patient).id}`));
  return {
    kind: 'care-gap',
    key: `${result.measureId}|${result.period.start}`,
    priority: result.measureId === 'CMS122' || result.measureId === 'CMS165' ? 'high' : 'moderate',
    title: `Care gap ${result.measureId}: ${topic?.topic ?? title}`,
    explanation:
      `In the denominator of ${result.measureId} (${title}) for ${result.period.start}..${result.period.end}, not excluded, ` +
      `and the numerator is ${result.explanation.improvementNotation === 'increase' ? 'not met' : 'met (an inverse measure: the poor outcome)'}: ` +
      `${reasons.map(criterionText).join('; ') || 'no deciding criterion recorded'}.`,
    evidence: patients,
    facts,
    rule: { id: result.measureId, version: `${version}+${result.measureId}-2025` },
    actions: topic ? [topic.action] : [{ code: 'review', display: `Review ${result.measureId}` }],
    dueBy: result.period.end,
  };
}

async function detect(person: PersonRecord, context: SignalContext): Promise<Detection> {
  const engine = context.services.measureEngine;
  const input = measureInput(person);
  if (!engine || input.length === 0) return [];
  const titles = new Map(engine.measures.map((m) => [m.id, m.title]));
  // Only measures whose initial population the person is in can hold a gap: the others stop there.
  const { results, failures } = await engine.evaluateInitialPopulations(input, periodOf(context));
  const findings = results.filter((r) => r.careGap).map((r) => toFinding(r, person, titles.get(r.measureId) ?? r.measureId));
  if (failures.length === 0) return findings;
  // A measure the CQL engine failed on leaves that measure's gaps as they were; the others count.
  return { findings, unchecked: failures.map((f) => ({ keyPrefix: `${f.measureId}|`, reason: f.message })) };
}

export const careGap: SignalKind = {
  id: 'care-gap',
  version,
  description: 'a quality measure (CMS122, CMS165, CMS125, CMS130, CMS69, CMS2) in the denominator and not met, explained by its failed criteria',
  detect,
};
