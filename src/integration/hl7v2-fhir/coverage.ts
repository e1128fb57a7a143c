/**
 * IN1 → Coverage (V2-to-FHIR IG IN1[Coverage] map). The insurer (IN1-3 id, IN1-4 name) is a
 * logical payor reference: a payer directory is not built from message fragments.
 *
 * Keyed by patient, insurer and policy number (IN1-36) when sent, else the IN1 set id, so the
 * same insurance resent in an A08 updates the Coverage it created.
 */
import type { Coverage, CoverageClass, Identifier } from '@medplum/fhirtypes';
import type { BundleBuilder, Ref, WriteMode } from './bundle-builder.ts';
import { codeableConcept, mapCode } from './coding.ts';
import type { MappingContext } from './context.ts';
import { humanNames, nameText } from './datatypes.ts';
import { cxIdentifier, localIdentifier } from './identifiers.ts';
import { comp, segmentsNamed, type Seg } from './segments.ts';

/** Insured's relationship to patient (HL7 table 0063) → subscriber-relationship codes. */
const subscriberRelationship: Record<string, string> = { SEL: 'self', SPO: 'spouse', CHD: 'child', PAR: 'parent', DOM: 'common', EME: 'injured', OTH: 'other' };

function coverageClass(type: 'group' | 'plan', value: string | undefined, name: string | undefined): CoverageClass[] {
  if (!value) return [];
  return [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: type }] }, value, ...(name ? { name } : {}) }];
}

/** IN1 → Coverage, not yet keyed. */
export function coverageFromIn1(in1: Seg, ctx: MappingContext, beneficiary: Ref): Coverage {
  const insurer = cxIdentifier(in1.rep(3), ctx, { element: in1.element(3) });
  const insurerName = in1.text(4);
  const payor: Ref = {
    type: 'Organization',
    ...(insurer ? { identifier: insurer } : {}),
    display: insurerName ?? insurer?.value ?? 'insurer not named (IN1-3 and IN1-4 empty)',
  };
  const policy = in1.text(36);
  const start = ctx.date(in1, 12);
  const end = ctx.date(in1, 13);
  const insured = in1.reps(16).flatMap((r) => humanNames(r, ctx, in1.element(16)))[0];
  const relation = mapCode(in1.text(17), subscriberRelationship);
  const order = Number(in1.text(22));
  const type = codeableConcept(in1.rep(15), { table: '0086' });
  const classes = [...coverageClass('group', in1.text(8), in1.text(9)), ...coverageClass('plan', comp(in1.rep(2), 1), comp(in1.rep(2), 2))];
  return {
    resourceType: 'Coverage',
    ...(policy ? { identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MB' }] }, value: policy }] } : {}),
    status: 'active',
    ...(type ? { type } : {}),
    ...(insured && relation !== 'self' ? { subscriber: { type: 'RelatedPerson', display: nameText(insured)! } } : {}),
    ...(in1.text(49) ? { subscriberId: in1.text(49) } : policy ? { subscriberId: policy } : {}),
    beneficiary,
    ...(relation ? { relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship', code: relation }] } } : {}),
    ...(start || end ? { period: { ...(start ? { start } : {}), ...(end ? { end } : {}) } } : {}),
    payor: [payor],
    ...(classes.length > 0 ? { class: classes } : {}),
    ...(Number.isInteger(order) && order > 0 ? { order } : {}),
  };
}

export function addCoverages(ctx: MappingContext, builder: BundleBuilder, beneficiary: Ref, patientKey: Identifier, mode: WriteMode): void {
  segmentsNamed(ctx.message, 'IN1').forEach((in1, index) => {
    const coverage = coverageFromIn1(in1, ctx, beneficiary);
    const policy = in1.text(36);
    const insurer = in1.text(3) ?? in1.text(4) ?? 'in1';
    const key = localIdentifier(ctx, 'IN1', patientKey.value ?? '', insurer, policy ?? in1.text(1) ?? index + 1);
    builder.add(coverage, key, mode);
  });
}
