/**
 * PID (+ PD1) → Patient, per the V2-to-FHIR IG's PID[Patient] and PD1[Patient] segment maps
 * (http://hl7.org/fhir/uv/v2mappings/ConceptMap/segment-pid-to-patient).
 *
 * The Patient is keyed by its first PID-3 identifier (system from the assigning authority,
 * identifiers.ts), so every message about the same person of the same source system finds
 * the same Patient. Matching that person across systems is the identity layer's work, not
 * this one's: a Patient here is a source record.
 */
import type { CodeableConcept, Extension, Identifier, Patient } from '@medplum/fhirtypes';
import { HandlerError } from '../message-store/message-processor.ts';
import type { BundleBuilder, Ref, WriteMode } from './bundle-builder.ts';
import { codeableConcept, mapCode, v2Table } from './coding.ts';
import type { MappingContext } from './context.ts';
import { address, contactPoint, humanNames, practitionerReference } from './datatypes.ts';
import { toFhirDate } from './hl7-dates.ts';
import { cxIdentifier, localSystem } from './identifiers.ts';
import { comp, firstSegment, type Seg } from './segments.ts';

/** AdministrativeSex (HL7 table 0001) → Patient.gender (IG AdministrativeSex map). */
const gender: Record<string, Patient['gender']> = { M: 'male', F: 'female', O: 'other', A: 'other', N: 'other', X: 'other', U: 'unknown' };

/** Marital status (HL7 table 0002) → v3 MaritalStatus (IG MaritalStatus map). */
const maritalStatus: Record<string, string> = { A: 'L', B: 'U', C: 'C', D: 'D', E: 'L', G: 'T', I: 'I', M: 'M', N: 'A', P: 'T', R: 'T', S: 'S', T: 'UNK', U: 'UNK', W: 'W' };

/** US Core race: the OMB categories (CDC race & ethnicity code set, urn:oid:2.16.840.1.113883.6.238). */
const ombRace = new Set(['1002-5', '2028-9', '2054-5', '2076-8', '2106-3', '2131-1']);
const ombEthnicity = new Set(['2135-2', '2186-5']);
const CDCREC = 'urn:oid:2.16.840.1.113883.6.238';

/** Yes/no indicator (HL7 table 0136, Y/N; senders also write YES/NO) → boolean (IG Yes/NoIndicator map). */
export function yesNo(text: string | undefined): boolean | undefined {
  const flag = text?.toUpperCase();
  if (flag === 'Y' || flag === 'YES') return true;
  if (flag === 'N' || flag === 'NO') return false;
  return undefined;
}

export interface MappedPatient {
  reference: Ref;
  /** The identifier the Patient is keyed by (other resources scope their keys with it). */
  key: Identifier;
}

/** The identifiers of PID-2, PID-3, PID-4 (CX), PID-19 (SSN) and PID-20 (DLN), in that order. */
function patientIdentifiers(pid: Seg, ctx: MappingContext): Identifier[] {
  const cx = (field: number) =>
    pid.reps(field).map((rep) => cxIdentifier(rep, ctx, { element: pid.element(field), defaultSystem: localSystem(ctx, `pid-${field}`) }));
  const ssn = pid.text(19);
  const license = pid.rep(20);
  const licenseEnd = license && comp(license, 3) ? toFhirDate(comp(license, 3)!, pid.element(20, 3)) : undefined;
  return [
    ...cx(3),
    ...cx(2),
    ...cx(4),
    ...(ssn ? [{ type: { coding: [{ system: v2Table('0203'), code: 'SS' }] }, system: 'http://hl7.org/fhir/sid/us-ssn', value: ssn }] : []),
    ...(comp(license, 1)
      ? [{
          type: { coding: [{ system: v2Table('0203'), code: 'DL' }] },
          system: `urn:longitude:hl7:drivers-license:${(comp(license, 2) ?? 'unknown').toLowerCase()}`,
          value: comp(license, 1)!,
          ...(licenseEnd ? { period: { end: licenseEnd } } : {}),
        }]
      : []),
  ].filter((i): i is Identifier => i !== undefined);
}

/** PID-10 / PID-22 as the US Core race or ethnicity extension (IG: "local implementation"). */
function omb(url: string, reps: CodeableConcept[], categories: Set<string>): Extension | undefined {
  const codings = reps.flatMap((c) => c.coding ?? []).filter((c) => c.code);
  if (codings.length === 0) return undefined;
  const text = reps.map((c) => c.coding?.[0]?.display ?? c.text).filter(Boolean).join(', ') || codings.map((c) => c.code).join(', ');
  return {
    url,
    extension: [
      ...codings.map((c) => ({ url: categories.has(c.code!) ? 'ombCategory' : 'detailed', valueCoding: { system: CDCREC, code: c.code!, ...(c.display ? { display: c.display } : {}) } })),
      { url: 'text', valueString: text },
    ],
  };
}

function patientExtensions(pid: Seg): Extension[] {
  const concept = (field: number) => pid.reps(field).map((r) => codeableConcept(r)).filter((c): c is CodeableConcept => !!c);
  const wrap = (url: string, c: CodeableConcept) => ({ url, extension: [{ url: 'code', valueCodeableConcept: c }] });
  const mother = comp(pid.rep(6), 1);
  const religion = codeableConcept(pid.rep(17), { table: '0006' });
  const birthPlace = pid.text(23);
  const race = omb('http://hl7.org/fhir/us/core/StructureDefinition/us-core-race', concept(10), ombRace);
  const ethnicity = omb('http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity', concept(22), ombEthnicity);
  return [
    ...(race ? [race] : []),
    ...(ethnicity ? [ethnicity] : []),
    ...(mother ? [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-mothersMaidenName', valueString: mother }] : []),
    ...(religion ? [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-religion', valueCodeableConcept: religion }] : []),
    ...(birthPlace ? [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { text: birthPlace } }] : []),
    ...concept(26).map((c) => wrap('http://hl7.org/fhir/StructureDefinition/patient-citizenship', c)),
    ...concept(28).map((c) => wrap('http://hl7.org/fhir/StructureDefinition/patient-nationality', c)),
  ];
}

/** birthDate, with the time (when sent) in the birthTime extension on the primitive (`_birthDate`, R4 JSON §2.6.2.7). */
type Birth = Pick<Patient, 'birthDate'> & { _birthDate?: { extension: Extension[] } };

function birth(pid: Seg, ctx: MappingContext): Birth {
  const value = pid.text(7);
  if (!value) return {};
  const birthDate = ctx.date(pid, 7)!;
  // More than a date: the time goes in the birthTime extension (IG PID-7 rows 2–3).
  const time = value.replace(/[+-]\d{4}$/, '').length > 8 ? ctx.dateTime(pid, 7) : undefined;
  return {
    birthDate,
    ...(time ? { _birthDate: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: time }] } } : {}),
  };
}

function marital(pid: Seg): CodeableConcept | undefined {
  const concept = codeableConcept(pid.rep(16), { table: '0002' });
  const v3 = mapCode(comp(pid.rep(16), 1), maritalStatus);
  if (!v3) return concept;
  const display = comp(pid.rep(16), 2);
  return { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: v3, ...(display ? { display } : {}) }] };
}

/** PID → Patient (not yet keyed or added): every PID/PD1 element the IG maps that we keep. */
export function patientFromPid(pid: Seg, ctx: MappingContext, pd1?: Seg): Patient {
  const names = [...pid.reps(5).flatMap((r) => humanNames(r, ctx, pid.element(5))), ...pid.reps(9).flatMap((r) => humanNames(r, ctx, pid.element(9)))];
  const addresses = pid.reps(11).map((r) => address(r, ctx, pid.element(11))).filter((a) => a !== undefined);
  const county = pid.text(12);
  if (county && addresses.length === 1 && !addresses[0]!.district) addresses[0] = { ...addresses[0]!, district: county };
  const telecom = [
    ...pid.reps(13).map((r) => contactPoint(r, ctx, pid.element(13), 'home')),
    ...pid.reps(14).map((r) => contactPoint(r, ctx, pid.element(14), 'work')),
    ...pid.reps(40).map((r) => contactPoint(r, ctx, pid.element(40))),
  ].filter((t) => t !== undefined);
  const language = codeableConcept(pid.rep(15), { table: '0296' });
  const sex = mapCode(pid.text(8), gender);
  const deceased = ctx.dateTime(pid, 29);
  const deceasedFlag = yesNo(pid.text(30));
  const birthOrder = Number(pid.text(25));
  const multiple = yesNo(pid.text(24));
  const extension = patientExtensions(pid);
  const practitioners = [
    ...(pd1?.reps(4).map((r) => practitionerReference(r, ctx)) ?? []),
    ...(pd1?.reps(3).map((r) => (comp(r, 1) ? { type: 'Organization', display: comp(r, 1)! } : undefined)) ?? []),
  ].filter((r): r is Ref => r !== undefined);
  const maritalStatus = marital(pid);
  return {
    resourceType: 'Patient',
    ...(extension.length > 0 ? { extension } : {}),
    identifier: patientIdentifiers(pid, ctx),
    ...(names.length > 0 ? { name: names } : {}),
    ...(telecom.length > 0 ? { telecom } : {}),
    ...(sex ? { gender: sex } : {}),
    ...birth(pid, ctx),
    ...(deceased ? { deceasedDateTime: deceased } : deceasedFlag !== undefined ? { deceasedBoolean: deceasedFlag } : {}),
    ...(addresses.length > 0 ? { address: addresses } : {}),
    ...(maritalStatus ? { maritalStatus } : {}),
    ...(Number.isInteger(birthOrder) && birthOrder > 0 ? { multipleBirthInteger: birthOrder } : multiple !== undefined ? { multipleBirthBoolean: multiple } : {}),
    ...(language ? { communication: [{ language, preferred: true }] } : {}),
    ...(practitioners.length > 0 ? { generalPractitioner: practitioners } : {}),
  };
}

/**
 * Maps the message's PID (and PD1) and adds the Patient to the Bundle.
 * @param mode - `upsert` for messages that own demographics (ADT), `ensure` for the others
 */
export function addPatient(ctx: MappingContext, builder: BundleBuilder, mode: WriteMode): MappedPatient {
  const pid = firstSegment(ctx.message, 'PID');
  if (!pid) throw new HandlerError({ stage: 'map', code: 'missing-segment', message: 'the message has no PID segment', element: 'PID' });
  const patient = patientFromPid(pid, ctx, firstSegment(ctx.message, 'PD1'));
  // The list starts with PID-3, then PID-2 and PID-4 (what pre-2.5 senders used instead);
  // SSN and driver's license come last and never key a Patient.
  const key = patient.identifier?.[0];
  if (!key?.value || key.system === 'http://hl7.org/fhir/sid/us-ssn' || key.type?.coding?.[0]?.code === 'DL') {
    throw new HandlerError({ stage: 'map', code: 'missing-patient-identifier', message: 'PID-3 holds no patient identifier', element: 'PID-3' });
  }
  return { reference: builder.add(patient, key, mode), key };
}
