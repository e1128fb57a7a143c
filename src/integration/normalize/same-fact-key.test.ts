import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Observation } from '@medplum/fhirtypes';
import { analytes, formatAnalyteValue, type Analyte, type AnalyteKey } from '../../simulator/lab-catalog.ts';
import { normalizeResource } from './normalize-resource.ts';
import { sameFactKey } from './same-fact-key.ts';

const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

function observation(loinc: string, value: number, unit: string, extra: Partial<Observation> = {}): Observation {
  return {
    resourceType: 'Observation', status: 'final', subject: { reference: 'Patient/p1' },
    code: { coding: [{ system: LOINC, code: loinc }] }, effectiveDateTime: '2024-01-15T08:00:00-05:00',
    valueQuantity: { value, unit, system: UCUM, code: unit }, ...extra,
  };
}

describe('sameFactKey', () => {
  test('the hospital and the reference lab reporting one HbA1c get one key', () => {
    const lab = observation('4548-4', 7.2, '%');
    const hospital: Observation = {
      ...observation('4548-4', 7.2, '%', { effectiveDateTime: '2024-01-15T13:00:00Z', subject: { reference: 'urn:uuid:other' } }),
      code: { coding: [{ system: 'urn:longitude:hl7:codesystem:L', code: 'HBA1C' }] },
    };
    const normalized = normalizeResource(hospital, { source: 'hospital' }).resource;
    assert.equal(sameFactKey(normalized, { subjectKey: 'Patient/p1' }), sameFactKey(lab));
    assert.equal(sameFactKey(lab), 'Observation|Patient/p1|http://loinc.org|4548-4|2024-01-15T13:00:00.000Z|7.2 %');
  });

  test('another value, time, code or patient is another fact', () => {
    const key = sameFactKey(observation('4548-4', 7.2, '%'));
    assert.notEqual(sameFactKey(observation('4548-4', 7.3, '%')), key);
    assert.notEqual(sameFactKey(observation('4548-4', 7.2, '%', { effectiveDateTime: '2024-01-15T08:01:00-05:00' })), key);
    assert.notEqual(sameFactKey(observation('17856-6', 7.2, '%')), key);
    assert.notEqual(sameFactKey(observation('4548-4', 7.2, '%', { subject: { reference: 'Patient/p2' } })), key);
    assert.notEqual(sameFactKey(observation('4548-4', 7.2, '%', { valueQuantity: { value: 7.2, comparator: '<', system: UCUM, code: '%' } })), key);
  });

  test('no key without LOINC, effective time, value, or for an entered-in-error result', () => {
    assert.equal(sameFactKey(observation('4548-4', 7.2, '%', { code: { text: 'A1c' } })), undefined);
    assert.equal(sameFactKey({ ...observation('4548-4', 7.2, '%'), effectiveDateTime: undefined }), undefined);
    assert.equal(sameFactKey({ ...observation('4548-4', 7.2, '%'), valueQuantity: undefined }), undefined);
    assert.equal(sameFactKey(observation('4548-4', 7.2, '%', { status: 'entered-in-error' })), undefined);
    assert.equal(sameFactKey({ resourceType: 'Condition', subject: { reference: 'Patient/p1' } }), undefined);
  });

  test('blood pressures compare by their components, in any order', () => {
    const bp = (s: number, d: number, order: 'sd' | 'ds'): Observation => {
      const c = [
        { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: { value: s, system: UCUM, code: 'mm[Hg]' } },
        { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: { value: d, system: UCUM, code: 'mm[Hg]' } },
      ];
      return { ...observation('85354-9', 0, ''), valueQuantity: undefined, component: order === 'sd' ? c : c.reverse() };
    };
    assert.equal(sameFactKey(bp(138, 86, 'sd')), sameFactKey(bp(138, 86, 'ds')));
    assert.notEqual(sameFactKey(bp(138, 86, 'sd')), sameFactKey(bp(138, 87, 'sd')));
    const text = normalizeResource({ ...observation('85354-9', 0, ''), valueQuantity: undefined, valueString: '138/86' }, { source: 'ehr-clinic' }).resource;
    assert.equal(sameFactKey(text), sameFactKey(bp(138, 86, 'sd')));
  });

  test('conventional and SI reports of the same results agree (measured over every simulated analyte)', () => {
    // Every value the simulator can print, in US units and in SI units as the hospital prints
    // them (rounded to its decimals), normalized as the hospital's would be.
    let compared = 0;
    let agreed = 0;
    const disagreements: string[] = [];
    for (const key of Object.keys(analytes) as AnalyteKey[]) {
      const a: Analyte = analytes[key];
      if (!a.si) continue;
      const [low, high] = key === 'glucose' ? [40, 400] : key === 'creatinine' ? [0.3, 3] : key === 'triglycerides' ? [40, 600] : key === 'calcium' ? [7, 12] : key === 'hgb' ? [7, 19] : key === 'bun' ? [5, 45] : [20, 330];
      const step = 10 ** -a.decimals;
      for (let v = low; v <= high + step / 2; v += step) {
        const value = Number(v.toFixed(a.decimals));
        const us = formatAnalyteValue(key, value, false);
        const si = formatAnalyteValue(key, value, true);
        const conventional = normalizeResource(observation(a.loinc, Number(us.value), us.unit), { source: 'labs' }).resource;
        const metric = normalizeResource(observation(a.loinc, Number(si.value), si.unit), { source: 'hospital' }).resource;
        compared++;
        if (sameFactKey(conventional) === sameFactKey(metric)) agreed++;
        else if (disagreements.length < 5) disagreements.push(`${key} ${us.value} ${us.unit} vs ${si.value} ${si.unit}`);
      }
    }
    const rate = agreed / compared;
    console.log(`same-fact keys of US vs SI reports: ${agreed}/${compared} agree (${(rate * 100).toFixed(2)} %)${disagreements.length ? `; e.g. ${disagreements.join(', ')}` : ''}`);
    assert.ok(rate >= 0.99, `${(rate * 100).toFixed(2)} %`);
  });
});
