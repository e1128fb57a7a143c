import assert from 'node:assert/strict';
import { test } from 'node:test';
import { minuteRows } from './monitor.ts';

test('throughput: every minute of the window, quiet ones as zero, channels summed or one picked', () => {
  const now = new Date('2026-01-01T10:04:30Z');
  const buckets = [
    { at: '2026-01-01T10:01:00Z', channel: 'lab', received: 5, processed: 4, errored: 1 },
    { at: '2026-01-01T10:01:00Z', channel: 'adt', received: 2, processed: 2, errored: 0 },
    { at: '2026-01-01T09:00:00Z', channel: 'adt', received: 9, processed: 9, errored: 0 },
  ];
  const all = minuteRows(buckets, '', 5, now);
  assert.deepEqual(all.map((r) => r.minute), ['10:00', '10:01', '10:02', '10:03', '10:04']);
  assert.deepEqual(all[1], { minute: '10:01', received: 7, processed: 6, errored: 1 });
  assert.equal(all.reduce((n, r) => n + r.received, 0), 7, 'a bucket outside the window is left out');
  assert.deepEqual(minuteRows(buckets, 'adt', 5, now)[1], { minute: '10:01', received: 2, processed: 2, errored: 0 });
});
