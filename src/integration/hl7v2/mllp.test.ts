import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { frameMessage, MllpDecoder, type MllpDiscard } from './mllp.ts';

const VT = '\x0b';
const END = '\x1c\r';

function decodeAll(chunks: (string | Uint8Array)[], options: { maxFrameBytes?: number } = {}) {
  const discards: MllpDiscard[] = [];
  const decoder = new MllpDecoder({ ...options, onDiscard: (d) => discards.push(d) });
  const frames = chunks.flatMap((c) => decoder.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : c)).map((f) => f.toString('latin1'));
  return { frames, discards, buffered: decoder.buffered };
}

describe('MLLP framing', () => {
  test('frameMessage wraps payloads in 0x0B … 0x1C 0x0D', () => {
    assert.deepEqual([...frameMessage('MSH|x')], [0x0b, ...Buffer.from('MSH|x'), 0x1c, 0x0d]);
    assert.deepEqual([...frameMessage(new Uint8Array([1, 2]))], [0x0b, 1, 2, 0x1c, 0x0d]);
  });

  test('several frames in one chunk, one frame over many chunks, the end pair split across chunks', () => {
    assert.deepEqual(decodeAll([`${VT}a${END}${VT}b${END}`]).frames, ['a', 'b']);
    assert.deepEqual(decodeAll([VT, 'MSH|', '^~\\&', '\x1c', '\r']).frames, ['MSH|^~\\&']);
    const pending = decodeAll([`${VT}abc`]);
    assert.deepEqual([pending.frames, pending.buffered], [[], 3]);
  });

  test('a lone 0x1C is data; only the pair 0x1C 0x0D ends a frame', () => {
    assert.deepEqual(decodeAll([`${VT}a\x1cb\x1c`, `\x1c${END}`]).frames, ['a\x1cb\x1c\x1c']);
  });

  test('garbage outside frames is discarded and reported', () => {
    const r = decodeAll([`noise${VT}a${END}\r\n`, `${VT}b${END}`]);
    assert.deepEqual(r.frames, ['a', 'b']);
    assert.deepEqual(r.discards, [
      { reason: 'garbage', bytes: 5 },
      { reason: 'garbage', bytes: 2 },
    ]);
  });

  test('a start byte inside an unfinished frame restarts it; the partial frame is reported', () => {
    const r = decodeAll([`${VT}partial`, `${VT}whole${END}`]);
    assert.deepEqual(r.frames, ['whole']);
    assert.deepEqual(r.discards, [{ reason: 'restart', bytes: 7 }]);
  });

  test('frames over the size limit are dropped to their end and reported; the next frame is fine', () => {
    const r = decodeAll([`${VT}12345${END}${VT}123456`, `789${END}${VT}1234\x1c`, `\r`], { maxFrameBytes: 5 });
    assert.deepEqual(r.frames, ['12345', '1234']);
    assert.deepEqual(r.discards, [{ reason: 'oversize', bytes: 11 }]);
    assert.equal(r.buffered, 0);
  });

  test('any chunking of framed messages yields the same frames', () => {
    // Any payload MLLP can carry: no start byte, and no 0x1C 0x0D pair (a lone 0x1C is fine).
    const payload = fc
      .uint8Array({ maxLength: 60 })
      .map((b) => b.filter((x, i) => x !== 0x0b && !(x === 0x0d && b[i - 1] === 0x1c)))
      .filter((b) => b.every((x, i) => !(x === 0x0d && b[i - 1] === 0x1c)));
    fc.assert(
      fc.property(fc.array(payload, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (payloads, cuts) => {
        const stream = Buffer.concat(payloads.map((p) => frameMessage(p)));
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points, stream.length].slice(1).map((end, i, all) => stream.subarray(i === 0 ? 0 : all[i - 1], end));
        const decoder = new MllpDecoder({ onDiscard: (d) => assert.fail(`unexpected discard ${JSON.stringify(d)}`) });
        const frames = chunks.flatMap((c) => decoder.push(c));
        assert.deepEqual(frames.map((f) => [...f]), payloads.map((p) => [...p]));
      }),
      { numRuns: 500 },
    );
  });

  test('arbitrary byte streams never throw and never buffer more than the limit', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 10 }), (chunks) => {
        const decoder = new MllpDecoder({ maxFrameBytes: 16 });
        for (const c of chunks) {
          for (const f of decoder.push(c)) assert.ok(f.length <= 16);
          assert.ok(decoder.buffered <= 17);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
