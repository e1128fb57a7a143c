/**
 * AL1 → AllergyIntolerance (V2-to-FHIR IG AL1[AllergyIntolerance] map, with its AllergenType,
 * AllergyType and AllergySeverity concept maps, HL7 tables 0127 and 0128): code AL1-3,
 * criticality AL1-4, reaction AL1-5, onset AL1-6.
 *
 * Keyed by patient and allergen (AL1-3), so the allergy list resent with every A08 updates the
 * same AllergyIntolerance rather than growing a copy per message.
 */
import type { AllergyIntolerance, Identifier } from '@medplum/fhirtypes';
import type { BundleBuilder, Ref, WriteMode } from './bundle-builder.ts';
import { codeableConcept, mapCode } from './coding.ts';
import type { MappingContext } from './context.ts';
import { localIdentifier } from './identifiers.ts';
import { comp, segmentsNamed, type Seg } from './segments.ts';

type Category = NonNullable<AllergyIntolerance['category']>[number];

/** AllergenType (table 0127) → category. Misc. contraindications (MC) have no category. */
const category: Record<string, Category> = { DA: 'medication', FA: 'food', MA: 'environment', EA: 'environment', AA: 'environment', PA: 'environment', LA: 'environment' };
/**
 * AllergySeverity (table 0128) → criticality. The IG maps AL1-4 to criticality *or*
 * reaction.severity, "criticality matches HL7 v2 generally better" (AL1 map, row 4): we take
 * criticality, the overall assessment, since AL1 describes no particular reaction.
 */
const criticality: Record<string, AllergyIntolerance['criticality']> = { SV: 'high', MO: 'low', MI: 'low', U: 'unable-to-assess' };

/** AL1 → AllergyIntolerance, not yet keyed. */
export function allergyFromAl1(al1: Seg, ctx: MappingContext, patient: Ref, encounter?: Ref): AllergyIntolerance {
  const type = al1.text(2);
  const cat = mapCode(type, category);
  const severityCode = comp(al1.rep(4), 1);
  // AL1-5 is ST: the reaction as text (IG ST[CodeableConcept] → manifestation.text).
  const manifestations = al1.reps(5).map((r) => ({ text: r.map((c) => c.join('&')).join('^').replace(/\^+$/, '') }));
  const onset = ctx.dateTime(al1, 6);
  const code = codeableConcept(al1.rep(3));
  return {
    resourceType: 'AllergyIntolerance',
    // ait-1: clinicalStatus is required unless entered in error; an allergy a feed sends is current.
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
    // AllergyType map: every allergen type of table 0127 is an allergy but MC, a contraindication.
    ...(type ? { type: type === 'MC' ? 'intolerance' : 'allergy' } : {}),
    ...(cat ? { category: [cat] } : {}),
    ...(mapCode(severityCode, criticality) ? { criticality: mapCode(severityCode, criticality) } : {}),
    ...(code ? { code } : {}),
    patient,
    ...(encounter ? { encounter } : {}),
    ...(onset ? { onsetDateTime: onset } : {}),
    ...(manifestations.length > 0 ? { reaction: [{ manifestation: manifestations }] } : {}),
  };
}

export function addAllergies(ctx: MappingContext, builder: BundleBuilder, patient: Ref, patientKey: Identifier, mode: WriteMode): void {
  segmentsNamed(ctx.message, 'AL1').forEach((al1, index) => {
    const allergy = allergyFromAl1(al1, ctx, patient);
    const allergen = al1.text(3) ?? al1.text(3, 2) ?? al1.text(1) ?? String(index + 1);
    builder.add(allergy, localIdentifier(ctx, 'AL1', patientKey.value ?? '', allergen), mode);
  });
}
