import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AllergyIntolerance } from '@medplum/fhirtypes';
import { mapSections, resourcesOf } from './test-fixtures.ts';

const SNOMED = '2.16.840.1.113883.6.96';

/** An Allergies section with one negated Allergy - Intolerance Observation of the given type and allergen. */
function negatedAllergy(typeCode: string, allergen: string): AllergyIntolerance {
  const mapping = mapSections(`<section><code code="48765-2" codeSystem="2.16.840.1.113883.6.1"/><title>Allergies</title>
    <entry><act classCode="ACT" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.30"/><id root="1.2.3" extension="c1"/><statusCode code="active"/>
      <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN" negationInd="true"><templateId root="2.16.840.1.113883.10.20.22.4.7"/><id root="1.2.3" extension="o1"/>
        <code code="ASSERTION" codeSystem="2.16.840.1.113883.5.4"/><statusCode code="completed"/>
        <value xsi:type="CD" code="${typeCode}" codeSystem="${SNOMED}"/>
        <participant typeCode="CSM"><participantRole classCode="MANU"><playingEntity classCode="MMAT">${allergen}</playingEntity></participantRole></participant>
      </observation></entryRelationship></act></entry></section>`);
  return resourcesOf<AllergyIntolerance>(mapping, 'AllergyIntolerance')[0]!;
}
const summary = (a: AllergyIntolerance) => [a.code?.coding?.[0]?.code, a.clinicalStatus?.coding?.[0]?.code, a.verificationStatus?.coding?.[0]?.code];

test('a negated allergy without an allergen is the "no known …" concept of its type (C-CDA on FHIR ConceptMap CF-NoKnownAllergies)', () => {
  assert.deepEqual(summary(negatedAllergy('419199007', '<code nullFlavor="NA"/>')), ['716186003', 'active', 'confirmed']);
  assert.deepEqual(summary(negatedAllergy('416098002', '<code nullFlavor="NA"/>')), ['409137002', 'active', 'confirmed']);
  assert.deepEqual(summary(negatedAllergy('414285001', '<code nullFlavor="NA"/>')), ['429625007', 'active', 'confirmed']);
});

test('a negated allergy to a whole class ("Substance") or to latex is its negated concept, not a refuted allergy to "Substance"', () => {
  const allergy = negatedAllergy('419199007', `<code code="105590001" displayName="Substance" codeSystem="${SNOMED}"/>`);
  assert.deepEqual(summary(allergy), ['716186003', 'active', 'confirmed']);
  assert.equal(allergy.code?.text, undefined, 'the class display is not the text of "no known allergy"');
  assert.deepEqual(summary(negatedAllergy('416098002', `<code code="410942007" codeSystem="${SNOMED}"/>`)), ['409137002', 'active', 'confirmed']);
  assert.deepEqual(summary(negatedAllergy('419199007', `<code code="111088007" codeSystem="${SNOMED}"/>`)), ['1003774007', 'active', 'confirmed'], 'latex, the IG\'s example');
});

test('a negated allergy to a specific substance stays that substance, refuted', () => {
  assert.deepEqual(summary(negatedAllergy('416098002', '<code code="7980" codeSystem="2.16.840.1.113883.6.88"/>')), ['7980', 'inactive', 'refuted']);
});
