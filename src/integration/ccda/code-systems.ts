/**
 * CDA names code systems and identifier namespaces by OID; FHIR by canonical URI where HL7 has
 * one (http://hl7.org/fhir/R4/terminologies-systems.html, and the C-CDA on FHIR IG's
 * "OID to URI" table). Only the system name changes: the code, its display and the original
 * text stay as the document sent them. An OID without a known URI stays `urn:oid:…`, which is
 * a valid FHIR system and loses nothing.
 */
const SYSTEMS: Readonly<Record<string, string>> = {
  '2.16.840.1.113883.6.1': 'http://loinc.org',
  '2.16.840.1.113883.6.96': 'http://snomed.info/sct',
  '2.16.840.1.113883.6.88': 'http://www.nlm.nih.gov/research/umls/rxnorm',
  '2.16.840.1.113883.12.292': 'http://hl7.org/fhir/sid/cvx',
  '2.16.840.1.113883.6.59': 'http://hl7.org/fhir/sid/cvx',
  '2.16.840.1.113883.6.90': 'http://hl7.org/fhir/sid/icd-10-cm',
  '2.16.840.1.113883.6.3': 'http://hl7.org/fhir/sid/icd-10',
  '2.16.840.1.113883.6.103': 'http://hl7.org/fhir/sid/icd-9-cm',
  '2.16.840.1.113883.6.104': 'http://hl7.org/fhir/sid/icd-9-cm',
  '2.16.840.1.113883.6.4': 'http://www.cms.gov/Medicare/Coding/ICD10',
  '2.16.840.1.113883.6.12': 'http://www.ama-assn.org/go/cpt',
  '2.16.840.1.113883.6.285': 'http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets',
  '2.16.840.1.113883.6.13': 'http://ada.org/cdt',
  '2.16.840.1.113883.6.69': 'http://hl7.org/fhir/sid/ndc',
  '2.16.840.1.113883.4.9': 'http://fdasis.nlm.nih.gov',
  '2.16.840.1.113883.6.8': 'http://unitsofmeasure.org',
  '2.16.840.1.113883.6.101': 'http://nucc.org/provider-taxonomy',
  '2.16.840.1.113883.6.238': 'urn:oid:2.16.840.1.113883.6.238',
  '2.16.840.1.113883.5.1': 'http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender',
  '2.16.840.1.113883.5.2': 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus',
  '2.16.840.1.113883.5.4': 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  '2.16.840.1.113883.5.6': 'http://terminology.hl7.org/CodeSystem/v3-ActClass',
  '2.16.840.1.113883.5.14': 'http://terminology.hl7.org/CodeSystem/v3-ActStatus',
  '2.16.840.1.113883.5.25': 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality',
  '2.16.840.1.113883.5.83': 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  '2.16.840.1.113883.5.111': 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  '2.16.840.1.113883.5.112': 'http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration',
  '2.16.840.1.113883.5.1063': 'http://terminology.hl7.org/CodeSystem/v3-SeverityObservation',
  '2.16.840.1.113883.5.1008': 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor',
  '2.16.840.1.113883.5.60': 'http://terminology.hl7.org/CodeSystem/v3-LanguageAbilityMode',
  '2.16.840.1.113883.6.121': 'urn:ietf:bcp:47',
};

/** Identifier namespaces with a FHIR URI (http://hl7.org/fhir/R4/identifier-registry.html). */
const IDENTIFIER_SYSTEMS: Readonly<Record<string, string>> = {
  '2.16.840.1.113883.4.1': 'http://hl7.org/fhir/sid/us-ssn',
  '2.16.840.1.113883.4.6': 'http://hl7.org/fhir/sid/us-npi',
  '2.16.840.1.113883.4.572': 'http://hl7.org/fhir/sid/us-medicare',
};

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The FHIR system for a CDA codeSystem OID (or undefined when there is none). */
export function codeSystemUri(oid: string | undefined): string | undefined {
  if (!oid) return undefined;
  const trimmed = oid.trim();
  if (SYSTEMS[trimmed]) return SYSTEMS[trimmed];
  if (OID.test(trimmed)) return `urn:oid:${trimmed}`;
  if (UUID.test(trimmed)) return `urn:uuid:${trimmed.toLowerCase()}`;
  return /^[a-z][a-z0-9+.-]*:\S+$/i.test(trimmed) ? trimmed : undefined;
}

/** The FHIR Identifier.system for an II root used with an extension. */
export function identifierSystemUri(root: string): string | undefined {
  const trimmed = root.trim();
  return IDENTIFIER_SYSTEMS[trimmed] ?? codeSystemUri(trimmed);
}

export const isOid = (value: string): boolean => OID.test(value);
export const isUuid = (value: string): boolean => UUID.test(value);
