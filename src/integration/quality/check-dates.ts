/**
 * Dates that cannot be true: a birth or a past event in the future, a death before the birth,
 * an age no person has reached (the oldest verified lifespan is 122 years: Jeanne Calment,
 * Robine & Allard, Science 1998;279:1834), and any Period (Encounter.period, Coverage.period,
 * effectivePeriod, …) that ends before it starts. Dates are compared as the ranges their
 * precision implies (record/search/fhir-dates.ts): `2024` is not "before" `2024-06-01`.
 */
import { parseFhirDateRange, type TimeRange } from '../../record/search/fhir-dates.ts';
import { finding, type QualityFinding } from './finding.ts';
import { walkResource } from './walk.ts';

/** Elements that record something that has already happened, per resource type. */
const pastEvents: Readonly<Record<string, readonly string[]>> = {
  Observation: ['effectiveDateTime', 'effectiveInstant', 'issued'],
  Condition: ['onsetDateTime', 'recordedDate', 'abatementDateTime'],
  Procedure: ['performedDateTime'],
  Immunization: ['occurrenceDateTime', 'recorded'],
  DiagnosticReport: ['effectiveDateTime', 'issued'],
  MedicationRequest: ['authoredOn'],
  AllergyIntolerance: ['onsetDateTime', 'recordedDate'],
};

const maxLifespanYears = 122;

/**
 * Whether range `a` lies wholly before range `b`. Compared as times, not strings: years past
 * 9999 (an open-ended `9999-12-31` ends in 10000) are written `+010000-…`, which sorts first.
 */
function before(a: TimeRange, b: TimeRange): boolean {
  return Date.parse(a.high) <= Date.parse(b.low);
}

function inFuture(value: string, now: Date): boolean {
  const range = parseFhirDateRange(value);
  return range !== undefined && Date.parse(range.low) > now.getTime();
}

export function checkDates(resource: { resourceType: string }, now: Date): QualityFinding[] {
  const r = resource as unknown as Record<string, unknown>;
  const found: QualityFinding[] = [];
  const type = resource.resourceType;
  if (type === 'Patient' || type === 'RelatedPerson') {
    const birth = typeof r.birthDate === 'string' ? parseFhirDateRange(r.birthDate) : undefined;
    if (birth && Date.parse(birth.low) > now.getTime()) found.push(finding('date-in-future', 'error', `${type}.birthDate`, `birth date ${r.birthDate as string} is in the future`));
    if (birth) {
      const oldest = new Date(now.getTime());
      oldest.setUTCFullYear(oldest.getUTCFullYear() - maxLifespanYears - 1);
      if (Date.parse(birth.high) <= oldest.getTime()) found.push(finding('date-birth-too-early', 'warning', `${type}.birthDate`, `birth date ${r.birthDate as string} means an age over ${maxLifespanYears} years`));
    }
    const death = typeof r.deceasedDateTime === 'string' ? parseFhirDateRange(r.deceasedDateTime) : undefined;
    if (death && Date.parse(death.low) > now.getTime()) found.push(finding('date-in-future', 'error', `${type}.deceasedDateTime`, `death ${r.deceasedDateTime as string} is in the future`));
    if (birth && death && before(death, birth)) {
      found.push(finding('date-death-before-birth', 'error', `${type}.deceasedDateTime`, `death ${r.deceasedDateTime as string} is before birth ${r.birthDate as string}`));
    }
  }
  for (const element of pastEvents[type] ?? []) {
    const value = r[element];
    if (typeof value === 'string' && inFuture(value, now)) found.push(finding('date-in-future', 'error', `${type}.${element}`, `${element} ${value} is in the future`));
  }
  walkResource(resource, (node, location, key) => {
    if (!(key === 'period' || key.endsWith('Period'))) return;
    const start = typeof node.start === 'string' ? parseFhirDateRange(node.start) : undefined;
    const end = typeof node.end === 'string' ? parseFhirDateRange(node.end) : undefined;
    if (start && end && before(end, start)) {
      found.push(finding('period-end-before-start', 'error', `${location}.end`, `period ends ${node.end as string}, before it starts ${node.start as string}`));
    }
  });
  return found;
}
