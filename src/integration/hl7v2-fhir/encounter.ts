/**
 * PV1 (+ PV2) → Encounter, per the V2-to-FHIR IG's PV1[Encounter] and PV2[Encounter] maps
 * (http://hl7.org/fhir/uv/v2mappings/ConceptMap/segment-pv1-to-encounter).
 *
 * Status: a trigger that changes the visit's state says what it is, per the IG's
 * Event[EncounterStatus] concept map (A01/A02/A13 in-progress, A03 finished, A04/A05 planned,
 * A11 cancelled: the admission never took place, which is what FHIR's `cancelled` means, "ended
 * before it has begun"). Any other message (A08, A28, an ORU) says nothing about the state, so
 * the segment map decides: PV1-45 (discharge) valued → finished, else the patient class
 * (PatientClass[EncounterStatus]: P preadmit → planned, U → unknown, others in-progress).
 *
 * Key: the visit number PV1-19, so an A03 or A08 about the visit updates the Encounter the A01
 * created. Without one, the Encounter is keyed by the message and stays that message's own.
 */
import type { CodeableConcept, Coding, Encounter, EncounterLocation, EncounterParticipant, Identifier } from '@medplum/fhirtypes';
import type { BundleBuilder, Ref, WriteMode } from './bundle-builder.ts';
import { codeableConcept, mapCode, v2Table } from './coding.ts';
import type { MappingContext } from './context.ts';
import { locationText, practitionerReference } from './datatypes.ts';
import { cxIdentifier, localIdentifier, localSystem } from './identifiers.ts';
import { comp, firstSegment, type Seg } from './segments.ts';

const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

/** PatientClass (HL7 table 0004) → Encounter.class (IG PatientClass[EncounterClass] map). */
const encounterClass: Record<string, Coding> = {
  E: { system: ACT_CODE, code: 'EMER', display: 'emergency' },
  I: { system: ACT_CODE, code: 'IMP', display: 'inpatient encounter' },
  O: { system: ACT_CODE, code: 'AMB', display: 'ambulatory' },
  P: { system: ACT_CODE, code: 'PRENC', display: 'pre-admission' },
  R: { system: v2Table('0004'), code: 'R', display: 'Recurring patient' },
  B: { system: v2Table('0004'), code: 'B', display: 'Obstetrics' },
  C: { system: v2Table('0004'), code: 'C', display: 'Commercial Account' },
  N: { system: v2Table('0004'), code: 'N', display: 'Not Applicable' },
  U: { system: v2Table('0004'), code: 'U', display: 'Unknown' },
};

/** Event[EncounterStatus]: triggers (HL7 table 0003) that set the visit's state. */
const statusByTrigger: Record<string, Encounter['status']> = {
  A01: 'in-progress',
  A02: 'in-progress',
  A03: 'finished',
  A04: 'planned',
  A05: 'planned',
  A11: 'cancelled',
  A13: 'in-progress',
};

/** PatientClass[EncounterStatus]: the state a patient class implies when nothing else says. */
const statusByClass: Record<string, Encounter['status']> = { P: 'planned', U: 'unknown' };

/** PV1 participant fields → v3 ParticipationType (IG PV1 rows 7, 8, 9, 17, 52). */
const participantFields: [field: number, code: string, display: string][] = [
  [7, 'ATND', 'attender'],
  [8, 'REF', 'referrer'],
  [9, 'CON', 'consultant'],
  [17, 'ADM', 'admitter'],
  [52, 'PART', 'Participation'],
];

function encounterStatus(pv1: Seg, trigger: string, messageCode: string): Encounter['status'] {
  const byTrigger = messageCode === 'ADT' ? statusByTrigger[trigger] : undefined;
  if (byTrigger) return byTrigger;
  if (pv1.text(45)) return 'finished';
  const patientClass = pv1.text(2);
  if (!patientClass) return 'unknown';
  return mapCode(patientClass, statusByClass) ?? (encounterClass[patientClass.toUpperCase()] ? 'in-progress' : 'unknown');
}

function locations(pv1: Seg): EncounterLocation[] {
  const planned = pv1.text(2) === 'P';
  const at = (field: number, status: EncounterLocation['status']): EncounterLocation[] => {
    const display = locationText(pv1.rep(field));
    return display ? [{ location: { display }, status }] : [];
  };
  return [...at(3, planned ? 'planned' : 'active'), ...at(6, 'completed'), ...at(11, 'active'), ...at(42, 'reserved')];
}

function participants(pv1: Seg, ctx: MappingContext): EncounterParticipant[] {
  return participantFields.flatMap(([field, code, display]) =>
    pv1
      .reps(field)
      .map((rep) => practitionerReference(rep, ctx))
      .filter((r): r is Ref => r !== undefined)
      .map((individual) => ({ type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code, display }] }], individual })),
  );
}

/** PV1 (+ PV2) → Encounter, not yet keyed. */
export function encounterFromPv1(pv1: Seg, ctx: MappingContext, subject: Ref, pv2?: Seg): Encounter {
  const { code, trigger } = ctx.message.messageType;
  const patientClass = pv1.text(2)?.toUpperCase();
  const cls: Coding = patientClass ? (encounterClass[patientClass] ?? { system: v2Table('0004'), code: patientClass }) : encounterClass.U!;
  const visit = cxIdentifier(pv1.rep(19), ctx, { element: pv1.element(19), defaultSystem: localSystem(ctx, 'pv1-19'), type: 'VN' });
  const alternate = pv1.reps(50).map((r) => cxIdentifier(r, ctx, { element: pv1.element(50), defaultSystem: localSystem(ctx, 'pv1-50') }));
  const start = ctx.dateTime(pv1, 44);
  // A13 cancels the discharge: the visit goes on, so the discharge time it may still carry is no end.
  const end = code === 'ADT' && trigger === 'A13' ? undefined : ctx.dateTime(pv1, 45);
  const plannedStart = pv2 ? ctx.dateTime(pv2, 8) : undefined;
  const plannedEnd = pv2 ? ctx.dateTime(pv2, 9) : undefined;
  const planned = [
    ...(plannedStart ? [{ url: 'http://hl7.org/fhir/5.0/StructureDefinition/extension-Encounter.plannedStartDate', valueDateTime: plannedStart }] : []),
    ...(plannedEnd ? [{ url: 'http://hl7.org/fhir/5.0/StructureDefinition/extension-Encounter.plannedEndDate', valueDateTime: plannedEnd }] : []),
  ];
  const concept = (seg: Seg | undefined, field: number, table?: string): CodeableConcept | undefined =>
    seg ? codeableConcept(seg.rep(field), table ? { table } : {}) : undefined;
  const hospitalization = {
    ...(pv1.rep(5) ? { preAdmissionIdentifier: cxIdentifier(pv1.rep(5), ctx, { element: pv1.element(5) }) } : {}),
    ...(concept(pv1, 14, '0023') ? { admitSource: concept(pv1, 14, '0023') } : {}),
    ...(concept(pv1, 13, '0092') ? { reAdmission: concept(pv1, 13, '0092') } : {}),
    ...(concept(pv1, 38, '0114') ? { dietPreference: [concept(pv1, 38, '0114')!] } : {}),
    ...(concept(pv1, 16, '0099') ? { specialCourtesy: [concept(pv1, 16, '0099')!] } : {}),
    ...(pv1.reps(15).length > 0 ? { specialArrangement: pv1.reps(15).map((r) => codeableConcept(r, { table: '0009' })!).filter(Boolean) } : {}),
    ...(locationText(pv1.rep(37)) ? { destination: { display: comp(pv1.rep(37), 1)! } } : {}),
    ...(concept(pv1, 36, '0112') ? { dischargeDisposition: concept(pv1, 36, '0112') } : {}),
  };
  const type = concept(pv1, 4, '0007');
  const serviceType = concept(pv1, 10, '0069');
  const reason = concept(pv2, 3);
  const priority = concept(pv2, 25, '0217');
  const identifier = [visit, ...alternate].filter((i): i is Identifier => i !== undefined);
  const where = locations(pv1);
  const referral = (pv2?.reps(13) ?? []).map((r) => practitionerReference(r, ctx)).filter((r) => r !== undefined);
  const who = [
    ...participants(pv1, ctx),
    ...referral.map((individual) => ({ type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'REF', display: 'referrer' }] }], individual })),
  ];
  return {
    resourceType: 'Encounter',
    // PV2-8/PV2-9, expected admit and discharge: the R5 planned dates, as the IG's PV2 map says.
    ...(planned.length > 0 ? { extension: planned } : {}),
    ...(identifier.length > 0 ? { identifier } : {}),
    status: encounterStatus(pv1, trigger, code),
    class: cls,
    ...(type ? { type: [type] } : {}),
    ...(serviceType ? { serviceType } : {}),
    ...(priority ? { priority } : {}),
    subject,
    ...(who.length > 0 ? { participant: who } : {}),
    ...(start || end ? { period: { ...(start ? { start } : {}), ...(end ? { end } : {}) } } : {}),
    ...(reason ? { reasonCode: [reason] } : {}),
    ...(Object.keys(hospitalization).length > 0 ? { hospitalization } : {}),
    ...(where.length > 0 ? { location: where } : {}),
  };
}

/**
 * Adds the message's visit, when it has one: a PV1 whose patient class is not N ("not
 * applicable", how A28/A31 say there is no visit).
 */
export function addEncounter(ctx: MappingContext, builder: BundleBuilder, subject: Ref, mode: WriteMode): { reference: Ref; key: Identifier } | undefined {
  const pv1 = firstSegment(ctx.message, 'PV1');
  if (!pv1 || (!pv1.text(2) && !pv1.text(19)) || pv1.text(2) === 'N') return undefined;
  const encounter = encounterFromPv1(pv1, ctx, subject, firstSegment(ctx.message, 'PV2'));
  const key = encounter.identifier?.[0] ?? localIdentifier(ctx, 'PV1', ctx.controlId);
  return { reference: builder.add(encounter, key, mode, 'same'), key };
}
