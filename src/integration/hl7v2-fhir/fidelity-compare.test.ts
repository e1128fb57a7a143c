import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Observation, Patient, Resource } from '@medplum/fhirtypes';
import { compareResources, sameValue, sameValues, valuesAt } from './fidelity-compare.ts';
import { readFhirXml } from './fhir-xml.ts';

describe('the fidelity comparison', () => {
  test('values at a path walk arrays at every step', () => {
    const patient: Patient = { resourceType: 'Patient', name: [{ given: ['A', 'B'] }, { given: ['C'] }] };
    assert.deepEqual(valuesAt(patient, 'name.given'), ['A', 'B', 'C']);
    assert.deepEqual(valuesAt(patient, 'name.family'), []);
  });

  test('equality: blanks, numbers, and dateTimes by instant or wall clock', () => {
    assert.ok(sameValue('Ann Arbor ', 'Ann Arbor'));
    assert.ok(sameValue('10.0', '10'));
    assert.ok(sameValue('2015-02-08T15:54:19+05:30', '2015-02-08T11:34:19+01:10'), 'same instant');
    assert.ok(sameValue('2023-07-29T08:13:00+05:30', '2023-07-29T08:13:00Z'), 'same wall clock (an offset-less source)');
    assert.ok(!sameValue('2015-02-08', '2015-02-09'));
    assert.ok(sameValues(['a', 'b'], ['b', 'a']));
    assert.ok(!sameValues(['a', 'a'], ['a']));
  });

  test('resources pair by type and key; each compared element present on either side counts once', () => {
    const obs = (code: string, value: number): Observation => ({ resourceType: 'Observation', status: 'final', code: { coding: [{ code }] }, valueQuantity: { value } });
    const expected: Resource[] = [obs('A', 1), obs('B', 2), { resourceType: 'Procedure', status: 'completed', subject: {} }];
    const actual: Resource[] = [obs('B', 3), obs('A', 1)];
    const result = compareResources(expected, actual);
    assert.equal(result.pairs, 2);
    assert.equal(result.compared, 6);
    assert.equal(result.agreed, 5);
    assert.deepEqual(result.mismatches, [{ resourceType: 'Observation', key: 'B#1', path: 'valueQuantity.value', expected: ['2'], actual: ['3'] }]);
    assert.deepEqual(result.notCompared, { Procedure: 1 });
  });

  test('FHIR XML reads into the same shapes', () => {
    const bundle = readFhirXml(
      '<Bundle xmlns="http://hl7.org/fhir"><entry><resource><Patient><name><family value="Doe"/><given value="J &amp; K"/></name><text><div xmlns="http://www.w3.org/1999/xhtml"><p>x</p></div></text></Patient></resource></entry></Bundle>',
    ) as { entry: { resource: Record<string, unknown>[] }[] };
    const patient = bundle.entry[0]!.resource[0]!;
    assert.equal(patient.resourceType, 'Patient');
    assert.deepEqual(valuesAt(patient, 'name.given'), ['J & K']);
    assert.equal(patient.text && JSON.stringify(patient.text).includes('div'), false);
  });
});
