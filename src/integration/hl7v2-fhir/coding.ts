/**
 * Coded values: CE/CWE/CNE → CodeableConcept and ID/IS → code, per the V2-to-FHIR IG's
 * CWE[CodeableConcept] data type map (http://hl7.org/fhir/uv/v2mappings/ConceptMap/datatype-cwe-to-codeableconcept):
 * CWE.1–3 (identifier, text, coding system) and CWE.4–6 (the alternate triplet) become two
 * codings, CWE.7/CWE.8 their versions, CWE.9 (original text) the concept's text.
 *
 * The coding system names of HL7 table 0396 become the FHIR URIs the IG's CodeSystem map
 * gives (`LN` → http://loinc.org, `HL70001` → http://terminology.hl7.org/CodeSystem/v2-0001);
 * a name we do not know is kept, as `urn:longitude:hl7:codesystem:<name>`, rather than dropped,
 * so a local code never loses where it came from. A field whose values come from an HL7 table
 * (PV1-4 from table 0007) gets that table's system when the sender did not name one.
 */
import type { CodeableConcept, Coding } from '@medplum/fhirtypes';
import { comp, type Rep } from './segments.ts';

/** The URI of an HL7 v2 table: http://terminology.hl7.org/CodeSystem/v2-0001. */
export function v2Table(table: string): string {
  return `http://terminology.hl7.org/CodeSystem/v2-${table.padStart(4, '0')}`;
}

/** HL7 table 0396 names (and common variants senders use) → FHIR code system URIs. */
const knownSystems: Record<string, string> = {
  LN: 'http://loinc.org',
  LOINC: 'http://loinc.org',
  SCT: 'http://snomed.info/sct',
  SNM: 'http://snomed.info/sct',
  SNM3: 'http://snomed.info/sct',
  SNOMED: 'http://snomed.info/sct',
  SNOMEDCT: 'http://snomed.info/sct',
  I9: 'http://hl7.org/fhir/sid/icd-9-cm',
  I9C: 'http://hl7.org/fhir/sid/icd-9-cm',
  I9CDX: 'http://hl7.org/fhir/sid/icd-9-cm',
  I9M: 'http://hl7.org/fhir/sid/icd-9-cm',
  I10: 'http://hl7.org/fhir/sid/icd-10',
  I10C: 'http://hl7.org/fhir/sid/icd-10-cm',
  ICD10CM: 'http://hl7.org/fhir/sid/icd-10-cm',
  'I10-CM': 'http://hl7.org/fhir/sid/icd-10-cm',
  I10P: 'http://www.cms.gov/Medicare/Coding/ICD10',
  C4: 'http://www.ama-assn.org/go/cpt',
  CPT: 'http://www.ama-assn.org/go/cpt',
  CPT4: 'http://www.ama-assn.org/go/cpt',
  HCPCS: 'urn:oid:2.16.840.1.113883.6.285',
  CVX: 'http://hl7.org/fhir/sid/cvx',
  MVX: 'http://terminology.hl7.org/CodeSystem/MVX',
  NDC: 'http://hl7.org/fhir/sid/ndc',
  RXNORM: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  RXN: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  UCUM: 'http://unitsofmeasure.org',
  NCIT: 'http://ncit.nci.nih.gov',
  CDCREC: 'urn:oid:2.16.840.1.113883.6.238',
  CDCPHINVS: 'urn:oid:2.16.840.1.114222.4.5.274',
  NPI: 'http://hl7.org/fhir/sid/us-npi',
  DCM: 'http://dicom.nema.org/resources/ontology/DCM',
  ISO3166_1: 'urn:iso:std:iso:3166',
  'ISO3166-1': 'urn:iso:std:iso:3166',
  ISO639: 'urn:ietf:bcp:47',
  NUCCPID: 'http://nucc.org/provider-taxonomy',
};

/**
 * The FHIR URI for a coding system name (CWE.3/CWE.6).
 * @param name - e.g. `LN`, `HL70005`, `SCT`, `L`
 */
export function codeSystemUri(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const upper = name.trim().toUpperCase();
  const known = knownSystems[upper];
  if (known) return known;
  // HL7 tables: HL70005, HL7-0005, HL7_0005 (table 0396 spells them HL7nnnn).
  const table = /^HL7[-_]?(\d{4})$/.exec(upper);
  if (table) return v2Table(table[1]!);
  if (/^(urn:|https?:\/\/)/i.test(name)) return name.trim();
  return `urn:longitude:hl7:codesystem:${encodeURIComponent(name.trim())}`;
}

export interface CodingOptions {
  /** The HL7 table the field's values come from (used when the sender names no system). */
  table?: string;
}

/** One coding from a triplet (identifier, text, system name) and its version. */
function triplet(code: string | undefined, display: string | undefined, systemName: string | undefined, version: string | undefined, options: CodingOptions): Coding | undefined {
  if (!code) return undefined;
  const system = codeSystemUri(systemName) ?? (options.table ? v2Table(options.table) : undefined);
  return {
    ...(system ? { system } : {}),
    ...(version ? { version } : {}),
    code,
    ...(display ? { display } : {}),
  };
}

/**
 * CE/CWE/CNE → CodeableConcept; undefined when the repetition holds neither a code nor text.
 * A text-only value (CWE.2 without CWE.1) is kept as the concept's text.
 */
export function codeableConcept(rep: Rep | undefined, options: CodingOptions = {}): CodeableConcept | undefined {
  if (!rep) return undefined;
  const codings = [
    triplet(comp(rep, 1), comp(rep, 2), comp(rep, 3), comp(rep, 7), options),
    triplet(comp(rep, 4), comp(rep, 5), comp(rep, 6), comp(rep, 8), options),
  ].filter((c): c is Coding => c !== undefined);
  const text = comp(rep, 9) ?? (codings.length === 0 ? comp(rep, 2) : undefined);
  if (codings.length === 0 && !text) return undefined;
  return { ...(codings.length > 0 ? { coding: codings } : {}), ...(text ? { text } : {}) };
}

/** The first coding of a CWE (CWE[Coding] map), e.g. for Encounter.class. */
export function coding(rep: Rep | undefined, options: CodingOptions = {}): Coding | undefined {
  return codeableConcept(rep, options)?.coding?.[0];
}

/** An ID/IS value of an HL7 table as a one-coding concept (ID[CodeableConcept] map). */
export function tableConcept(code: string | undefined, table: string, display?: string): CodeableConcept | undefined {
  if (!code) return undefined;
  return { coding: [{ system: v2Table(table), code, ...(display ? { display } : {}) }] };
}

/** The code of a CWE (CWE[code] map), looked up in a concept map; undefined when unmapped. */
export function mapCode<T>(code: string | undefined, map: Readonly<Record<string, T>>): NonNullable<T> | undefined {
  if (!code) return undefined;
  return (map[code] ?? map[code.toUpperCase()]) ?? undefined;
}
