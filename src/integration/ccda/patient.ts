/**
 * The document header's recordTarget/patientRole → Patient (C-CDA on FHIR "Patient" map; US
 * Core race, ethnicity and birth sex extensions). Codes outside their value set (the ONC
 * negative test's gender code) are reported, not guessed.
 */
import type { Extension, Patient, PatientCommunication } from '@medplum/fhirtypes';
import type { CcdaContext } from './ccda-context.ts';
import { toAddress, toCodeableConcept, toContactPoint, toDate, toDateTime, toHumanName, toIdentifiers } from './cda-datatypes.ts';
import { child, children, descend, type CdaNode } from './cda-xml.ts';
import { codeSystemUri } from './code-systems.ts';

const GENDER: Record<string, Patient['gender']> = { M: 'male', F: 'female', UN: 'other' };
/** OMB minimum categories (US Core race / ethnicity `ombCategory`); anything else is `detailed`. */
const OMB_RACE = new Set(['1002-5', '2028-9', '2054-5', '2076-8', '2106-3']);
const OMB_ETHNICITY = new Set(['2135-2', '2186-5']);
/**
 * ISO 639-2 codes (what many C-CDAs send in languageCode) → the BCP 47 tag FHIR requires
 * (urn:ietf:bcp:47 uses the two-letter code where one exists). The code as sent stays in text.
 */
const BCP47: Record<string, string> = {
  eng: 'en', spa: 'es', ita: 'it', fre: 'fr', fra: 'fr', ger: 'de', deu: 'de', chi: 'zh', zho: 'zh', por: 'pt', rus: 'ru', vie: 'vi', kor: 'ko',
  jpn: 'ja', ara: 'ar', hin: 'hi', pol: 'pl', tgl: 'tl', gre: 'el', ell: 'el', dut: 'nl', nld: 'nl', per: 'fa', fas: 'fa', heb: 'he', hat: 'ht',
};

/** The patient's key for stable ids: their identifiers in the document, sorted. */
export function patientKeyOf(root: CdaNode): string | undefined {
  const ids = children(descend(root, 'recordTarget/patientRole'), 'id')
    .filter((i) => i.attr.root && !i.attr.nullFlavor)
    .map((i) => `${i.attr.root}|${i.attr.extension ?? ''}`);
  return ids.length ? ids.sort().join(';') : undefined;
}

export function mapPatient(ctx: CcdaContext): void {
  const role = descend(ctx.root, 'recordTarget/patientRole');
  if (!role) {
    ctx.report('/ClinicalDocument/recordTarget', 'no recordTarget/patientRole: a Patient with only the document key is written');
  }
  const patient = child(role, 'patient');
  const gender = child(patient, 'administrativeGenderCode');
  const genderCode = gender?.attr.code?.trim();
  if (gender && genderCode && !GENDER[genderCode]) ctx.report(gender.path, `administrativeGenderCode "${genderCode}" is not M, F or UN`);
  const names = children(patient, 'name').map(toHumanName).filter((n) => !!n);
  if (patient && names.length === 0) ctx.report(`${patient.path}/name`, 'the patient has no usable name');
  const birthDate = toDate(ctx, child(patient, 'birthTime'));
  const deceased = child(patient, 'deceasedInd');
  const deceasedTime = toDateTime(ctx, child(patient, 'deceasedTime'));
  const marital = toCodeableConcept(ctx, child(patient, 'maritalStatusCode'));
  const communication = children(patient, 'languageCommunication').flatMap((lc): PatientCommunication[] => {
    const code = child(lc, 'languageCode')?.attr.code?.trim();
    if (!code) return [];
    const preferred = child(lc, 'preferenceInd')?.attr.value;
    const tag = BCP47[code.toLowerCase()] ?? code;
    const language = { coding: [{ system: 'urn:ietf:bcp:47', code: tag }], ...(tag !== code ? { text: code } : {}) };
    return [{ language, ...(preferred ? { preferred: preferred === 'true' } : {}) }];
  });
  const extension = [
    usCoreCategories(ctx, patient, 'raceCode', 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race', OMB_RACE),
    usCoreCategories(ctx, patient, 'ethnicGroupCode', 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity', OMB_ETHNICITY),
  ].filter((e): e is Extension => !!e);
  const resource: Patient = {
    resourceType: 'Patient',
    ...(extension.length ? { extension } : {}),
    identifier: toIdentifiers(children(role, 'id')),
    ...(names.length ? { name: names } : {}),
    ...(children(role, 'telecom').map(toContactPoint).some(Boolean) ? { telecom: children(role, 'telecom').map(toContactPoint).filter((t) => !!t) } : {}),
    ...(genderCode && GENDER[genderCode] ? { gender: GENDER[genderCode] } : gender?.attr.nullFlavor ? { gender: 'unknown' as const } : {}),
    ...(birthDate ? { birthDate } : {}),
    ...(deceasedTime ? { deceasedDateTime: deceasedTime } : deceased?.attr.value ? { deceasedBoolean: deceased.attr.value === 'true' } : {}),
    ...(children(role, 'addr').map((a) => toAddress(ctx, a)).some(Boolean) ? { address: children(role, 'addr').map((a) => toAddress(ctx, a)).filter((a) => !!a) } : {}),
    ...(marital ? { maritalStatus: marital } : {}),
    ...(communication.length ? { communication } : {}),
  };
  if (resource.identifier?.length === 0) delete resource.identifier;
  for (const tag of ['guardian', 'birthplace', 'religiousAffiliationCode']) {
    for (const node of children(patient, tag)) ctx.report(node.path, `patient ${tag} is not mapped`);
  }
  // The patient's id is the context's patient reference (stable over documents about them).
  ctx.resources.push({ ...resource, id: ctx.patientRef.reference!.slice('Patient/'.length) });
}

/** raceCode / ethnicGroupCode (and their sdtc: repetitions) → the US Core extension with its required text. */
function usCoreCategories(ctx: CcdaContext, patient: CdaNode | undefined, tag: string, url: string, omb: ReadonlySet<string>): Extension | undefined {
  const codes = children(patient, tag).filter((c) => c.attr.code && !c.attr.nullFlavor);
  if (codes.length === 0) return undefined;
  const parts: Extension[] = codes.map((c) => ({
    url: omb.has(c.attr.code!) ? 'ombCategory' : 'detailed',
    valueCoding: { system: codeSystemUri(c.attr.codeSystem) ?? 'urn:oid:2.16.840.1.113883.6.238', code: c.attr.code!, ...(c.attr.displayName ? { display: c.attr.displayName } : {}) },
  }));
  const text = codes.map((c) => toCodeableConcept(ctx, c)?.text ?? c.attr.code!).join(', ');
  return { url, extension: [...parts, { url: 'text', valueString: text }] };
}
