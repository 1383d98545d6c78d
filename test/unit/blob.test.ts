/**
 * Run files of typed arrays (shared/run/blob.ts): what is written is read back bit for bit, and a file
 * that was truncated, appended to or damaged is refused with its name — never read as numbers.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { packBlob, unpackBlob, crc32, crc32Table } from '../../extension/shared/run/blob';
import { DissectError } from '../../extension/shared/errors';

const arrays = () => ({
  counts: Float64Array.from({ length: 37 }, (_, i) => i * 1.5 - 3),
  levels: Float32Array.from([0.25, -1, 3e-8]),
  index: Int32Array.from([7, -2, 0, 9]),
  flags: Uint8Array.from([1, 0, 255]),
});

function refused(buf: Buffer, what: RegExp): void {
  assert.throws(
    () => unpackBlob(buf, '/runs/x/stats/layer4.bin'),
    (e: unknown) => e instanceof DissectError && e.code === 'corrupt-file' && e.message.includes('/runs/x/stats/layer4.bin') && what.test(e.message),
  );
}

test('a blob reads back exactly what was written, meta included', () => {
  const a = arrays();
  const { meta, arrays: back } = unpackBlob(packBlob({ phase: 'iou', done: 12 }, a), 'f');
  assert.deepEqual(meta, { phase: 'iou', done: 12 });
  for (const [k, v] of Object.entries(a)) assert.deepEqual(back[k], v, k);
});

test('the CRC-32 is zlib’s (IEEE), with or without node:zlib’s own', () => {
  const data = Buffer.from('The quick brown fox jumps over the lazy dog');
  assert.equal(crc32(data), 0x414fa339); // the well-known CRC-32 of this sentence
  assert.equal(crc32Table(data), 0x414fa339);
  const big = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7919) & 0xff);
  const z = zlib as { crc32?: (d: Uint8Array) => number };
  if (z.crc32) assert.equal(crc32Table(big), z.crc32(big));
});

test('a truncated blob is refused, whatever the cut', () => {
  const buf = packBlob({ m: 1 }, arrays());
  for (const keep of [0.99, 0.6, 0.5, 0.2]) refused(buf.subarray(0, Math.floor(buf.length * keep)), /truncated|header|ends past/);
});

test('a blob with bytes appended is refused', () => {
  const buf = packBlob({ m: 1 }, arrays());
  refused(Buffer.concat([buf, Buffer.alloc(8)]), /appended/);
});

test('a flipped bit in the arrays is refused by the checksum', () => {
  const buf = Buffer.from(packBlob({ m: 1 }, arrays()));
  buf[buf.length - 5] ^= 0x10;
  refused(buf, /checksum/);
});

test('a damaged header is refused', () => {
  const buf = Buffer.from(packBlob({ m: 1 }, arrays()));
  buf[13] = 0x7b; // inside the JSON header
  buf[14] = 0x7b;
  refused(buf, /header/);
});

test('a file that is not a blob is named as such', () => {
  assert.throws(
    () => unpackBlob(Buffer.from('not a statistics file at all'), 'state.bin'),
    (e: unknown) => e instanceof DissectError && e.code === 'incompatible-out' && /state\.bin is not a statistics file/.test(e.message),
  );
});
