import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CodeableConcept } from '@medplum/fhirtypes';
import { matchConditionText, normalizeConditionConcept } from './condition-text.ts';
import { shippedTables } from './tables.ts';

const table = shippedTables().conditions;

describe('text-only diagnoses → ICD-10-CM and SNOMED CT', () => {
  test('abbreviations and names, whatever the case, trailing punctuation and spacing', () => {
    for (const text of ['HTN', 'htn', 'HTN.', ' essential  hypertension ', 'High blood pressure']) assert.equal(matchConditionText(text, table)?.icd10cm, 'I10', text);
    for (const text of ['T2DM', 'DM2', 'type 2 diabetes']) assert.equal(matchConditionText(text, table)?.icd10cm, 'E11.9', text);
    assert.equal(matchConditionText('T1DM', table)?.icd10cm, 'E10.9');
  });

  test('a qualified or negated mention is not the condition', () => {
    for (const text of ['r/o HTN', 'family history of HTN', 'no HTN', 'HTN?', 'HTN, T2DM']) assert.equal(matchConditionText(text, table), undefined, text);
  });

  test('a concept with any coding is left alone', () => {
    const coded: CodeableConcept = { coding: [{ system: 'urn:local', code: '123' }], text: 'HTN' };
    assert.deepEqual(normalizeConditionConcept(coded, table, 'Condition.code'), []);
    assert.equal(coded.coding!.length, 1);
  });
});
