import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Condition } from '@medplum/fhirtypes';
import { mapSections, resourcesOf } from './test-fixtures.ts';

/** A Problems section with one concern act (its statusCode) around one Problem Observation (its effectiveTime and optional Problem Status value). */
function problem(concernStatus: string, effectiveTime: string, problemStatus?: string): Condition {
  const status = problemStatus
    ? `<entryRelationship typeCode="REFR"><observation classCode="OBS" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.6"/><code code="33999-4" codeSystem="2.16.840.1.113883.6.1"/>
        <value xsi:type="CD" code="${problemStatus}" codeSystem="2.16.840.1.113883.6.96"/></observation></entryRelationship>`
    : '';
  const mapping = mapSections(`<section><code code="11450-4" codeSystem="2.16.840.1.113883.6.1"/><title>Problems</title>
    <entry><act classCode="ACT" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.3"/><id root="1.2.3" extension="c1"/><statusCode code="${concernStatus}"/>
      <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN"><templateId root="2.16.840.1.113883.10.20.22.4.4"/><id root="1.2.3" extension="o1"/>
        <code code="55607006" codeSystem="2.16.840.1.113883.6.96"/><statusCode code="completed"/><effectiveTime>${effectiveTime}</effectiveTime>
        <value xsi:type="CD" code="233604007" codeSystem="2.16.840.1.113883.6.96"/>${status}</observation></entryRelationship></act></entry></section>`);
  return resourcesOf<Condition>(mapping, 'Condition')[0]!;
}
const clinical = (c: Condition) => [c.clinicalStatus?.coding?.[0]?.code, c.abatementDateTime];

test('the concern status stands in for a missing Problem Status (C-CDA on FHIR ConceptMap CF-ConditionClinicalStatus)', () => {
  assert.deepEqual(clinical(problem('active', '<low value="20200101"/>')), ['active', undefined]);
  assert.deepEqual(clinical(problem('completed', '<low value="20200101"/>')), ['inactive', undefined]);
  assert.deepEqual(clinical(problem('suspended', '<low value="20200101"/>')), ['inactive', undefined]);
});

test('the Problem Status Observation wins over the concern status', () => {
  assert.deepEqual(clinical(problem('active', '<low value="20200101"/>', '413322009')), ['resolved', undefined]);
  assert.deepEqual(clinical(problem('completed', '<low value="20200101"/>', '55561003')), ['active', undefined]);
});

test('an end date makes an ongoing status inactive (R4 con-4) and is kept as the abatement', () => {
  assert.deepEqual(clinical(problem('active', '<low value="20200101"/><high value="20200301"/>')), ['inactive', '2020-03-01']);
  assert.deepEqual(clinical(problem('active', '<low value="20200101"/><high value="20200301"/>', '413322009')), ['resolved', '2020-03-01']);
  assert.deepEqual(clinical(problem('new', '<low value="20200101"/><high value="20200301"/>')), ['resolved', '2020-03-01']);
});
