/**
 * FHIR Patient → the engine's SourceRecord. The record id is the Patient's reference
 * (`Patient/<id>`), so links stored in the database name the source resource directly. The
 * source system is the channel of meta.source (`urn:longitude:channel/<channel>#<message>`, as
 * the integration layer stamps it), else meta.source itself, else the system of the first
 * identifier, else `unknown`.
 */
import type { Identifier, Patient } from '@medplum/fhirtypes';
import type { SourceRecord } from './types.ts';

/** US SSN (http://hl7.org/fhir/sid/us-ssn): compared as the SSN field, not as a local identifier. */
export const SSN_SYSTEM = 'http://hl7.org/fhir/sid/us-ssn';
/** meta.tag of golden Patients: never read back as a source record. */
export const GOLDEN_TAG = { system: 'urn:longitude:identity', code: 'golden' } as const;

export function isGoldenPatient(patient: Patient): boolean {
  return patient.meta?.tag?.some((t) => t.system === GOLDEN_TAG.system && t.code === GOLDEN_TAG.code) ?? false;
}

export function sourceSystemOfPatient(patient: Patient): string {
  const metaSource = patient.meta?.source;
  if (metaSource) {
    const channel = /^urn:longitude:channel\/([^#]+)/.exec(metaSource)?.[1];
    return channel ? decodeURIComponent(channel) : metaSource;
  }
  return patient.identifier?.find((i) => i.system)?.system ?? 'unknown';
}

const blank = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v);

/** A period still open (or none) is current; an ended one is history. */
const isCurrent = (x: { period?: { end?: string } }) => x.period?.end === undefined;

export function patientToSourceRecord(patient: Patient): SourceRecord {
  const names = patient.name ?? [];
  const name = names.find((n) => n.use === 'official' && isCurrent(n)) ?? names.find((n) => n.use !== 'old' && isCurrent(n)) ?? names[0];
  const address = (patient.address ?? []).find((a) => a.use !== 'old' && isCurrent(a)) ?? patient.address?.[0];
  const telecom = (patient.telecom ?? []).filter(isCurrent);
  const identifiers = (patient.identifier ?? []).filter((i): i is Identifier & { value: string } => !!blank(i.value));
  return {
    recordId: `Patient/${patient.id ?? ''}`,
    source: sourceSystemOfPatient(patient),
    givenName: blank(name?.given?.[0]),
    middleName: blank(name?.given?.[1]),
    familyName: blank(name?.family),
    birthDate: blank(patient.birthDate),
    sex: blank(patient.gender),
    phones: telecom.filter((t) => t.system === 'phone' || t.system === 'sms').map((t) => blank(t.value)),
    email: blank(telecom.find((t) => t.system === 'email')?.value),
    address: address
      ? { line: blank(address.line?.join(' ')), city: blank(address.city), state: blank(address.state), postalCode: blank(address.postalCode) }
      : undefined,
    ssn: identifiers.find((i) => i.system === SSN_SYSTEM)?.value,
    identifiers: identifiers.filter((i) => i.system && i.system !== SSN_SYSTEM).map((i) => ({ system: i.system as string, value: i.value })),
  };
}
