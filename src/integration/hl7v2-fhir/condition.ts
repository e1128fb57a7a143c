/**
 * DG1 → Condition (V2-to-FHIR IG DG1[Condition] map): an encounter diagnosis, coded by DG1-3
 * (DG1-4, the description, when a sender sends only text), onset DG1-5, recorded DG1-19,
 * asserter DG1-16, with its type (DG1-6, HL7 table 0052) kept as a second category.
 *
 * Keyed by the diagnosis identifier DG1-20 when sent; otherwise by the visit (or, without one,
 * the patient) and the diagnosis code, so an A08 resending the diagnosis list updates it.
 */
import type { CodeableConcept, Condition, Identifier } from '@medplum/fhirtypes';
import type { BundleBuilder, Ref, WriteMode } from './bundle-builder.ts';
import { codeableConcept, tableConcept } from './coding.ts';
import type { MappingContext } from './context.ts';
import { practitionerReference } from './datatypes.ts';
import { eiIdentifier, localIdentifier, localSystem } from './identifiers.ts';
import { segmentsNamed, type Seg } from './segments.ts';

const encounterDiagnosis: CodeableConcept = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis', display: 'Encounter Diagnosis' }],
};

/** DG1 → Condition, not yet keyed. */
export function conditionFromDg1(dg1: Seg, ctx: MappingContext, subject: Ref, encounter?: Ref): Condition {
  const code = codeableConcept(dg1.rep(3)) ?? (dg1.text(4) ? { text: dg1.text(4)! } : undefined);
  const type = tableConcept(dg1.text(6), '0052');
  const identifier = eiIdentifier(dg1.rep(20), ctx, { defaultSystem: localSystem(ctx, 'dg1-20') });
  const onset = ctx.dateTime(dg1, 5);
  const recorded = ctx.dateTime(dg1, 19);
  const asserter = practitionerReference(dg1.rep(16), ctx);
  return {
    resourceType: 'Condition',
    ...(identifier ? { identifier: [identifier] } : {}),
    category: [encounterDiagnosis, ...(type ? [type] : [])],
    ...(code ? { code } : {}),
    subject,
    ...(encounter ? { encounter } : {}),
    ...(onset ? { onsetDateTime: onset } : {}),
    ...(recorded ? { recordedDate: recorded } : {}),
    ...(asserter ? { asserter } : {}),
    // DG1-21 action code D (delete): the diagnosis was sent in error (IG DG1 row 21).
    ...(dg1.text(21) === 'D' ? { verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'entered-in-error' }] } } : {}),
  };
}

/**
 * Adds a Condition per DG1.
 * @param scope - the key value the diagnosis belongs to (the visit's, else the patient's)
 */
export function addConditions(ctx: MappingContext, builder: BundleBuilder, subject: Ref, scope: Identifier, mode: WriteMode, encounter?: Ref): void {
  segmentsNamed(ctx.message, 'DG1').forEach((dg1, index) => {
    const condition = conditionFromDg1(dg1, ctx, subject, encounter);
    const what = dg1.text(3) ?? dg1.text(4) ?? dg1.text(1) ?? String(index + 1);
    builder.add(condition, condition.identifier?.[0] ?? localIdentifier(ctx, 'DG1', scope.value ?? '', what), mode);
  });
}
