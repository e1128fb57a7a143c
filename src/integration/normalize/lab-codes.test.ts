import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CodeableConcept } from '@medplum/fhirtypes';
import { NORMALIZATION_RULE_EXTENSION } from './codings.ts';
import { normalizeLabCode } from './lab-codes.ts';
import { shippedTables } from './tables.ts';

const hospital = shippedTables().labCodes.get('hospital')!;
const L = 'urn:longitude:hl7:codesystem:L';

describe('local lab codes → LOINC', () => {
  test("the hospital's GLU gets LOINC 2345-7 beside it; the local coding and text stay", () => {
    const concept: CodeableConcept = { coding: [{ system: L, code: 'GLU', display: 'Glucose' }], text: 'Glucose, serum' };
    const changes = normalizeLabCode(concept, hospital, 'Observation.code');
    assert.deepEqual(concept.coding![0], { system: L, code: 'GLU', display: 'Glucose' });
    assert.equal(concept.text, 'Glucose, serum');
    assert.deepEqual(concept.coding![1], {
      extension: [{ url: NORMALIZATION_RULE_EXTENSION, valueString: 'lab-codes/hospital.json#GLU' }],
      system: 'http://loinc.org',
      code: '2345-7',
      display: 'Glucose [Mass/volume] in Serum or Plasma',
      userSelected: false,
    });
    assert.deepEqual(changes, [{ path: 'Observation.code.coding[1]', from: null, to: { system: 'http://loinc.org', code: '2345-7' }, rule: 'lab-codes/hospital.json#GLU' }]);
  });

  test('a concept that already has LOINC (the alternate identifier of CWE) is left alone', () => {
    const concept: CodeableConcept = { coding: [{ system: L, code: 'GLU' }, { system: 'http://loinc.org', code: '2345-7' }] };
    assert.deepEqual(normalizeLabCode(concept, hospital, 'Observation.code'), []);
    assert.equal(concept.coding!.length, 2);
  });

  test('case differences and a missing system still match; other systems and unknown codes do not', () => {
    const lower: CodeableConcept = { coding: [{ code: 'hba1c' }] };
    assert.equal(normalizeLabCode(lower, hospital, 'Observation.code')[0]?.rule, 'lab-codes/hospital.json#HBA1C');
    const other: CodeableConcept = { coding: [{ system: 'urn:other-lab', code: 'GLU' }] };
    assert.deepEqual(normalizeLabCode(other, hospital, 'Observation.code'), []);
    const unknown: CodeableConcept = { coding: [{ system: L, code: 'ZZTOP' }] };
    assert.deepEqual(normalizeLabCode(unknown, hospital, 'Observation.code'), []);
  });

  test('a source without a table maps nothing', () => {
    const concept: CodeableConcept = { coding: [{ system: L, code: 'GLU' }] };
    assert.deepEqual(normalizeLabCode(concept, undefined, 'Observation.code'), []);
  });
});
