/**
 * The demo's MLLP sender against a real listener (a receiver without a database): messages go
 * in file order with several in flight, every ACK is counted by code, and the reasons of the
 * first non-AA answers are kept.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildAck } from '../integration/hl7v2/ack.ts';
import { parseMessage } from '../integration/hl7v2/parse.ts';
import { MllpListener } from '../integration/mllp/mllp-listener.ts';
import { countHl7Messages, feedMllp } from './mllp-feed.ts';

const message = (id: number, pid: string) =>
  [`MSH|^~\\&|HOSP|GEN|LNG|HUB|20250101120000||ADT^A04^ADT_A01|C${id}|P|2.5.1`, 'EVN|A04|20250101120000', `PID|1||${pid}^^^GEN^MR||Doe^Jo`].join('\n');

test('feedMllp: file order, a window in flight, ACKs counted by code with reasons', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lng-feed-'));
  const files = [join(dir, '2025-01-01.hl7'), join(dir, '2025-01-02.hl7')];
  writeFileSync(files[0]!, `${[1, 2, 3].map((i) => message(i, `P${i}`)).join('\n')}\n`);
  // Message 5 has no patient identifier: this receiver answers it AE, as a hub rejects bad data.
  writeFileSync(files[1]!, `${[4, 5, 6].map((i) => message(i, i === 5 ? '' : `P${i}`)).join('\n')}\n`);
  const seen: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const listener = new MllpListener({
    channel: 'test',
    port: 0,
    host: '127.0.0.1',
    receiver: {
      async receive(frame) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const parsed = parseMessage(frame);
        assert.ok(parsed.ok);
        const m = parsed.message;
        seen.push(m.controlId ?? '');
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return m.get('PID-3.1')
          ? buildAck(m, { code: 'AA', now: new Date() })
          : buildAck(m, { code: 'AE', now: new Date(), error: { code: 'LNG_HL7_MISSING_FIELD', message: 'PID-3 is required', element: 'PID-3' } });
      },
    },
  });
  const port = await listener.listen();
  try {
    assert.equal(await countHl7Messages(files), 6);
    const answered: number[] = [];
    const result = await feedMllp(files, { port, host: '127.0.0.1' }, { window: 4, onAck: (n) => answered.push(n) });
    assert.equal(result.sent, 6);
    assert.deepEqual(result.acks, { AA: 5, AE: 1 });
    assert.equal(result.notAccepted.length, 1);
    assert.equal(result.notAccepted[0]!.file, '2025-01-02.hl7');
    assert.equal(result.notAccepted[0]!.code, 'AE');
    assert.match(result.notAccepted[0]!.text, /PID-3 is required/);
    assert.deepEqual(seen, ['C1', 'C2', 'C3', 'C4', 'C5', 'C6']);
    assert.deepEqual(answered, [1, 2, 3, 4, 5, 6]);
    // The listener handles a connection's frames one after another, whatever the window.
    assert.equal(maxInFlight, 1);
  } finally {
    await listener.close();
  }
});

test('feedMllp: no listener is a one-line error naming the port', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lng-feed-'));
  writeFileSync(join(dir, 'a.hl7'), message(1, 'P1'));
  const closed = new MllpListener({ channel: 'x', port: 0, host: '127.0.0.1', receiver: { receive: async () => new Uint8Array() } });
  const port = await closed.listen();
  await closed.close();
  await assert.rejects(feedMllp([join(dir, 'a.hl7')], { port, host: '127.0.0.1' }), /cannot reach the MLLP listener on port \d+/);
});
