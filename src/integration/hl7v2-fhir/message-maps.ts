/**
 * One map per supported message structure, after the V2-to-FHIR IG's message maps
 * (http://hl7.org/fhir/uv/v2mappings/ ADT_A01, ORU_R01, OML_O21, VXU_V04, …): which segments
 * become which resources, how they reference each other, and which the message owns
 * (upsert) or only refers to (ensure).
 */
import type { Attachment } from '@medplum/fhirtypes';
import { HandlerError } from '../message-store/message-processor.ts';
import { addAppointment, appointmentFromSch } from './appointment.ts';
import type { BundleBuilder, Ref } from './bundle-builder.ts';
import { addConditions } from './condition.ts';
import type { MappingContext } from './context.ts';
import { addDiagnosticReport, diagnosticReportFromObr } from './diagnostic-report.ts';
import { addDocumentReference, attachmentFromEd, documentReferenceFromTxa } from './document-reference.ts';
import { addImmunization, immunizationFromRxa } from './immunization.ts';
import { addMedicationRequest, medicationRequestFromRxe } from './medication-request.ts';
import { documentValueTypes } from './observation-value.ts';
import { addObservation } from './observation.ts';
import { orderGroups, segmentAfter, type OrderGroup } from './order-groups.ts';
import { addPatient } from './patient.ts';
import { addMergeRequests } from './patient-merge.ts';
import { mapPatientSection, type PatientSection } from './patient-section.ts';
import { allSegments, firstSegment, segmentsNamed } from './segments.ts';
import { addServiceRequest, orderIdentifiers, orderScope, serviceRequestFrom } from './service-request.ts';
import { addSpecimen, specimenFromObr, specimenFromSpm } from './specimen.ts';

export type MessageMap = (ctx: MappingContext, builder: BundleBuilder) => void;

/** ADT A01–A13, A28, A31: the patient, the visit and what the patient section carries (IG ADT_A01 message map). */
export const mapAdt: MessageMap = (ctx, builder) => {
  const section = mapPatientSection(ctx, builder, 'upsert');
  addConditions(ctx, builder, section.patient, { value: section.scope }, 'upsert', section.encounter);
  // OBX in an ADT: observations about the patient at this event (height, weight, …).
  for (const obx of segmentsNamed(ctx.message, 'OBX')) {
    addObservation(ctx, builder, obx, [], { subject: section.patient, ...(section.encounter ? { encounter: section.encounter } : {}), scope: section.scope, mode: 'upsert' });
  }
};

/** ADT^A40: a merge request, recorded and not carried out (patient-merge.ts). */
export const mapMerge: MessageMap = (ctx, builder) => addMergeRequests(ctx, builder);

/** The order of a group: ServiceRequest from ORC/OBR; `ensure` unless this message places it. */
function addOrder(ctx: MappingContext, builder: BundleBuilder, section: PatientSection, group: OrderGroup, position: number, mode: 'upsert' | 'ensure'): { reference: Ref; scope: string } {
  const segments = {
    ...(group.orc ? { orc: group.orc } : {}),
    ...(group.details.OBR ? { obr: group.details.OBR } : {}),
    ...(group.segments.find((s) => s.name === 'TQ1') ? { tq1: group.segments.find((s) => s.name === 'TQ1')! } : {}),
    ntes: group.notes,
  };
  const request = serviceRequestFrom(segments, ctx, section.patient, section.encounter);
  const reference = addServiceRequest(ctx, builder, request, position, mode);
  return { reference, scope: `order:${orderScope(orderIdentifiers(segments, ctx), `${ctx.controlId}.${position}`)}` };
}

/**
 * The specimens of a group: each SPM, and the one the OBR describes (OBR-7 collection time,
 * OBR-15 source), as the IG's ORU_R01 message map has it. Observations point at the SPM's
 * specimen when there is one (v2.5+ puts the specimen detail there), else at the OBR's.
 */
function addSpecimens(ctx: MappingContext, builder: BundleBuilder, section: PatientSection, group: OrderGroup, order: Ref, scope: string): Ref[] {
  const fromSpm = group.specimens.map((spm) => addSpecimen(ctx, builder, specimenFromSpm(spm, ctx, section.patient, order), scope, spm.text(1) ?? String(spm.occurrence), 'upsert'));
  const fromObr = group.details.OBR ? specimenFromObr(group.details.OBR, ctx, section.patient, order) : undefined;
  return [...fromSpm, ...(fromObr ? [addSpecimen(ctx, builder, fromObr, scope, 'obr', 'upsert')] : [])];
}

/**
 * ORU^R01: results (IG ORU_R01 message map): per OBR a DiagnosticReport of its OBX, on the order it answers.
 *
 * The Patient is upserted when the PID carries demographics (an address, PID-11), else only
 * ensured. The IG's ORU_R01 map takes PID to Patient as the ADT map does: a result's PID is the
 * sender's current view of its own patient (keyed by the sender's PID-3), and a sender with no
 * ADT feed (a reference lab) has no other. Ensured, the lab's Patient stayed as its first
 * message had it, and a later PID with the address the patient moved to was dropped: contact
 * drift named the lab as outdated while the lab had the new address. A PID with no address (a
 * thin results PID beside an ADT feed) still only ensures, so it cannot blank the demographics
 * the ADT keeps. The rest of the patient section (the visit, next of kin, coverage) stays
 * ensured: a result does not own the visit it names. Like an ADT, the last message processed
 * wins; messages are processed in the order they arrive (MSH-7 order in a file import).
 */
export const mapResults: MessageMap = (ctx, builder) => {
  if (firstSegment(ctx.message, 'PID')?.text(11)) addPatient(ctx, builder, 'upsert');
  // Planned first, the upserted Patient is the one the section's ensure finds (bundle-builder.ts).
  const section = mapPatientSection(ctx, builder, 'ensure');
  orderGroups(ctx.message).forEach((group, index) => {
    const obr = group.details.OBR;
    if (!obr) return;
    const order = addOrder(ctx, builder, section, group, index + 1, 'ensure');
    const specimens = addSpecimens(ctx, builder, section, group, order.reference, order.scope);
    const presentedForm: Attachment[] = [];
    const results: Ref[] = [];
    for (const { obx, notes } of group.results) {
      if (documentValueTypes.has(obx.text(2)?.toUpperCase() ?? '')) {
        const file = attachmentFromEd(obx.rep(5), obx.text(3, 2));
        if (file) presentedForm.push(file);
        continue;
      }
      results.push(
        addObservation(ctx, builder, obx, notes, {
          subject: section.patient,
          ...(section.encounter ? { encounter: section.encounter } : {}),
          basedOn: order.reference,
          ...(specimens[0] ? { specimen: specimens[0] } : {}),
          scope: order.scope,
          mode: 'upsert',
        }),
      );
    }
    const report = diagnosticReportFromObr(obr, orderIdentifiers({ ...(group.orc ? { orc: group.orc } : {}), obr }, ctx), ctx, {
      subject: section.patient,
      ...(section.encounter ? { encounter: section.encounter } : {}),
      basedOn: order.reference,
      results,
      specimens,
      presentedForm,
    });
    addDiagnosticReport(ctx, builder, report, obr, 'upsert');
  });
};

/**
 * ORM^O01, OML^O21: orders placed (IG OML_O21 message map): ServiceRequest, specimens,
 * supporting OBX and DG1. Only order groups with an OBR are mapped: an ORC alone (a status
 * change) would replace the ServiceRequest with one that has lost its code, and pharmacy,
 * diet or supply details (RXO, ODS, RQD) are not service requests.
 */
export const mapOrders: MessageMap = (ctx, builder) => {
  const section = mapPatientSection(ctx, builder, 'ensure');
  orderGroups(ctx.message).forEach((group, index) => {
    if (!group.details.OBR) return;
    const order = addOrder(ctx, builder, section, group, index + 1, 'upsert');
    addSpecimens(ctx, builder, section, group, order.reference, order.scope);
    for (const { obx, notes } of group.results) {
      addObservation(ctx, builder, obx, notes, { subject: section.patient, ...(section.encounter ? { encounter: section.encounter } : {}), scope: order.scope, mode: 'upsert' });
    }
  });
  // DG1 of an order message: the diagnoses the orders are for, ensured rather than owned.
  addConditions(ctx, builder, section.patient, { value: section.scope }, 'ensure', section.encounter);
};

/** SIU^S12–S15: the appointment (IG SIU_S12 message map). */
export const mapSchedule: MessageMap = (ctx, builder) => {
  const section = mapPatientSection(ctx, builder, 'ensure');
  addAppointment(ctx, builder, appointmentFromSch(allSegments(ctx.message), ctx, section.patient));
};

/** VXU^V04: immunizations (IG VXU_V04 message map), each with the OBX that describe it. */
export const mapVaccinations: MessageMap = (ctx, builder) => {
  const section = mapPatientSection(ctx, builder, 'ensure');
  for (const group of orderGroups(ctx.message)) {
    const rxa = group.details.RXA;
    if (!rxa) continue;
    const immunization = immunizationFromRxa(
      { ...(group.orc ? { orc: group.orc } : {}), rxa, ...(segmentAfter(group, 'RXA', 'RXR') ? { rxr: segmentAfter(group, 'RXA', 'RXR')! } : {}), ntes: group.notes },
      ctx,
      section.patient,
      section.encounter,
    );
    const reference = addImmunization(ctx, builder, immunization, section.patientKey);
    const scope = `immunization:${immunization.identifier?.[0]?.value ?? `${immunization.vaccineCode.coding?.[0]?.code}.${immunization.occurrenceDateTime}`}`;
    for (const { obx, notes } of group.results) {
      addObservation(ctx, builder, obx, notes, { subject: section.patient, scope, mode: 'upsert', partOf: reference });
    }
  }
};

/** MDM^T02: a document and its content (IG MDM_T02 message map: TXA and OBX → DocumentReference). */
export const mapDocument: MessageMap = (ctx, builder) => {
  const section = mapPatientSection(ctx, builder, 'ensure');
  const segments = allSegments(ctx.message);
  const at = segments.findIndex((s) => s.name === 'TXA');
  if (at < 0) throw missingSegment('TXA');
  const obxs = segments.slice(at + 1).filter((s) => s.name === 'OBX');
  addDocumentReference(ctx, builder, documentReferenceFromTxa(segments[at]!, obxs, ctx, section.patient, section.encounter), 'upsert');
};

/** RDE^O11: pharmacy encoded orders (ORC + RXE per order) → MedicationRequest. */
export const mapPharmacyOrders: MessageMap = (ctx, builder) => {
  const section = mapPatientSection(ctx, builder, 'ensure');
  orderGroups(ctx.message).forEach((group, index) => {
    const rxe = group.details.RXE;
    if (!group.orc || !rxe) return;
    const rxr = segmentAfter(group, 'RXE', 'RXR');
    const tq1 = group.segments.find((s) => s.name === 'TQ1');
    const request = medicationRequestFromRxe({ orc: group.orc, rxe, ...(rxr ? { rxr } : {}), ...(tq1 ? { tq1 } : {}), ntes: group.notes }, ctx, section.patient, section.encounter);
    addMedicationRequest(ctx, builder, request, index + 1);
  });
};

function missingSegment(name: string): HandlerError {
  return new HandlerError({ stage: 'map', code: 'missing-segment', message: `the message has no ${name} segment`, element: name });
}
