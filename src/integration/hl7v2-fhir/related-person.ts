/**
 * NK1 → RelatedPerson (V2-to-FHIR IG NK1[RelatedPerson] map) and PID-21, the mother's
 * identifier, → a RelatedPerson with relationship MTH (IG CX[RelatedPerson-Mother] map).
 *
 * Keyed by NK1-33 when the sender identifies the contact; otherwise by the patient's key and
 * the NK1 set id, so the same next of kin resent in an A08 updates the RelatedPerson it made.
 */
import type { CodeableConcept, Coding, ContactPoint, Identifier, RelatedPerson } from '@medplum/fhirtypes';
import type { BundleBuilder, Ref, WriteMode } from './bundle-builder.ts';
import { codeableConcept, mapCode } from './coding.ts';
import type { MappingContext } from './context.ts';
import { address, contactPoint, humanNames } from './datatypes.ts';
import { cxIdentifier, localIdentifier, localSystem } from './identifiers.ts';
import { comp, segmentsNamed, type Seg } from './segments.ts';

const ROLE_CODE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';

/** Relationship (HL7 table 0063) → v3 RoleCode (IG Relationship map, the codes it maps). */
const roleCode: Record<string, string> = {
  SEL: 'ONESELF',
  SPO: 'SPS',
  DOM: 'DOMPART',
  CHD: 'CHILD',
  GCH: 'GRNDCHILD',
  NCH: 'NCHILD',
  SCH: 'STPCHLD',
  FCH: 'CHLDFOST',
  EXF: 'FAMMEMB',
  FTH: 'FTH',
  MTH: 'MTH',
  FND: 'FRND',
  GRP: 'GRPRN',
  PAR: 'PRN',
  SIB: 'SIB',
  BRO: 'BRO',
  SIS: 'SIS',
  GRD: 'GUARD',
  OTH: 'FAMMEMB',
};

function relationship(rep: Parameters<typeof codeableConcept>[0]): CodeableConcept | undefined {
  const code = comp(rep, 1);
  const mapped = mapCode(code, roleCode);
  if (!mapped) return codeableConcept(rep, { table: '0063' });
  const coding: Coding = { system: ROLE_CODE, code: mapped, ...(comp(rep, 2) ? { display: comp(rep, 2) } : {}) };
  return { coding: [coding] };
}

/** NK1 → RelatedPerson, not yet keyed. */
export function relatedPersonFromNk1(nk1: Seg, ctx: MappingContext, patient: Ref): RelatedPerson {
  const name = nk1.reps(2).flatMap((r) => humanNames(r, ctx, nk1.element(2)));
  const relations = [relationship(nk1.rep(3)), codeableConcept(nk1.rep(7), { table: '0131' })].filter((c): c is CodeableConcept => !!c);
  const addresses = nk1.reps(4).map((r) => address(r, ctx, nk1.element(4))).filter((a) => a !== undefined);
  const telecom = [
    ...nk1.reps(5).map((r) => contactPoint(r, ctx, nk1.element(5), 'home')),
    ...nk1.reps(6).map((r) => contactPoint(r, ctx, nk1.element(6), 'work')),
    ...nk1.reps(40).map((r) => contactPoint(r, ctx, nk1.element(40))),
  ].filter((t): t is ContactPoint => t !== undefined);
  const identifier = nk1.reps(33).map((r) => cxIdentifier(r, ctx, { element: nk1.element(33) })).filter((i): i is Identifier => i !== undefined);
  const gender = mapCode(nk1.text(15), { M: 'male', F: 'female', O: 'other', A: 'other', N: 'other', U: 'unknown' } as const);
  const birthDate = ctx.date(nk1, 16);
  const start = ctx.date(nk1, 8);
  const end = ctx.date(nk1, 9);
  const language = codeableConcept(nk1.rep(20), { table: '0296' });
  return {
    resourceType: 'RelatedPerson',
    ...(identifier.length > 0 ? { identifier } : {}),
    patient,
    ...(relations.length > 0 ? { relationship: relations } : {}),
    ...(name.length > 0 ? { name } : {}),
    ...(telecom.length > 0 ? { telecom } : {}),
    ...(gender ? { gender } : {}),
    ...(birthDate ? { birthDate } : {}),
    ...(addresses.length > 0 ? { address: addresses } : {}),
    ...(start || end ? { period: { ...(start ? { start } : {}), ...(end ? { end } : {}) } } : {}),
    ...(language ? { communication: [{ language }] } : {}),
  };
}

/** Adds a RelatedPerson per NK1 and one for PID-21 (mother's identifier). */
export function addRelatedPersons(ctx: MappingContext, builder: BundleBuilder, patient: Ref, patientKey: Identifier, mode: WriteMode): void {
  segmentsNamed(ctx.message, 'NK1').forEach((nk1, index) => {
    const person = relatedPersonFromNk1(nk1, ctx, patient);
    const key = person.identifier?.[0] ?? localIdentifier(ctx, 'NK1', patientKey.value ?? '', nk1.text(1) ?? index + 1);
    builder.add(person, key, mode);
  });
  const pid = segmentsNamed(ctx.message, 'PID')[0];
  pid?.reps(21).forEach((rep) => {
    const identifier = cxIdentifier(rep, ctx, { element: pid.element(21), defaultSystem: localSystem(ctx, 'pid-21') });
    if (!identifier) return;
    const mother: RelatedPerson = {
      resourceType: 'RelatedPerson',
      identifier: [identifier],
      patient,
      relationship: [{ coding: [{ system: ROLE_CODE, code: 'MTH', display: 'mother' }] }],
    };
    builder.add(mother, identifier, mode);
  });
}
