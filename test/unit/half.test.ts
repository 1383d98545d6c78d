/** float16 ⇄ float32 (engine/data/half.ts) against values known by construction. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { halfToFloat, floatToHalf } from '../../extension/engine/data/half';

test('known half bit patterns', () => {
  const cases: [number, number][] = [
    [0x0000, 0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x7bff, 65504],
    [0x0001, 2 ** -24],
    [0x0400, 2 ** -14],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ];
  for (const [bits, v] of cases) {
    assert.equal(halfToFloat(Uint16Array.of(bits))[0], v, bits.toString(16));
    assert.equal(floatToHalf(Float32Array.of(v))[0], bits, String(v));
  }
  assert.ok(Number.isNaN(halfToFloat(Uint16Array.of(0x7e00))[0]));
  assert.ok(Number.isNaN(halfToFloat(floatToHalf(Float32Array.of(NaN)))[0]));
});

test('every half value round-trips exactly; float32 rounds to the nearest half (ties to even)', () => {
  const all = Uint16Array.from({ length: 65536 }, (_, i) => i).filter((h) => (h & 0x7c00) !== 0x7c00 || (h & 0x3ff) === 0);
  assert.deepEqual(floatToHalf(halfToFloat(all)), all);
  // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: to even (1); 1 + 3·2^-11: to even (1 + 2^-9)
  assert.equal(halfToFloat(floatToHalf(Float32Array.of(1 + 2 ** -11)))[0], 1);
  assert.equal(halfToFloat(floatToHalf(Float32Array.of(1 + 3 * 2 ** -11)))[0], 1 + 2 ** -9);
  assert.equal(halfToFloat(floatToHalf(Float32Array.of(70000)))[0], Infinity);
  assert.equal(halfToFloat(floatToHalf(Float32Array.of(2 ** -26)))[0], 0);
});
