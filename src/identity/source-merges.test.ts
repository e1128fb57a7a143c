import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Patient, PatientLink } from '@medplum/fhirtypes';
import { GOLDEN_TAG } from './from-fhir-patient.ts';
import { SourcePatientIndex, sourceMergePairs, sourceMergeSearches } from './source-merges.ts';

const MRN = 'urn:longitude:hl7:authority:GENHOSP';
const hospital = (id: string, mrn: string, link?: PatientLink[]): Patient => ({
  resourceType: 'Patient', id, meta: { source: 'urn:longitude:channel/hl7%3Ahospital#m1' },
  identifier: [{ system: MRN, value: mrn }], ...(link ? { link } : {}),
});
/** What patient-merge.ts writes for an ADT^A40 whose MRG-1 is `prior`. */
const a40 = (prior: string): PatientLink => ({ type: 'seealso', other: { type: 'Patient', identifier: { system: MRN, value: prior }, display: `prior patient record ${prior} (MRG-1), merge requested by ADT^A40 HM1` } });

describe('sourceMergePairs', () => {
  test('an A40 on the surviving record names the retired MRN: survivor and prior, with what the source said', () => {
    const index = new SourcePatientIndex([hospital('h1', '1001', [a40('1002')]), hospital('h2', '1002'), hospital('h3', '1003')]);
    assert.deepEqual(sourceMergePairs(index), [{
      survivor: 'Patient/h1', prior: 'Patient/h2',
      note: 'source hl7:hospital: prior patient record 1002 (MRG-1), merge requested by ADT^A40 HM1',
    }]);
  });

  test('replaced-by points at the survivor; a reference link resolves by id; each pair once', () => {
    const a: Patient = { resourceType: 'Patient', id: 'a', link: [{ type: 'replaced-by', other: { reference: 'Patient/b' } }] };
    const b: Patient = { resourceType: 'Patient', id: 'b', link: [{ type: 'replaces', other: { reference: 'Patient/a' } }] };
    const pairs = sourceMergePairs(new SourcePatientIndex([a, b]));
    assert.equal(pairs.length, 1);
    assert.deepEqual([pairs[0]!.survivor, pairs[0]!.prior], ['Patient/b', 'Patient/a']);
  });

  test('a claim about a record not in the index, about itself, or from a golden record is no pair', () => {
    const golden: Patient = { resourceType: 'Patient', id: 'g', meta: { tag: [GOLDEN_TAG] }, link: [{ type: 'seealso', other: { reference: 'Patient/h2' } }] };
    const index = new SourcePatientIndex([hospital('h1', '1001', [a40('9999'), a40('1001')]), hospital('h2', '1002'), golden]);
    assert.deepEqual(sourceMergePairs(index), []);
  });

  test('an identifier without a system matches only records of the same source', () => {
    const bare = (id: string, source: string, value: string, link?: PatientLink[]): Patient => ({
      resourceType: 'Patient', id, meta: { source }, identifier: [{ value }], ...(link ? { link } : {}),
    });
    const claim: PatientLink = { type: 'seealso', other: { identifier: { value: '77' } } };
    const index = new SourcePatientIndex([bare('x1', 'crm', '1', [claim]), bare('x2', 'crm', '77'), bare('y2', 'lab', '77')]);
    assert.deepEqual(sourceMergePairs(index).map((p) => p.prior), ['Patient/x2']);
  });
});

describe('sourceMergeSearches', () => {
  test('finds what the links name, who names these records, escaping search delimiters', () => {
    assert.deepEqual(sourceMergeSearches([hospital('h1', '10,01', [a40('1002')])]), [
      ['identifier', `${MRN}|1002`],
      ['link:identifier', `${MRN}|10\\,01`],
      ['link', 'Patient/h1'],
    ]);
  });
});
