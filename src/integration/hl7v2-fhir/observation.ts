/**
 * OBX (+ its NTE) → Observation, per the V2-to-FHIR IG's OBX[Observation] segment map
 * (http://hl7.org/fhir/uv/v2mappings/ConceptMap/segment-obx-to-observation): code OBX-3, value
 * OBX-5 by OBX-2 (observation-value.ts), units OBX-6, reference range OBX-7, interpretation
 * OBX-8 (HL7 table 0078 → v3 ObservationInterpretation), status OBX-11 (table 0085),
 * effective OBX-14, method OBX-17, body site OBX-20, performer OBX-16 and OBX-23. A repeating
 * OBX-5 of a non-text type becomes one component per value (OBX[Observation-Component]).
 *
 * Keyed by OBX-21 (observation instance identifier) when sent; otherwise by the order it
 * belongs to (filler, else placer number), the observation code and sub-id (OBX-4), so a
 * corrected result (OBX-11 = C) sent later updates the Observation the preliminary created.
 */
import type { Annotation, CodeableConcept, Observation } from '@medplum/fhirtypes';
import type { BundleBuilder, Ref, WriteMode } from './bundle-builder.ts';
import { codeableConcept, mapCode, v2Table } from './coding.ts';
import type { MappingContext } from './context.ts';
import { practitionerReference } from './datatypes.ts';
import { eiIdentifier, localIdentifier, localSystem } from './identifiers.ts';
import { componentValues, observationValue, referenceRange } from './observation-value.ts';
import { comp, type Seg } from './segments.ts';

/**
 * Observation result status (table 0085) → Observation.status: the IG's map (F, P, C, A, D,
 * W, X) plus what it leaves open: I and O ("specimen in lab", "order detail, no result") are
 * FHIR's `registered` ("no result yet available"); R and S (not verified, partial) are
 * preliminary; B (appended) amended; V and U (verified, changed to final) final; N (not asked)
 * cancelled. A missing OBX-11 is `unknown`, since status is required.
 */
const resultStatus: Record<string, Observation['status']> = {
  F: 'final',
  P: 'preliminary',
  C: 'corrected',
  A: 'amended',
  D: 'entered-in-error',
  W: 'entered-in-error',
  X: 'cancelled',
  I: 'registered',
  O: 'registered',
  R: 'preliminary',
  S: 'preliminary',
  B: 'amended',
  V: 'final',
  U: 'final',
  N: 'cancelled',
};

/** Abnormal flags (table 0078) the IG maps to v3 ObservationInterpretation (the same codes). */
const v3Interpretation = new Set([
  '<', '>', 'A', 'AA', 'B', 'CAR', 'D', 'DET', 'E', 'EX', 'EXP', 'H', 'HH', 'HU', 'I', 'IE', 'IND', 'L', 'LL', 'LU', 'MS', 'N', 'NCL', 'ND',
  'NEG', 'NR', 'NS', 'POS', 'R', 'RR', 'S', 'SDD', 'SYN-R', 'SYN-S', 'U', 'UNE', 'VS', 'W', 'WR',
]);

function interpretation(obx: Seg): CodeableConcept[] {
  return obx.reps(8).map((rep) => {
    const code = comp(rep, 1)!;
    const display = comp(rep, 2);
    const system = v3Interpretation.has(code) ? 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation' : v2Table('0078');
    return { coding: [{ system, code, ...(display ? { display } : {}) }] };
  });
}

/** NTE segments → Annotations (NTE-3 comment, repetitions joined). */
export function notes(ntes: readonly Seg[]): Annotation[] {
  return ntes
    .map((nte) => nte.reps(3).map((r) => r.map((c) => c.join('&')).join('^')).join('\n').trim())
    .filter((text) => text !== '')
    .map((text) => ({ text }));
}

export interface ObservationLinks {
  subject: Ref;
  encounter?: Ref;
  basedOn?: Ref;
  /** The event the observation describes (an Immunization, for a VXU's OBX). */
  partOf?: Ref;
  specimen?: Ref;
  /** What the key is scoped by: the order number, else the visit's or patient's key. */
  scope: string;
  mode: WriteMode;
}

/**
 * A result made on a specimen is a laboratory result. The IG's OBX map sets no category, but US
 * Core's Laboratory Result Observation requires `laboratory`, the US Core search
 * `Observation?patient=&category=laboratory` (and the CDS Hooks prefetch built on it) finds
 * results by it, and QI-Core's "Laboratory Test, Performed" (CMS122's HbA1c) reads only those.
 */
const laboratory = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'Laboratory' }] };

/** OBX → Observation, not yet keyed. */
export function observationFromObx(obx: Seg, ntes: readonly Seg[], ctx: MappingContext, links: ObservationLinks): Observation {
  const status = mapCode(obx.text(11), resultStatus) ?? 'unknown';
  const code = codeableConcept(obx.rep(3)) ?? { text: `OBX-3 not sent (OBX ${obx.text(1) ?? obx.occurrence})` };
  const identifier = eiIdentifier(obx.rep(21), ctx, { defaultSystem: localSystem(ctx, 'obx-21') });
  // OBX-14 only: the IG's OBX map does not fall back to OBR-7, which the DiagnosticReport carries.
  const effective = ctx.dateTime(obx, 14);
  const range = referenceRange(obx);
  const components = componentValues(obx, ctx);
  const bodySite = codeableConcept(obx.rep(20));
  const flags = interpretation(obx);
  const method = codeableConcept(obx.rep(17));
  const performer = [
    ...obx.reps(16).map((r) => practitionerReference(r, ctx)),
    ...obx.reps(23).map((r): Ref | undefined => (comp(r, 1) ? { type: 'Organization', display: comp(r, 1)! } : undefined)),
  ].filter((r): r is Ref => r !== undefined);
  const annotations = notes(ntes);
  return {
    resourceType: 'Observation',
    ...(identifier ? { identifier: [identifier] } : {}),
    ...(links.basedOn ? { basedOn: [links.basedOn] } : {}),
    ...(links.partOf ? { partOf: [links.partOf] } : {}),
    status,
    ...(links.specimen ? { category: [laboratory] } : {}),
    code,
    subject: links.subject,
    ...(links.encounter ? { encounter: links.encounter } : {}),
    ...(effective ? { effectiveDateTime: effective } : {}),
    ...(performer.length > 0 ? { performer } : {}),
    ...(components.length > 0 ? {} : observationValue(obx, ctx)),
    // OBX-11 N ("not asked"): the IG's OBX map gives the reason the value is absent.
    ...(obx.text(11) === 'N' ? { dataAbsentReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'not-asked' }] } } : {}),
    ...(flags.length > 0 ? { interpretation: flags } : {}),
    ...(annotations.length > 0 ? { note: annotations } : {}),
    ...(bodySite ? { bodySite } : {}),
    ...(method ? { method } : {}),
    ...(links.specimen ? { specimen: links.specimen } : {}),
    ...(range && components.length === 0 ? { referenceRange: [range] } : {}),
    ...(components.length > 0 ? { component: components.map((value) => ({ code, ...value, ...(range ? { referenceRange: [range] } : {}) })) } : {}),
  };
}

/** Adds the Observation of one OBX; returns its reference. */
export function addObservation(ctx: MappingContext, builder: BundleBuilder, obx: Seg, ntes: readonly Seg[], links: ObservationLinks): Ref {
  const observation = observationFromObx(obx, ntes, ctx, links);
  const what = [obx.text(3) ?? obx.text(3, 2) ?? `obx-${obx.text(1) ?? obx.occurrence}`, ...(obx.text(4) ? [obx.text(4)!] : [])];
  const key = observation.identifier?.[0] ?? localIdentifier(ctx, 'OBX', links.scope, ...what);
  return builder.add(observation, key, links.mode);
}
