/**
 * Allergy Concern Act (2.16.840.1.113883.10.20.22.4.30) → one AllergyIntolerance per Allergy -
 * Intolerance Observation (4.7), following the C-CDA on FHIR "Allergies" map: the allergen is
 * participant/participantRole/playingEntity/code, the observation value says allergy or
 * intolerance and its category, Reaction (4.9), Severity (4.8), Criticality (4.145) and Allergy
 * Status (4.28) observations fill reaction, severity, criticality and clinicalStatus.
 */
import type { AllergyIntolerance, AllergyIntoleranceReaction, CodeableConcept, Coding } from '@medplum/fhirtypes';
import type { CcdaContext } from './ccda-context.ts';
import { idKey, toCodeableConcept, toDateTime, toIdentifiers, toPeriod } from './cda-datatypes.ts';
import { child, children, descend, type CdaNode } from './cda-xml.ts';
import { negated, nested, nestedValue, reportUnread, statusOf } from './entries.ts';
import { authorReferences } from './participants.ts';

export const ALLERGY_CONCERN = '2.16.840.1.113883.10.20.22.4.30';
const ALLERGY_OBSERVATION = '2.16.840.1.113883.10.20.22.4.7';
const REACTION = '2.16.840.1.113883.10.20.22.4.9';
const SEVERITY = '2.16.840.1.113883.10.20.22.4.8';
const CRITICALITY = '2.16.840.1.113883.10.20.22.4.145';
const ALLERGY_STATUS = '2.16.840.1.113883.10.20.22.4.28';

const CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification';
/** SNOMED allergy-type values (C-CDA Allergy and Intolerance Type value set) → type and category. */
const TYPE: Record<string, { type?: AllergyIntolerance['type']; category?: NonNullable<AllergyIntolerance['category']>[number] }> = {
  '419199007': { type: 'allergy' },
  '416098002': { type: 'allergy', category: 'medication' },
  '414285001': { type: 'allergy', category: 'food' },
  '426232007': { type: 'allergy', category: 'environment' },
  '59037007': { type: 'intolerance', category: 'medication' },
  '235719002': { type: 'intolerance', category: 'food' },
  '420134006': {},
  '418038007': {},
  '419511003': { category: 'medication' },
  '418471000': { category: 'food' },
  '418545007': { category: 'environment' },
  '232347008': { category: 'environment' },
};
const STATUS: Record<string, string> = { '55561003': 'active', '73425007': 'inactive', '413322009': 'resolved' };
const SEVERITY_CODE: Record<string, AllergyIntoleranceReaction['severity']> = { '255604002': 'mild', '6736007': 'moderate', '24484000': 'severe', '371923003': 'mild', '371924009': 'moderate' };
const CRITICALITY_CODE: Record<string, AllergyIntolerance['criticality']> = { CRITL: 'low', CRITH: 'high', CRITU: 'unable-to-assess' };
const SNOMED = 'http://snomed.info/sct';
const NO_KNOWN_ALLERGY: Coding = { system: SNOMED, code: '716186003', display: 'No known allergy' };
const NO_KNOWN_DRUG_ALLERGY: Coding = { system: SNOMED, code: '409137002', display: 'No known drug allergy' };
const NO_KNOWN_FOOD_ALLERGY: Coding = { system: SNOMED, code: '429625007', display: 'No known food allergy' };
/**
 * A negated allergy observation without an allergen: its value (the allergy type) → the "no
 * known …" concept, as C-CDA on FHIR's ConceptMap CF-NoKnownAllergies has it (allergy to
 * substance / drug / food → no known allergy / drug allergy / food allergy).
 */
const NO_KNOWN_BY_TYPE: Record<string, Coding> = { '419199007': NO_KNOWN_ALLERGY, '416098002': NO_KNOWN_DRUG_ALLERGY, '414285001': NO_KNOWN_FOOD_ALLERGY };
/**
 * A negated allergy observation whose allergen has an equivalent negated concept, which C-CDA on
 * FHIR ("Allergies", the negated /participant row) maps to: the whole classes (SNOMED 105590001
 * Substance, 410942007 Drug or medicament, 255620007 Foods) and latex (111088007), the IG's example.
 */
const NO_KNOWN_BY_ALLERGEN: Record<string, Coding> = {
  '105590001': NO_KNOWN_ALLERGY,
  '410942007': NO_KNOWN_DRUG_ALLERGY,
  '255620007': NO_KNOWN_FOOD_ALLERGY,
  '111088007': { system: SNOMED, code: '1003774007', display: 'No known latex allergy' },
};

/** The "no known …" concept a negated allergy observation asserts; undefined when it refutes a specific allergen. */
function noKnownAllergy(allergen: CdaNode | undefined, typeCode: string): CodeableConcept | undefined {
  const code = allergen?.attr.code?.trim();
  if (code && allergen?.attr.codeSystem !== '2.16.840.1.113883.6.96') return undefined;
  const concept = code ? NO_KNOWN_BY_ALLERGEN[code] : (NO_KNOWN_BY_TYPE[typeCode] ?? NO_KNOWN_ALLERGY);
  return concept ? { coding: [concept] } : undefined;
}

export function mapAllergyConcern(ctx: CcdaContext, act: CdaNode): void {
  const observations = nested(act, ALLERGY_OBSERVATION);
  if (observations.length === 0) ctx.report(act.path, 'allergy concern act without an Allergy - Intolerance Observation');
  reportUnread(ctx, act, [ALLERGY_OBSERVATION], 'allergy concern');
  for (const observation of observations) mapAllergyObservation(ctx, observation, act);
}

function mapAllergyObservation(ctx: CcdaContext, observation: CdaNode, concern: CdaNode): void {
  const allergen = descend(observation, 'participant/participantRole/playingEntity/code');
  const substance = toCodeableConcept(ctx, allergen) ?? toCodeableConcept(ctx, descend(observation, 'participant/participantRole/playingEntity/name'));
  const typeCode = child(observation, 'value')?.attr.code ?? '';
  const { type, category } = TYPE[typeCode] ?? {};
  const noneKnown = negated(observation) ? noKnownAllergy(allergen, typeCode) : undefined;
  const status = STATUS[nestedValue(observation, ALLERGY_STATUS)?.attr.code ?? ''] ?? concernStatus(statusOf(concern), toPeriod(ctx, child(observation, 'effectiveTime'))?.end);
  const onset = toPeriod(ctx, child(observation, 'effectiveTime'))?.start;
  const criticality = CRITICALITY_CODE[nestedValue(observation, CRITICALITY)?.attr.code ?? ''];
  const overallSeverity = SEVERITY_CODE[nestedValue(observation, SEVERITY)?.attr.code ?? ''];
  const reactions = nested(observation, REACTION).flatMap((r): AllergyIntoleranceReaction[] => {
    const manifestation = toCodeableConcept(ctx, child(r, 'value'));
    if (!manifestation) {
      ctx.report(r.path, 'reaction observation without a value (manifestation is required)');
      return [];
    }
    const severity = SEVERITY_CODE[nestedValue(r, SEVERITY)?.attr.code ?? ''] ?? overallSeverity;
    const onsetAt = toPeriod(ctx, child(r, 'effectiveTime'))?.start;
    return [{ manifestation: [manifestation], ...(severity ? { severity } : {}), ...(onsetAt ? { onset: onsetAt } : {}) }];
  });
  if (overallSeverity && reactions.length === 0) ctx.report(observation.path, 'allergy severity without a reaction (AllergyIntolerance has no place for it)');
  reportUnread(ctx, observation, [REACTION, SEVERITY, CRITICALITY, ALLERGY_STATUS], 'allergy observation');
  const recorded = toDateTime(ctx, descend(observation, 'author/time'));
  const [recorder] = authorReferences(observation);
  const resource: AllergyIntolerance = {
    resourceType: 'AllergyIntolerance',
    identifier: toIdentifiers(children(observation, 'id')),
    // clinicalStatus is required unless entered-in-error (R4 ait-1): a refuted allergy is inactive; one listed with no status is presumed active.
    clinicalStatus: { coding: [{ system: CLINICAL, code: negated(observation) && !noneKnown ? 'inactive' : (status ?? 'active') }] },
    verificationStatus: { coding: [{ system: VERIFICATION, code: negated(observation) && !noneKnown ? 'refuted' : 'confirmed' }] },
    ...(type ? { type } : {}),
    ...(category ? { category: [category] } : {}),
    ...(criticality ? { criticality } : {}),
    // A coded allergen's display ("Substance") is not the text of "no known allergy"; an uncoded allergen's text is kept.
    ...(noneKnown ? { code: { ...noneKnown, ...(substance?.text && !allergen?.attr.code ? { text: substance.text } : {}) } } : substance ? { code: substance } : {}),
    patient: ctx.patientRef,
    ...(onset ? { onsetDateTime: onset } : {}),
    ...(recorded ? { recordedDate: recorded } : {}),
    ...(recorder ? { recorder } : {}),
    ...(reactions.length ? { reaction: reactions } : {}),
  };
  if (resource.identifier?.length === 0) delete resource.identifier;
  ctx.add(resource, idKey(children(observation, 'id')), observation);
}

/** The concern act's status when no Allergy Status Observation says it (C-CDA R2.1 §3.5 concern act). */
function concernStatus(status: string | undefined, ended: string | undefined): string | undefined {
  if (status === 'active' || status === 'suspended') return ended ? 'resolved' : 'active';
  if (status === 'completed') return 'resolved';
  return undefined;
}
