/**
 * One patient's data for the CQL engine, made once per patient and shared by every measure
 * evaluated for them. cql-exec-fhir wraps each FHIR resource in a FHIRObject (a getter per
 * element of its type) on every retrieve, and the measures retrieve the same types again and
 * again (AdultOutpatientEncounters."Qualifying Encounters" alone unions seven Encounter
 * retrieves), so the wrapped records are kept per retrieve type and reused: wrapping was the
 * largest part of an evaluation (docs/benchmarks.md, "Signals and identity at demo scale").
 * The wrappers are read-only views of the JSON, so sharing them cannot change a result.
 */
import type { Bundle } from '@medplum/fhirtypes';
import type { DataProvider, PatientObject, RecordObject, RetrieveDetails } from 'cql-execution';
import type { PatientSource } from 'cql-exec-fhir';
import { memoizeElementAccess } from './fhir-object-memo.ts';

/**
 * FHIR R4 vital-sign profiles fix Observation.code to one LOINC code
 * (http://hl7.org/fhir/R4/observation-vitalsigns.html). Records fed from the silos carry no
 * profile tags, so cql-exec-fhir answers a retrieve by such a profile with every Observation;
 * CMS165's `["observation-bp"]` then met lab results, whose absent systolic component sorted
 * as null and crashed the engine ("reading 'isQuantity'"). The profile's own code decides.
 */
const vitalSignProfiles: Record<string, string> = {
  'http://hl7.org/fhir/StructureDefinition/bp': '85354-9',
  'http://hl7.org/fhir/StructureDefinition/bmi': '39156-5',
  'http://hl7.org/fhir/StructureDefinition/bodyheight': '8302-2',
  'http://hl7.org/fhir/StructureDefinition/bodyweight': '29463-7',
  'http://hl7.org/fhir/StructureDefinition/heartrate': '8867-4',
  'http://hl7.org/fhir/StructureDefinition/resprate': '9279-1',
  'http://hl7.org/fhir/StructureDefinition/bodytemp': '8310-5',
  'http://hl7.org/fhir/StructureDefinition/oxygensat': '2708-6',
  'http://hl7.org/fhir/StructureDefinition/headcircum': '9843-4',
};

interface ObservationJson {
  code?: { coding?: { system?: string; code?: string }[] };
}

function hasLoinc(record: RecordObject, code: string): boolean {
  const json = (record as unknown as { _json?: ObservationJson })._json;
  return json?.code?.coding?.some((c) => c.system === 'http://loinc.org' && c.code === code) ?? false;
}

/**
 * The patient of a one-patient Bundle. cql-exec-fhir's Patient class is not exported, so it is
 * made by the shared PatientSource in one synchronous step (load, take, reset), and its
 * `findRecords` answers each (profile, data type) once.
 */
export function loadPatient(source: PatientSource, bundle: Bundle): PatientObject {
  source.reset();
  source.loadBundles([bundle]);
  const patient = source.currentPatient() as unknown as PatientObject;
  source.reset();
  memoizeElementAccess(patient);
  const wrapped = new Map<string, RecordObject[]>();
  const findRecords = patient.findRecords.bind(patient);
  // An own property shadows the class method; the instance stays the one cql-exec-fhir made.
  Object.defineProperty(patient, 'findRecords', {
    enumerable: false,
    value(profile: string | null, retrieveDetails?: RetrieveDetails): RecordObject[] {
      const key = `${profile ?? ''}\n${retrieveDetails?.datatype ?? ''}`;
      let records = wrapped.get(key);
      if (!records) {
        records = findRecords(profile, retrieveDetails) as RecordObject[];
        const vitalSign = profile ? vitalSignProfiles[profile] : undefined;
        if (vitalSign) records = records.filter((r) => hasLoinc(r, vitalSign));
        wrapped.set(key, records);
      }
      // A fresh array each time: callers may filter or sort the list they get.
      return [...records];
    },
  });
  return patient;
}

/** A DataProvider over one patient, for one execution (the executor walks it to its end). */
export function providerOf(patient: PatientObject): DataProvider {
  let current: PatientObject | undefined = patient;
  return {
    currentPatient: () => current,
    nextPatient: () => (current = undefined),
  };
}
