import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codeableConcept, codeSystemUri, coding, mapCode, tableConcept, v2Table } from './coding.ts';
import { hl7, msh, segment } from './test-fixtures.ts';

/** The first repetition of OBX-3 of a one-OBX message: a CWE as senders write it. */
function cwe(text: string) {
  return segment(hl7(msh('ORU^R01'), 'PID|1||1^^^H^MR', `OBX|1|ST|${text}||x`), 'OBX').rep(3);
}

describe('coded values (CWE → CodeableConcept)', () => {
  test('named systems become FHIR URIs; HL7 tables become terminology.hl7.org code systems', () => {
    assert.equal(codeSystemUri('LN'), 'http://loinc.org');
    assert.equal(codeSystemUri('SCT'), 'http://snomed.info/sct');
    assert.equal(codeSystemUri('HL70078'), 'http://terminology.hl7.org/CodeSystem/v2-0078');
    assert.equal(codeSystemUri('I10'), 'http://hl7.org/fhir/sid/icd-10');
    assert.equal(v2Table('1'), 'http://terminology.hl7.org/CodeSystem/v2-0001');
    // A local system keeps its name rather than losing it.
    assert.equal(codeSystemUri('99LOCAL'), 'urn:longitude:hl7:codesystem:99LOCAL');
    assert.equal(codeSystemUri(undefined), undefined);
  });

  test('both triplets, their versions and the original text', () => {
    assert.deepEqual(codeableConcept(cwe('57021-8^CBC panel^LN^4456544^CBC^99USI^2.68^v1^CBC W Auto Differential')), {
      coding: [
        { system: 'http://loinc.org', version: '2.68', code: '57021-8', display: 'CBC panel' },
        { system: 'urn:longitude:hl7:codesystem:99USI', version: 'v1', code: '4456544', display: 'CBC' },
      ],
      text: 'CBC W Auto Differential',
    });
  });

  test('a field bound to a table gets its system when the sender names none; text alone is kept as text', () => {
    assert.deepEqual(coding(cwe('E^Emergency'), { table: '0007' }), { system: 'http://terminology.hl7.org/CodeSystem/v2-0007', code: 'E', display: 'Emergency' });
    assert.deepEqual(codeableConcept(cwe('^free text only')), { text: 'free text only' });
    assert.equal(codeableConcept(cwe('')), undefined);
    assert.deepEqual(tableConcept('VN', '0203'), { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'VN' }] });
  });

  test('concept maps look codes up as sent, then upper-cased', () => {
    const map = { M: 'male', F: 'female' } as const;
    assert.equal(mapCode('m', map), 'male');
    assert.equal(mapCode('X', map), undefined);
    assert.equal(mapCode(undefined, map), undefined);
  });
});
