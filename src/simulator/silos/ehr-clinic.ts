/**
 * The clinic EHR's export: one FHIR R4 transaction Bundle per patient (PUT with the EHR's own
 * resource ids, so a re-import is idempotent). Patient.id is the clinic MRN; other resources
 * are `<MRN>-<kind>-<event sequence>`. Free-text errors land here as a Condition with only
 * code.text ("HTN") and a blood pressure sent as valueString "138/86".
 */
import { conditionInfo } from '../conditions.ts';
import { addYears, fhirDateTime, isoDate } from '../dates.ts';
import { formatPhone } from '../error-injectors.ts';
import { analytes, labTests } from '../lab-catalog.ts';
import { drugLabel, drugs } from '../medications.ts';
import { knownResidence, learnMove } from './contact-knowledge.ts';
import { birthIso, recordDemographics } from './demographics.ts';
import { addEvidence, type SiloResult } from './silo-output.ts';
import type { PersonSiloInput } from './silo-output.ts';

const BASE = 'https://ehr-clinic.example.org/fhir';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

const CVX = {
  influenza: ['150', 'Influenza, injectable, quadrivalent, preservative free'],
  tdap: ['115', 'Tdap'],
  zoster: ['187', 'Zoster vaccine recombinant'],
  pneumococcal: ['216', 'Pneumococcal conjugate PCV20'],
} as const;

const SCREENING_CPT = { mammography: ['77067', 'Screening mammography, bilateral'], colonoscopy: ['45378', 'Colonoscopy, flexible, diagnostic'] } as const;
const SCREENING_LOINC = { mammography: ['26175-0', 'MG Breast - bilateral Screening'] } as const;

type Json = Record<string, unknown>;

export type EhrInput = PersonSiloInput;

/** The bundle (as compact JSON) and what the EHR holds, or undefined when the person is not a clinic patient. */
export function renderEhrClinic(input: EhrInput): { mrn: string; json: string; result: SiloResult } | undefined {
  const { ctx, ids, person, plan, errors, household } = input;
  if (!plan.inEhr) return undefined;
  const mrn = ids.clinicMrn(person.index);
  const result: SiloResult = { records: [], evidence: new Map(), errors: errors.rows };
  const demo = recordDemographics(person, mrn, errors, { housePhoneStyle: 'dashes', keepsSsn: true });
  const knowledge = learnMove(household, errors, mrn, ctx.endDay);
  const current = knownResidence(household, knowledge, ctx.endDay);
  const patientRef = { reference: `Patient/${mrn}` };
  const entries: Json[] = [];
  const add = (resource: Json & { resourceType: string; id: string }) => {
    entries.push({ fullUrl: `${BASE}/${resource.resourceType}/${resource.id}`, resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } });
  };

  const telecom: Json[] = [];
  if (current.homePhone) telecom.push({ system: 'phone', value: formatPhone(current.homePhone, demo.phoneStyle), use: 'home' });
  if (demo.mobile) telecom.push({ system: 'phone', value: formatPhone(demo.mobile, demo.phoneStyle), use: 'mobile' });
  if (demo.email) telecom.push({ system: 'email', value: demo.email });
  const address: Json[] = [{ use: 'home', line: [current.address.line1], city: current.address.city, state: current.address.state, postalCode: current.address.zip }];
  const previous = household.residences[0]!;
  if (current !== previous && knowledge.learnDay !== undefined) {
    address.push({ use: 'old', line: [previous.address.line1], city: previous.address.city, state: previous.address.state, postalCode: previous.address.zip, period: { end: isoDate(knowledge.learnDay) } });
  }
  const patient: Json & { resourceType: string; id: string } = {
    resourceType: 'Patient', id: mrn,
    meta: { lastUpdated: fhirDateTime(knowledge.learnDay ?? plan.visits[plan.visits.length - 1]?.day ?? ctx.startDay, 720) },
    identifier: [
      { use: 'usual', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: 'urn:longitude:ehr-clinic:mrn', value: mrn },
      ...(demo.ssn ? [{ system: 'http://hl7.org/fhir/sid/us-ssn', value: `${demo.ssn.slice(0, 3)}-${demo.ssn.slice(3, 5)}-${demo.ssn.slice(5)}` }] : []),
    ],
    name: [{ use: 'official', family: demo.family, given: demo.middle ? [demo.given, demo.middle] : [demo.given] }],
    telecom,
    ...(demo.sex ? { gender: demo.sex } : {}),
    birthDate: birthIso(demo),
    address,
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: person.language }] }, preferred: true }],
  };
  if (telecom.length === 0) delete patient.telecom;
  // The clinic hears of most deaths, not all of them.
  if (person.deathDay !== undefined && errors.rng.chance(0.8)) patient.deceasedDateTime = fhirDateTime(person.deathDay, 0);
  add(patient);
  addEvidence(result.evidence, 'patient', { silo: 'ehr-clinic', recordId: mrn, type: 'resource', id: `Patient/${mrn}` });

  // Chronic conditions were diagnosed before the simulated year (eCQMs take a condition's
  // prevalence from its onset: without one it overlaps no measurement period). Adults only,
  // and deterministic, so the random stream every other draw depends on is untouched.
  const onsetDay = (c: string) => Math.max(addYears(person.birthDay, 18), addYears(ctx.startDay, -(1 + ([...`${mrn}${c}`].reduce((h, ch) => h * 31 + ch.charCodeAt(0), 7) >>> 0) % 8)));

  for (const c of person.conditions) {
    const info = conditionInfo[c];
    const id = `${mrn}-cond-${c}`;
    const freeText = errors.roll('freeText');
    if (freeText) errors.log('freeText', mrn, `Condition/${id}.code`, info.icd10, info.abbreviation);
    add({
      resourceType: 'Condition', id,
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
      code: freeText ? { text: info.abbreviation } : { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: info.icd10, display: info.display }, { system: 'http://snomed.info/sct', code: info.snomed }], text: info.display },
      subject: patientRef,
      onsetDateTime: isoDate(Math.min(onsetDay(c), ctx.startDay)),
    });
    addEvidence(result.evidence, `cond:${c}`, { silo: 'ehr-clinic', recordId: mrn, type: 'resource', id: `Condition/${id}` });
  }

  for (const v of plan.visits) {
    const encId = `${mrn}-enc-${v.seq}`;
    add({
      resourceType: 'Encounter', id: encId, status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
      // CPT E/M codes, as the clinic bills them: eCQMs find qualifying visits by these (Office Visit value set).
      type: [
        v.followUpOfStay !== undefined
          ? { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '99214', display: 'Office or other outpatient visit, established patient, moderate complexity' }], text: 'Hospital follow-up visit' }
          : { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '99213', display: 'Office or other outpatient visit, established patient, low complexity' }], text: 'Office visit' },
      ],
      subject: patientRef, period: { start: fhirDateTime(v.day, v.minute), end: fhirDateTime(v.day, Math.min(1439, v.minute + 20)) },
    });
    addEvidence(result.evidence, `visit:${v.seq}`, { silo: 'ehr-clinic', recordId: mrn, type: 'resource', id: `Encounter/${encId}`, date: isoDate(v.day) });
    const vital = (id: string, code: string, display: string) => ({
      resourceType: 'Observation', id, status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
      code: { coding: [{ system: LOINC, code, display }] }, subject: patientRef, encounter: { reference: `Encounter/${encId}` },
      effectiveDateTime: fhirDateTime(v.day, v.minute),
    });
    const bp: Json & { resourceType: string; id: string } = vital(`${mrn}-bp-${v.seq}`, '85354-9', 'Blood pressure panel');
    if (errors.roll('freeText')) {
      bp.valueString = `${v.systolic}/${v.diastolic}`;
      errors.log('freeText', mrn, `Observation/${bp.id}.value`, 'components', bp.valueString as string);
    } else {
      bp.component = [
        { code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }] }, valueQuantity: { value: v.systolic, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } },
        { code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic blood pressure' }] }, valueQuantity: { value: v.diastolic, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } },
      ];
    }
    add(bp);
    if (v.bmi !== undefined) add({ ...vital(`${mrn}-bmi-${v.seq}`, '39156-5', 'Body mass index (BMI) [Ratio]'), valueQuantity: { value: v.bmi, unit: 'kg/m2', system: UCUM, code: 'kg/m2' } });
  }

  for (const order of plan.labs) {
    if (order.performer !== 'ehr-clinic') continue;
    const r = order.results[0]!;
    const id = `${mrn}-lab-${order.seq}`;
    add({
      resourceType: 'Observation', id, status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
      code: { coding: [{ system: LOINC, code: analytes[r.analyte].loinc, display: analytes[r.analyte].name }], text: 'HbA1c (point of care)' },
      subject: patientRef, effectiveDateTime: fhirDateTime(order.day, order.minute), valueQuantity: { value: r.value, unit: '%', system: UCUM, code: '%' },
    });
    addEvidence(result.evidence, `lab:${order.seq}`, { silo: 'ehr-clinic', recordId: mrn, type: 'resource', id: `Observation/${id}`, date: isoDate(order.day), loinc: labTests[order.test].loinc });
  }

  for (const med of plan.medications) {
    const id = `${mrn}-med-${med.seq}`;
    const d = drugs[med.drug];
    const brand = errors.roll('brandName');
    if (brand) errors.log('brandName', mrn, `MedicationRequest/${id}`, d.generic, d.brand);
    add({
      resourceType: 'MedicationRequest', id, status: 'active', intent: 'order',
      medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: d.rxnorm, display: d.generic }], text: drugLabel(med.drug, med.dose, brand) },
      subject: patientRef, authoredOn: isoDate(med.startDay), dosageInstruction: [{ text: `${drugLabel(med.drug, med.dose, brand)} ${d.sig}` }],
    });
    addEvidence(result.evidence, `med:${med.seq}`, { silo: 'ehr-clinic', recordId: mrn, type: 'resource', id: `MedicationRequest/${id}`, date: isoDate(med.startDay) });
  }

  for (const imm of plan.immunizations) {
    const [code, display] = CVX[imm.vaccine];
    add({ resourceType: 'Immunization', id: `${mrn}-imm-${imm.seq}`, status: 'completed', vaccineCode: { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code, display }] }, patient: patientRef, occurrenceDateTime: isoDate(imm.day) });
  }
  for (const s of plan.screenings) {
    const [code, display] = SCREENING_CPT[s.kind];
    const id = `${mrn}-proc-${s.seq}`;
    add({ resourceType: 'Procedure', id, status: 'completed', code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code, display }], text: display }, subject: patientRef, performedDateTime: isoDate(s.day) });
    addEvidence(result.evidence, `screen:${s.seq}`, { silo: 'ehr-clinic', recordId: mrn, type: 'resource', id: `Procedure/${id}`, date: isoDate(s.day) });
    if (s.kind === 'mammography') {
      // The radiology report the clinic files with it. A mammogram is a diagnostic study with a
      // result: CMS125 counts it as an Observation coded in LOINC ("Mammography" value set,
      // 2.16.840.1.113883.3.464.1003.108.12.1018), never as the CPT procedure that bills it.
      const [loinc, name] = SCREENING_LOINC.mammography;
      add({
        resourceType: 'Observation', id: `${mrn}-img-${s.seq}`, status: 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'imaging' }] }],
        code: { coding: [{ system: LOINC, code: loinc, display: name }], text: name }, subject: patientRef, effectiveDateTime: isoDate(s.day),
      });
      addEvidence(result.evidence, `screen:${s.seq}`, { silo: 'ehr-clinic', recordId: mrn, type: 'resource', id: `Observation/${mrn}-img-${s.seq}`, date: isoDate(s.day) });
    }
  }

  result.records.push({
    silo: 'ehr-clinic', recordId: mrn, personId: person.id, address: current.address, ...(current.homePhone ? { homePhone: current.homePhone } : {}),
    contactUpdatedDay: knowledge.learnDay ?? ctx.startDay, contactEvidence: { silo: 'ehr-clinic', recordId: mrn, type: 'resource', id: `Patient/${mrn}` },
  });
  return { mrn, json: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: entries }), result };
}
