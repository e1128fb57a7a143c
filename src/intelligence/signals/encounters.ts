/**
 * Encounters by setting (http://terminology.hl7.org/CodeSystem/v3-ActCode, Encounter.class):
 * inpatient stays, emergency visits and the outpatient contacts that count as follow-up.
 */
import type { Appointment, CodeableConcept, Encounter } from '@medplum/fhirtypes';
import { entriesOf, type PersonRecord, type RecordEntry } from './person-record.ts';
import { fhirDay, parseFhirDate } from './record-dates.ts';

const inpatientClasses = new Set(['IMP', 'ACUTE', 'NONAC']);
const emergencyClasses = new Set(['EMER']);
/** Ambulatory, virtual and home visits all count as post-discharge follow-up. */
const followUpClasses = new Set(['AMB', 'VR', 'HH', 'OBSENC']);
const countedAppointments = new Set(['proposed', 'pending', 'booked', 'arrived', 'fulfilled', 'checked-in', 'waitlist']);
/**
 * Departments that only perform tests. A screening mammogram or a blood draw after discharge is
 * not the face-to-face visit with a clinician that follow-up means (CMS Transitional Care
 * Management, CPT 99495/99496). HL7 v2 table 0069 (hospital service, PV1-10) is site-defined:
 * these are the department codes and words sites commonly use.
 */
const diagnosticDepartments = new Set(['RAD', 'LAB', 'PATH', 'IMG', 'XRAY', 'MRI']);
const diagnosticWords = /\b(radiolog|imaging|mammogra|x-?ray|laborator|phlebotom)/i;

function namesDiagnosticService(concept: CodeableConcept | undefined): boolean {
  if (!concept) return false;
  return (concept.coding ?? []).some((c) => diagnosticDepartments.has((c.code ?? '').toUpperCase()) || diagnosticWords.test(c.display ?? ''))
    || diagnosticWords.test(concept.text ?? '') || diagnosticDepartments.has((concept.text ?? '').toUpperCase());
}

/** A visit or appointment held by a testing department only (radiology, laboratory), by its service, type or place. */
function diagnosticOnly(resource: Encounter | Appointment): boolean {
  const places = resource.resourceType === 'Encounter'
    ? (resource.location ?? []).map((l) => l.location.display)
    : resource.participant.filter((p) => p.actor?.type === 'Location').map((p) => p.actor?.display);
  // A v2 location's display joins its parts with " / " (facility / point of care / room).
  const department = (display: string | undefined) => (display ?? '').split(/\s*\/\s*/).some((part) => diagnosticDepartments.has(part.toUpperCase())) || diagnosticWords.test(display ?? '');
  const concepts = resource.resourceType === 'Encounter'
    ? [...(resource.serviceType ? [resource.serviceType] : []), ...(resource.type ?? [])]
    : [...(resource.serviceType ?? []), ...(resource.appointmentType ? [resource.appointmentType] : [])];
  return concepts.some(namesDiagnosticService) || places.some(department);
}

export interface Stay {
  entry: RecordEntry<Encounter>;
  admittedAt: Date;
  dischargedAt: Date;
  /** The calendar days of admission and discharge as the source wrote them (YYYY-MM-DD). */
  admittedOn: string;
  dischargedOn: string;
}

/** An outpatient visit or appointment after which follow-up is done, with its start and its day as written. */
export interface FollowUpContact {
  entry: RecordEntry<Encounter | Appointment>;
  at: Date;
  day: string;
}

function classOf(encounter: Encounter): string | undefined {
  return encounter.class?.code;
}

/** Finished inpatient stays with both dates, oldest discharge first. */
export function inpatientStays(person: PersonRecord): Stay[] {
  return entriesOf<Encounter>(person, 'Encounter')
    .filter((e) => inpatientClasses.has(classOf(e.resource) ?? '') && e.resource.status === 'finished')
    .flatMap((entry) => {
      const admittedAt = parseFhirDate(entry.resource.period?.start);
      const dischargedAt = parseFhirDate(entry.resource.period?.end);
      const admittedOn = fhirDay(entry.resource.period?.start);
      const dischargedOn = fhirDay(entry.resource.period?.end);
      return admittedAt && dischargedAt && admittedOn && dischargedOn ? [{ entry, admittedAt, dischargedAt, admittedOn, dischargedOn }] : [];
    })
    .sort((a, b) => a.dischargedAt.getTime() - b.dischargedAt.getTime());
}

/**
 * Whether a moment falls inside an inpatient stay or an emergency visit, finished or still
 * going (one without an end runs to now): results taken there belong to acute hospital care,
 * not to outpatient testing.
 */
export function duringHospitalCare(person: PersonRecord): (at: Date) => boolean {
  const spans = entriesOf<Encounter>(person, 'Encounter')
    .filter((e) => (inpatientClasses.has(classOf(e.resource) ?? '') || emergencyClasses.has(classOf(e.resource) ?? '')) && ['finished', 'in-progress', 'onleave'].includes(e.resource.status))
    .flatMap((e) => {
      const from = parseFhirDate(e.resource.period?.start);
      return from ? [{ from, to: parseFhirDate(e.resource.period?.end) ?? new Date(8.64e15) }] : [];
    });
  return (at) => spans.some((s) => s.from <= at && at <= s.to);
}

/** Emergency department visits (not cancelled), with their start. */
export function emergencyVisits(person: PersonRecord): { entry: RecordEntry<Encounter>; at: Date }[] {
  return entriesOf<Encounter>(person, 'Encounter')
    .filter((e) => emergencyClasses.has(classOf(e.resource) ?? '') && !['cancelled', 'entered-in-error'].includes(e.resource.status))
    .flatMap((entry) => {
      const at = parseFhirDate(entry.resource.period?.start);
      return at ? [{ entry, at }] : [];
    });
}

/** Outpatient visits (held or planned) and appointments (booked or held) with a clinician, with their start. */
export function followUpContacts(person: PersonRecord): FollowUpContact[] {
  const contact = (entry: RecordEntry<Encounter | Appointment>, start: string | undefined): FollowUpContact[] => {
    const at = parseFhirDate(start);
    const day = fhirDay(start);
    return at && day ? [{ entry, at, day }] : [];
  };
  const visits = entriesOf<Encounter>(person, 'Encounter')
    .filter((e) => followUpClasses.has(classOf(e.resource) ?? '') && !['cancelled', 'entered-in-error'].includes(e.resource.status) && !diagnosticOnly(e.resource))
    .flatMap((entry) => contact(entry, entry.resource.period?.start));
  const appointments = entriesOf<Appointment>(person, 'Appointment')
    .filter((e) => countedAppointments.has(e.resource.status) && !diagnosticOnly(e.resource))
    .flatMap((entry) => contact(entry, entry.resource.start));
  return [...visits, ...appointments].sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The stay's discharge disposition code (http://terminology.hl7.org/CodeSystem/discharge-disposition). */
export function dischargeDisposition(encounter: Encounter): string | undefined {
  return encounter.hospitalization?.dischargeDisposition?.coding?.[0]?.code;
}
