/**
 * The one-pass joint histogram of iqr mode (stats/iqr-hist.ts): its tables at the levels it chooses are
 * exact (brute force over every upsampled pixel), its levels lie within one bin above the exact quantiles
 * (0 exactly when the quantile is 0), and its counts do not depend on sample order, on how units are split, or on a
 * checkpoint round trip — also when the largest magnitude grows mid-run and bins merge.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { IqrHistogram, mantissaBits, POS_MANTISSA_BITS } from '../../extension/engine/stats/iqr-hist';
import { Upsampler } from '../../extension/engine/data/upsample';
import { Xoshiro128 } from '../../extension/engine/data/rng';
import { candidateFractions } from '../../extension/engine/stats/iqr-select';

const U = 5;
const h = 4;
const H = 16;
const K = 6;
const G = 2;
const categoryOf = Int32Array.from([-1, 0, 0, 0, 1, 1]);
const N_SAMPLES = 24;

interface Sample {
  fm: Float32Array;
  maps: Uint16Array[];
  present: Uint8Array;
}

/** Unit 0 post-ReLU, 1 LeakyReLU-like, 2 tiny values, 3 quantised, 4 growing scale (floors rise mid-run). */
function samples(): Sample[] {
  const rng = new Xoshiro128(11);
  const out: Sample[] = [];
  for (let s = 0; s < N_SAMPLES; s++) {
    const fm = new Float32Array(U * h * h);
    for (let p = 0; p < h * h; p++) {
      const g = () => (rng.uniform() + rng.uniform() + rng.uniform() - 1.5) * 2;
      fm[0 * h * h + p] = Math.max(0, g());
      const v = g();
      fm[1 * h * h + p] = v > 0 ? v : 0.2 * v;
      fm[2 * h * h + p] = g() * 1e-6;
      fm[3 * h * h + p] = Math.round(g() * 4) / 4;
      fm[4 * h * h + p] = Math.max(0, g()) * 2 ** (s - 8) * 3;
    }
    const maps = [0, 1].map(() => {
      const m = new Uint16Array(H * H);
      for (let p = 0; p < H * H; p++) m[p] = Math.floor(rng.uniform() * (s % 3 === 0 ? 4 : K));
      return m;
    });
    const present = new Uint8Array(G);
    for (const m of maps) for (const l of m) if (categoryOf[l] >= 0) present[categoryOf[l]] = 1;
    out.push({ fm, maps, present });
  }
  return out;
}

function filled(order: number[], units: [number, number] = [0, U]): IqrHistogram {
  const set = samples();
  const t = new IqrHistogram(units[1] - units[0], K, G, new Upsampler(h, h, H, H), { layerUnits: U });
  for (const s of order) t.addSample(set[s].fm, units[0] * h * h, { maps: set[s].maps, categoryPresent: set[s].present });
  return t;
}

const inOrder = Array.from({ length: N_SAMPLES }, (_, i) => i);

test('the tables at the chosen levels are exact, and each level lies within a bin above the exact quantile', () => {
  const set = samples();
  const up = new Upsampler(h, h, H, H);
  const t = filled(inOrder);
  const M = 100;
  const qs = candidateFractions(M)
    .map((f) => 1 - f)
    .reverse();
  for (let u = 0; u < U; u++) {
    // every upsampled value of unit u, with its labels
    const vals: number[] = [];
    const labelsOf: number[][] = [];
    const missingOf: number[][] = [];
    const out = new Float32Array(H * H);
    for (const s of set) {
      up.run(s.fm, u * h * h, out);
      for (let p = 0; p < H * H; p++) {
        vals.push(out[p]);
        labelsOf.push(s.maps.map((m) => m[p]));
        missingOf.push([0, 1].filter((g) => !s.present[g]));
      }
    }
    const n = t.unitCounts(u, categoryOf, M);
    assert.equal(n.N, vals.length);
    const sorted = Float64Array.from(vals).sort();
    for (let j = 0; j < M; j++) {
      const L = n.levels[j];
      const exact = sorted[Math.max(1, Math.ceil(qs[j] * vals.length - 1e-9)) - 1];
      assert.ok(L >= exact, `unit ${u} level ${j}: ${L} ≥ exact quantile ${exact}`);
      // the same bin: 0 alone, a positive level within 2^-m of its value
      if (exact === 0) assert.equal(L, 0, `unit ${u} level ${j}: exactly 0`);
      // (below the floor, 2^(F−127) with F = the largest exponent − E, bins are linear: 2^(F−127−m) wide)
      const linear = 2 ** (t.fpos[u] - 127 - POS_MANTISSA_BITS);
      if (exact > 0) assert.ok(L <= exact * (1 + 2 ** -POS_MANTISSA_BITS) + linear, `unit ${u} level ${j}: ${L} within a bin of ${exact}`);
      if (exact < 0) assert.ok(L < 0, `unit ${u} level ${j}: ${L} negative as ${exact}`);
      let on = 0;
      const inter = new Float64Array(K);
      const miss = new Float64Array(G);
      vals.forEach((a, p) => {
        if (!(a > L)) return;
        on++;
        for (const l of labelsOf[p]) inter[l]++;
        for (const g of missingOf[p]) miss[g]++;
      });
      assert.equal(n.onAbove[j], on, `unit ${u} level ${j}: on`);
      for (let c = 0; c < K; c++) assert.equal(n.interAbove[j * K + c], inter[c], `unit ${u} level ${j} label ${c}`);
      for (let g = 0; g < G; g++) assert.equal(n.missAbove[j * G + g], miss[g], `unit ${u} level ${j} category ${g}`);
    }
    if (u === 0) assert.equal(n.levels[0], 0, 'a post-ReLU unit: its lowest level is exactly 0');
  }
});

test('the counts do not depend on sample order, on splitting the units, or on a checkpoint round trip', () => {
  const a = filled(inOrder);
  const b = filled([...inOrder].reverse());
  const shuffled = [...inOrder].sort((x, y) => ((x * 7) % 11) - ((y * 7) % 11));
  const c = filled(shuffled);
  for (const [k, arr] of Object.entries(a.arrays())) {
    assert.deepEqual(b.arrays()[k], arr, `reverse order: ${k}`);
    assert.deepEqual(c.arrays()[k], arr, `shuffled: ${k}`);
  }
  // units [0, 2) and [2, 5) on two tallies: their rows are the whole tally's
  const lo = filled(inOrder, [0, 2]);
  const hi = filled(inOrder, [2, U]);
  for (const k of ['hist', 'binMax', 'fpos', 'fneg', 'missOn']) {
    const whole = a.arrays()[k];
    const per = whole.length / U;
    assert.deepEqual(Array.from(lo.arrays()[k]), Array.from(whole.subarray(0, 2 * per)), `${k} rows 0–1`);
    assert.deepEqual(Array.from(hi.arrays()[k]), Array.from(whole.subarray(2 * per)), `${k} rows 2–4`);
  }
  // a checkpoint after half the samples, then the rest: the same
  const half = filled(inOrder.slice(0, 12));
  const resumed = new IqrHistogram(U, K, G, new Upsampler(h, h, H, H));
  resumed.load(half.arrays() as Record<string, Float64Array>);
  const set = samples();
  for (const s of inOrder.slice(12)) resumed.addSample(set[s].fm, 0, { maps: set[s].maps, categoryPresent: set[s].present });
  for (const [k, arr] of Object.entries(a.arrays())) assert.deepEqual(resumed.arrays()[k], arr, `resumed: ${k}`);
  // the floors did rise mid-run for the growing unit (its bins merged)
  assert.ok(filled(inOrder.slice(0, 4)).fpos[4] < a.fpos[4]);
});

test('the bins per octave drop only for layers whose histogram would pass the budget', () => {
  assert.equal(mantissaBits(512, 13, 2), POS_MANTISSA_BITS);
  assert.ok(mantissaBits(512, 336, 4) < POS_MANTISSA_BITS);
  assert.ok(mantissaBits(512, 336, 4) >= 4);
});
