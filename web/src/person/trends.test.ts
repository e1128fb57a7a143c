import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bloodPressureRows, hba1cRows } from './trends.ts';
import type { TimelineItem } from './types.ts';

const item = (over: Partial<TimelineItem>): TimelineItem => ({ ref: `Observation/${Math.random()}`, resourceType: 'Observation', kind: 'lab', display: '', source: { silo: 'x' }, ...over });
const loinc = (code: string) => ({ system: 'http://loinc.org', code });

test('HbA1c points oldest first, from LOINC 4548-4 only', () => {
  const rows = hba1cRows([
    item({ date: '2025-07-01T10:00:00Z', code: loinc('4548-4'), value: { value: 7.9, unit: '%' } }),
    item({ date: '2025-01-02', code: loinc('4548-4'), value: { value: 9.3, unit: '%' } }),
    item({ date: '2025-03-01', code: loinc('2345-7'), value: { value: 99, unit: 'mg/dL' } }),
  ]);
  assert.deepEqual(rows, [
    { date: '2025-01-02', hba1c: 9.3 },
    { date: '2025-07-01', hba1c: 7.9 },
  ]);
});

test('blood pressure from the 85354-9 panel and from separate systolic/diastolic observations, joined by day', () => {
  const rows = bloodPressureRows([
    item({ date: '2025-02-01', kind: 'vital', code: loinc('85354-9'), components: [{ code: '8480-6', value: 142, unit: 'mm[Hg]' }, { code: '8462-4', value: 91, unit: 'mm[Hg]' }] }),
    item({ date: '2025-01-05T08:00:00Z', kind: 'vital', code: loinc('8462-4'), value: { value: 80, unit: 'mm[Hg]' } }),
    item({ date: '2025-01-05T08:00:00Z', kind: 'vital', code: loinc('8480-6'), value: { value: 128, unit: 'mm[Hg]' } }),
    item({ date: '2025-01-09', kind: 'vital', code: loinc('8867-4'), value: { value: 70, unit: '/min' } }),
  ]);
  assert.deepEqual(rows, [
    { date: '2025-01-05', systolic: 128, diastolic: 80 },
    { date: '2025-02-01', systolic: 142, diastolic: 91 },
  ]);
});
