import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DiagnosticReport, Observation } from '@medplum/fhirtypes';
import { mapSections, resourcesOf } from './test-fixtures.ts';

const LOINC = '2.16.840.1.113883.6.1';
const SNOMED = '2.16.840.1.113883.6.96';
const codeOf = (o: Observation): string | undefined => o.code.coding?.[0]?.code;

describe('observations beyond results and vital signs', () => {
  test('a Mental Status Organizer (4.75) gives one Observation per Mental Status Observation (4.74), its grouping code reported', () => {
    const mapping = mapSections(`<section><code code="10190-7" codeSystem="${LOINC}"/><title>Mental Status</title>
      <entry><organizer classCode="CLUSTER" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.75"/><id root="1.2.3" extension="org"/>
        <code code="d3" codeSystem="2.16.840.1.113883.6.254" displayName="Communication"/><statusCode code="completed"/><effectiveTime value="20130731"/>
        <component><observation classCode="OBS" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.74"/><id root="1.2.3" extension="m1"/>
          <code code="75275-8" codeSystem="${LOINC}"/><statusCode code="completed"/>
          <value xsi:type="CD" code="288760009" codeSystem="${SNOMED}" displayName="difficulty communicating thoughts"/></observation></component>
        <component><observation classCode="OBS" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.74"/><id root="1.2.3" extension="m2"/>
          <code code="75275-8" codeSystem="${LOINC}"/><statusCode code="completed"/><effectiveTime value="20130801"/>
          <value xsi:type="CD" code="11163003" codeSystem="${SNOMED}" displayName="Intact"/></observation></component>
      </organizer></entry></section>`);
    const observations = resourcesOf<Observation>(mapping, 'Observation');
    assert.deepEqual(observations.map((o) => [codeOf(o), o.valueCodeableConcept?.coding?.[0]?.code, o.effectiveDateTime]), [
      ['75275-8', '288760009', '2013-07-31'], // the organizer's time, as the member has none
      ['75275-8', '11163003', '2013-08-01'],
    ]);
    assert.ok(observations.every((o) => o.status === 'final' && !o.category), 'no observation-category code fits a mental status finding');
    assert.ok(mapping.unmapped.some((u) => u.reason.includes('grouping code d3')));
  });

  test('a Nutritional Status Observation (4.124) is derived from its Nutrition Assessments (4.138), each an Observation', () => {
    const mapping = mapSections(`<section><code code="61144-2" codeSystem="${LOINC}"/><title>Diet and Nutrition</title>
      <entry><observation classCode="OBS" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.124"/><id root="1.2.3" extension="n1"/>
        <code code="75305-3" codeSystem="${LOINC}"/><statusCode code="completed"/><effectiveTime value="20130512"/>
        <value xsi:type="CD" code="248324001" codeSystem="${SNOMED}" displayName="well nourished"/>
        <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.138"/><id root="1.2.3" extension="a1"/>
          <code code="75303-8" codeSystem="${LOINC}"/><statusCode code="completed"/><effectiveTime value="20130512"/>
          <value xsi:type="CD" code="386619000" codeSystem="${SNOMED}" displayName="low sodium diet"/></observation></entryRelationship>
      </observation></entry></section>`);
    const [assessment, status] = resourcesOf<Observation>(mapping, 'Observation');
    assert.equal(codeOf(assessment!), '75303-8');
    assert.equal(codeOf(status!), '75305-3');
    assert.deepEqual(status!.derivedFrom, [{ reference: `Observation/${assessment!.id}` }]);
    assert.deepEqual(mapping.unmapped.filter((u) => u.path.includes('entryRelationship')), [], 'the assessment is mapped, not reported');
  });

  test('Caregiver Characteristics, Cultural and Religious, Home Environment (Social History Section 2.17) are social-history Observations; the caregiver is reported', () => {
    const mapping = mapSections(`<section><code code="29762-2" codeSystem="${LOINC}"/><title>Social History</title>
      <entry><observation classCode="OBS" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.72"/><id nullFlavor="NI"/>
        <code code="ASSERTION" codeSystem="2.16.840.1.113883.5.4"/><statusCode code="completed"/><effectiveTime value="20130312"/>
        <value xsi:type="CD" code="422615001" codeSystem="${SNOMED}"/>
        <participant typeCode="IND"><participantRole classCode="CAREGIVER"><code code="MTH" codeSystem="2.16.840.1.113883.5.111"/></participantRole></participant></observation></entry>
      <entry><observation classCode="OBS" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.111"/><id root="1.2.3" extension="b1"/>
        <code code="75281-6" codeSystem="${LOINC}"/><statusCode code="completed"/><value xsi:type="ST">Does not accept
          blood transfusions.</value></observation></entry>
      <entry><observation classCode="OBS" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.109"/><id root="1.2.3" extension="h1"/>
        <code code="75274-1" codeSystem="${LOINC}"/><statusCode code="completed"/><value xsi:type="CD" code="308899009" codeSystem="${SNOMED}"/></observation></entry>
      </section>`);
    const observations = resourcesOf<Observation>(mapping, 'Observation');
    assert.deepEqual(observations.map(codeOf), ['ASSERTION', '75281-6', '75274-1']);
    assert.ok(observations.every((o) => o.category?.[0]?.coding?.[0]?.code === 'social-history'));
    assert.equal(observations[1]!.valueString, 'Does not accept blood transfusions.');
    assert.ok(mapping.unmapped.some((u) => /entry\[1\]\/observation\/participant$/.test(u.path) && u.reason.includes('typeCode IND')));
  });

  test('an Indication (4.19) standing as a section entry keeps its finding as an Observation', () => {
    const mapping = mapSections(`<section><code code="59768-2" codeSystem="${LOINC}"/><title>Procedure Indications</title>
      <entry><observation classCode="OBS" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.19"/><id root="1.2.3" extension="45665"/>
        <code code="75321-0" codeSystem="${LOINC}"/><statusCode code="completed"/><effectiveTime><low value="20091023"/></effectiveTime>
        <value xsi:type="CD" code="414992000" codeSystem="${SNOMED}" displayName="Painless rectal bleeding"/></observation></entry></section>`);
    const [indication] = resourcesOf<Observation>(mapping, 'Observation');
    assert.equal(indication!.valueCodeableConcept?.coding?.[0]?.code, '414992000');
    assert.equal(indication!.effectiveDateTime, '2009-10-23');
    assert.deepEqual(mapping.unmapped.filter((u) => u.path.includes('entry')), []);
  });
});

describe('result organizer times', () => {
  const organizer = (members: string[]) =>
    mapSections(`<section><code code="30954-2" codeSystem="${LOINC}"/><title>Results</title>
      <entry><organizer classCode="BATTERY" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.1"/><id root="1.2.3" extension="r"/>
        <code code="57021-8" codeSystem="${LOINC}"/><statusCode code="completed"/>
        ${members.map((t, i) => `<component><observation classCode="OBS" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.2"/><id root="1.2.3" extension="m${i}"/>
          <code code="718-7" codeSystem="${LOINC}"/><statusCode code="completed"/><effectiveTime value="${t}"/><value xsi:type="PQ" value="13" unit="g/dL"/></observation></component>`).join('')}
      </organizer></entry></section>`);
  const report = (members: string[]) => resourcesOf<DiagnosticReport>(organizer(members), 'DiagnosticReport')[0]!;

  test('without its own effectiveTime, the report spans its observations (C-CDA on FHIR "Results")', () => {
    assert.deepEqual(report(['201410151200-0500', '201410151030-0500']).effectivePeriod, { start: '2014-10-15T10:30:00-05:00', end: '2014-10-15T12:00:00-05:00' });
    const single = report(['201410151030-0500', '201410151030-0500']);
    assert.equal(single.effectiveDateTime, '2014-10-15T10:30:00-05:00');
    assert.equal(single.effectivePeriod, undefined);
  });
});

test('a Functional Status Organizer (4.66) maps its Functional Status Observations (4.67) the same way', () => {
  const mapping = mapSections(`<section><code code="47420-5" codeSystem="${LOINC}"/><title>Functional Status</title>
    <entry><organizer classCode="CLUSTER" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.66"/><id root="1.2.3" extension="f"/><statusCode code="completed"/>
      <component><observation classCode="OBS" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.67"/><id root="1.2.3" extension="f1"/>
        <code code="54522-8" codeSystem="${LOINC}"/><statusCode code="completed"/><effectiveTime value="20130312"/>
        <value xsi:type="CD" code="165245003" codeSystem="${SNOMED}"/></observation></component>
    </organizer></entry></section>`);
  const [observation] = resourcesOf<Observation>(mapping, 'Observation');
  assert.deepEqual([codeOf(observation!), observation!.valueCodeableConcept?.coding?.[0]?.code, observation!.category], ['54522-8', '165245003', undefined]);
  assert.deepEqual(mapping.unmapped.filter((u) => u.path.includes('entry')), [], 'an organizer without a grouping code reports nothing');
});
