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
import { evidenceOf, type PersonRecord } from '../person-record.ts';
import type { Detection, Fact, Finding, NextAction, SignalContext, SignalKind } from '../signal.ts';

const version = '1.0.0';

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
 * The measure engine takes exactly one Patient: one source Patient stands for all of them
 * (cql-exec-fhir treats every resource in the bundle as the patient's). Which one is decided
 * by content, the first by its identifiers: ids are random UUIDs in the store, and choosing by
 * id made the same organization's care gaps differ from load to load (314 to 332 of ~390 at
 * 300 people) where silos disagree on a birth date.
 */
function measureInput(person: PersonRecord): Resource[] {
  const key = (p: Patient) => (p.identifier ?? []).map((i) => `${i.system ?? ''}|${i.value ?? ''}`).sort().join(',') + `\u0000${p.id}`;
  const [primary] = person.entries
    .map((e) => e.resource)
    .filter((r): r is Patient => r.resourceType === 'Patient' && person.patientIds.includes(r.id!))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const others = person.entries.filter((e) => e.resource.resourceType !== 'Patient').map((e) => e.resource);
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
