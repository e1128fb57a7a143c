import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Coverage } from '@medplum/fhirtypes';
import { fields, hl7, mapped, msh, only } from './test-fixtures.ts';

describe('IN1 → Coverage', () => {
  test('payor, plan and group, period, policy number, subscriber relationship, order', () => {
    const coverage = only<Coverage>(
      mapped(
        hl7(
          msh('ADT^A04'),
          'PID|1||MRN-1^^^HOSP^MR||Doe^Jane||19700101|F',
          fields('IN1', { 1: '1', 2: 'BAV^Blue Advantage HMO', 3: 'IC-1^^^BCBS', 4: 'Blue Cross', 8: 'GRP-9', 9: 'Acme Inc', 12: '20240101', 13: '20241231', 15: 'HMO^health maintenance organization', 16: 'Doe^Jane', 17: 'SEL', 22: '1', 36: 'POL-123' }),
        ),
      ),
      'Coverage',
    );
    assert.equal(coverage.status, 'active');
    assert.deepEqual(coverage.payor, [{ type: 'Organization', identifier: { system: 'urn:longitude:hl7:authority:bcbs', value: 'IC-1', assigner: { display: 'BCBS' } }, display: 'Blue Cross' }]);
    assert.deepEqual(coverage.period, { start: '2024-01-01', end: '2024-12-31' });
    assert.equal(coverage.subscriberId, 'POL-123');
    assert.equal(coverage.relationship?.coding?.[0]?.code, 'self');
    assert.equal(coverage.subscriber, undefined, 'the insured is the patient');
    assert.deepEqual(coverage.class?.map((c) => [c.type.coding?.[0]?.code, c.value, c.name]), [['group', 'GRP-9', 'Acme Inc'], ['plan', 'BAV', 'Blue Advantage HMO']]);
    assert.equal(coverage.order, 1);
  });
});
