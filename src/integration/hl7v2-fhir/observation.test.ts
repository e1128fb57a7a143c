import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Observation } from '@medplum/fhirtypes';
import { HandlerError } from '../message-store/message-processor.ts';
import { fields, hl7, mapped, msh, resourcesOf } from './test-fixtures.ts';

const PID = 'PID|1||MRN-1^^^HOSP^MR||Doe^Jane||19700101|F';
const OBR = 'OBR|1|P100^EHR|F200^LAB|24317-0^Hemogram^LN|||20240301073000-0500';

function observations(...obx: string[]): Observation[] {
  return resourcesOf<Observation>(mapped(hl7(msh('ORU^R01'), PID, OBR, ...obx)), 'Observation');
}

describe('OBX → Observation', () => {
  test('NM with units, reference range, abnormal flags, status and time (OBX-5..8, 11, 14)', () => {
    const [obs] = observations('OBX|1|NM|718-7^Hemoglobin^LN||12.5|g/dL^grams per deciliter^UCUM|13-18|L^Low^HL70078|||F|||20240301073000-0500');
    assert.deepEqual(obs!.code, { coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Hemoglobin' }] });
    assert.deepEqual(obs!.valueQuantity, { value: 12.5, unit: 'grams per deciliter', system: 'http://unitsofmeasure.org', code: 'g/dL' });
    assert.deepEqual(obs!.referenceRange, [
      {
        low: { value: 13, unit: 'grams per deciliter', system: 'http://unitsofmeasure.org', code: 'g/dL' },
        high: { value: 18, unit: 'grams per deciliter', system: 'http://unitsofmeasure.org', code: 'g/dL' },
        text: '13-18',
      },
    ]);
    assert.deepEqual(obs!.interpretation, [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'L', display: 'Low' }] }]);
    assert.equal(obs!.status, 'final');
    assert.equal(obs!.effectiveDateTime, '2024-03-01T07:30:00-05:00');
  });

  test('each value type to its value[x] (IG OBX[Observation] OBX-5 rows)', () => {
    const [st, tx, ce, cwe, lt, range, ratio, dt, ts, tm, nmText] = observations(
      'OBX|1|ST|A^a^L||positive||||||F',
      'OBX|2|TX|B^b^L||line one~line two||||||F',
      'OBX|3|CE|C^c^L||260373001^Detected^SCT||||||F',
      'OBX|4|CWE|D^d^L||N^Negative^HL70078||||||F',
      'OBX|5|SN|E^e^L||<^5|mg/L^^UCUM|||||F',
      'OBX|6|SN|F^f^L||^10^-^20|%^^UCUM|||||F',
      'OBX|7|SN|G^g^L||^1^:^128||||||F',
      'OBX|8|DT|H^h^L||20240229||||||F',
      'OBX|9|TS|I^i^L||202402291330+0100||||||F',
      'OBX|10|TM|J^j^L||1330||||||F',
      'OBX|11|NM|K^k^L||see note||||||F',
    );
    assert.equal(st!.valueString, 'positive');
    assert.equal(tx!.valueString, 'line one\nline two', 'TX repetitions are the lines of one text');
    assert.equal(ce!.valueCodeableConcept?.coding?.[0]?.system, 'http://snomed.info/sct');
    assert.equal(cwe!.valueCodeableConcept?.coding?.[0]?.code, 'N');
    assert.deepEqual(lt!.valueQuantity, { value: 5, comparator: '<', unit: 'mg/L', system: 'http://unitsofmeasure.org', code: 'mg/L' });
    assert.deepEqual(range!.valueRange?.low?.value, 10);
    assert.deepEqual(range!.valueRange?.high?.value, 20);
    assert.deepEqual(ratio!.valueRatio, { numerator: { value: 1 }, denominator: { value: 128 } });
    assert.equal(dt!.valueDateTime, '2024-02-29');
    assert.equal(ts!.valueDateTime, '2024-02-29T13:30:00+01:00');
    assert.equal(tm!.valueTime, '13:30:00');
    assert.equal(nmText!.valueString, 'see note', 'an NM that is no number is kept, not dropped');
  });

  test('a repeating non-text value becomes components (IG OBX[Observation-Component])', () => {
    const [bp] = observations('OBX|1|NM|8867-4^Heart rate^LN||60~120|/min^^UCUM|70-80|A|||F');
    assert.equal(bp!.valueQuantity, undefined);
    assert.deepEqual(
      bp!.component?.map((c) => [c.code.coding?.[0]?.code, c.valueQuantity?.value, c.referenceRange?.[0]?.text]),
      [
        ['8867-4', 60, '70-80'],
        ['8867-4', 120, '70-80'],
      ],
    );
  });

  test('result status (table 0085): the IG map, plus I registered, N cancelled with a data-absent reason', () => {
    const statuses = observations(...['F', 'P', 'C', 'D', 'X', 'I', 'N', ''].map((s, i) => fields('OBX', { 1: String(i + 1), 2: 'ST', 3: `T${i}^t^L`, 5: 'v', 11: s })));
    assert.deepEqual(
      statuses.map((o) => o.status),
      ['final', 'preliminary', 'corrected', 'entered-in-error', 'cancelled', 'registered', 'cancelled', 'unknown'],
    );
    assert.equal(statuses[6]!.dataAbsentReason?.coding?.[0]?.code, 'not-asked');
  });

  test('the NTE after an OBX are its notes; an OBX points at its order and specimen', () => {
    const bundle = mapped(hl7(msh('ORU^R01'), PID, OBR, 'OBX|1|ST|A^a^L||x||||||F', 'NTE|1||Hemolysed sample', 'SPM|1|S-9^^^LAB||BLD^Blood^HL70487'));
    const [obs] = resourcesOf<Observation>(bundle, 'Observation');
    assert.deepEqual(obs!.note, [{ text: 'Hemolysed sample' }]);
    const refs = new Map(bundle.entry!.map((e) => [e.fullUrl, e.resource?.resourceType]));
    assert.equal(refs.get(obs!.basedOn?.[0]?.reference), 'ServiceRequest');
    assert.equal(refs.get(obs!.subject?.reference), 'Patient');
    assert.equal(refs.get(obs!.specimen?.reference), 'Specimen');
  });

  test('a bad OBX-14 names the OBX it is in', () => {
    assert.throws(
      () => observations('OBX|1|ST|A^a^L||x||||||F', 'OBX|2|ST|B^b^L||y||||||F|||20241301'),
      (err: unknown) => err instanceof HandlerError && err.detail.element === 'OBX[2]-14',
    );
  });
});
