import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Condition } from '@medplum/fhirtypes';
import { fields, hl7, mapped, msh, resourcesOf } from './test-fixtures.ts';

describe('DG1 → Condition', () => {
  const bundle = mapped(
    hl7(
      msh('ADT^A03'),
      'PID|1||MRN-1^^^HOSP^MR||Doe^Jane',
      fields('PV1', { 2: 'I', 19: 'V1' }),
      fields('DG1', { 1: '1', 3: 'I21.9^Acute MI^I10C', 5: '20240301', 6: 'F', 16: '77^House^Greg', 19: '20240302120000+0100' }),
      fields('DG1', { 1: '2', 4: 'Hypertension, text only', 21: 'D' }),
    ),
  );
  const [mi, htn] = resourcesOf<Condition>(bundle, 'Condition');

  test('code, dates, asserter, encounter; the diagnosis type as a second category', () => {
    assert.equal(mi!.code?.coding?.[0]?.system, 'http://hl7.org/fhir/sid/icd-10-cm');
    assert.equal(mi!.onsetDateTime, '2024-03-01');
    assert.equal(mi!.recordedDate, '2024-03-02T12:00:00+01:00');
    assert.equal(mi!.asserter?.display, 'Greg House');
    assert.deepEqual(mi!.category?.map((c) => c.coding?.[0]?.code), ['encounter-diagnosis', 'F']);
    assert.ok(mi!.encounter?.reference?.startsWith('urn:uuid:'));
  });

  test('a text-only diagnosis keeps its text; DG1-21 D marks it entered in error', () => {
    assert.deepEqual(htn!.code, { text: 'Hypertension, text only' });
    assert.equal(htn!.verificationStatus?.coding?.[0]?.code, 'entered-in-error');
  });

  test('keyed by the visit and the diagnosis', () => {
    const urls = bundle.entry!.filter((e) => e.resource?.resourceType === 'Condition').map((e) => decodeURIComponent(e.request!.url));
    assert.equal(urls[0], 'Condition?identifier=urn:longitude:hl7-key:lab.hosp:dg1|visit:V1.I21.9');
  });
});
