/**
 * The patient section every supported message starts with (v2.5.1 ch. 3 PATIENT group):
 * PID/PD1 → Patient, PV1/PV2 → Encounter, NK1 → RelatedPerson, IN1 → Coverage,
 * AL1 → AllergyIntolerance. What a message owns is upserted; what it only refers to is ensured
 * (bundle-builder.ts): an ADT owns the patient's demographics and visit, a lab result does not.
 */
import type { Identifier } from '@medplum/fhirtypes';
import { addAllergies } from './allergy-intolerance.ts';
import type { BundleBuilder, Ref, WriteMode } from './bundle-builder.ts';
import type { MappingContext } from './context.ts';
import { addCoverages } from './coverage.ts';
import { addEncounter } from './encounter.ts';
import { addPatient } from './patient.ts';
import { addRelatedPersons } from './related-person.ts';

export interface PatientSection {
  patient: Ref;
  patientKey: Identifier;
  encounter?: Ref;
  /** What children without keys of their own are keyed by: the visit, else the patient. */
  scope: string;
}

export function mapPatientSection(ctx: MappingContext, builder: BundleBuilder, mode: WriteMode): PatientSection {
  const { reference: patient, key: patientKey } = addPatient(ctx, builder, mode);
  const visit = addEncounter(ctx, builder, patient, mode);
  addRelatedPersons(ctx, builder, patient, patientKey, mode);
  addCoverages(ctx, builder, patient, patientKey, mode);
  addAllergies(ctx, builder, patient, patientKey, mode);
  return {
    patient,
    patientKey,
    ...(visit ? { encounter: visit.reference } : {}),
    // Prefixed: a visit number and a patient id may well be the same digits.
    scope: visit ? `visit:${visit.key.value}` : `patient:${patientKey.value}`,
  };
}
