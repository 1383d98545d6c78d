import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { QuantileSketch } from '../../extension/engine/stats/quantile';
import { iqr, iou } from '../../extension/engine/stats/info';
import { IouTally } from '../../extension/engine/stats/iou-tally';
import { IqrTally } from '../../extension/engine/stats/iqr-tally';
import { candidateFractions } from '../../extension/engine/stats/iqr-select';
import { TopK } from '../../extension/engine/stats/topk';
import { sortFloat32 } from '../../extension/engine/stats/radix-sort';
import { BucketIndex } from '../../extension/engine/stats/bucket-index';
import { firstNonFinite } from '../../extension/engine/data/image';
import { crc32, decodePng, encodePng, encodePngFast } from '../../extension/shared/png';
import { Upsampler } from '../../extension/engine/data/upsample';
import { Xoshiro128 } from '../../extension/engine/data/rng';
import { GraphBuilder } from '../../extension/engine/models/onnx/builder';
import { createSession, runSession, floatTensor } from '../../extension/engine/models/onnx/session';

function randn(rng: Xoshiro128): number {
  return Math.sqrt(-2 * Math.log(rng.uniform())) * Math.cos(2 * Math.PI * rng.uniform());
}

/** The convention: the value of rank ⌈q·n⌉ (1-based) in ascending order. */
function bruteQuantile(values: number[], q: number): number {
  const s = Float32Array.from(values).sort();
  return s[Math.max(1, Math.ceil(q * s.length - 1e-9)) - 1];
}

test('quantile sketch is exact while it holds every value', () => {
  const rng = new Xoshiro128(3);
  const values = Array.from({ length: 1500 }, () => randn(rng));
  const s = new QuantileSketch(2048);
  values.forEach((v) => s.add(v));
  const qs = [0, 0.01, 0.5, 0.9, 0.99, 0.999, 1];
  const got = s.quantiles(qs);
  qs.forEach((q, i) => assert.equal(got[i], bruteQuantile(values, q), `q=${q}`));
});

test('quantile sketch keeps rank error small on 200k values in bounded memory', () => {
  const rng = new Xoshiro128(5);
  const values = Array.from({ length: 200_000 }, () => randn(rng) * 3 + (rng.uniform() < 0.3 ? 5 : 0));
  const s = new QuantileSketch(2048);
  values.forEach((v) => s.add(v));
  const sorted = Float32Array.from(values).sort();
  for (const q of [0.01, 0.25, 0.5, 0.9, 0.99, 0.995, 0.999]) {
    const v = s.quantiles([q])[0];
    // rank of v in the true data
    let lo = 0,
      hi = sorted.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (sorted[m] <= v) lo = m + 1;
      else hi = m;
    }
    const rankErr = Math.abs(lo / sorted.length - q);
    assert.ok(rankErr < 0.002, `q=${q}: rank error ${rankErr}`);
  }
  const items = s.pack().items.length;
  assert.ok(items < 2048 * 8, `sketch holds ${items} items`);
});

test('quantile sketch on ReLU-like values (60% exact zeros): quantiles inside the zeros are exactly 0, the rest within 0.002 in rank', () => {
  const rng = new Xoshiro128(7);
  const values = Float32Array.from({ length: 300_000 }, () => (rng.uniform() < 0.6 ? 0 : Math.abs(randn(rng)) * 2));
  const s = new QuantileSketch(2048);
  for (let o = 0; o < values.length; o += 4096) s.addMany(values, o, Math.min(4096, values.length - o));
  assert.equal(s.zeros, values.filter((v) => v === 0).length);
  const sorted = Float32Array.from(values).sort();
  for (const q of [0.1, 0.5, 0.599, 0.601, 0.7, 0.9, 0.99, 0.999]) {
    const v = s.quantiles([q])[0];
    if (q < 0.6 - 0.002) assert.equal(v, 0, `q=${q}`);
    let lo = 0,
      hi = sorted.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (sorted[m] <= v) lo = m + 1;
      else hi = m;
    }
    assert.ok(lo / sorted.length >= q - 0.002 && (v === 0 || Math.abs(lo / sorted.length - q) < 0.002), `q=${q}: rank ${lo / sorted.length}`);
  }
});

test('quantile sketch result does not depend on how values are batched, and survives pack/unpack', () => {
  const rng = new Xoshiro128(9);
  const values = Array.from({ length: 30_000 }, () => randn(rng));
  const a = new QuantileSketch(256);
  values.forEach((v) => a.add(v));
  const b = new QuantileSketch(256);
  values.slice(0, 12_345).forEach((v) => b.add(v));
  const p = b.pack();
  const c = QuantileSketch.unpack(256, p.meta, p.items);
  values.slice(12_345).forEach((v) => c.add(v));
  const qs = candidateFractions(100).map((f) => 1 - f);
  assert.deepEqual(Array.from(c.quantiles(qs)), Array.from(a.quantiles(qs)));
});

function entropy(ps: number[]): number {
  return ps.filter((p) => p > 0).reduce((a, p) => a - p * Math.log(p), 0);
}

test('IQR is I(X;Y)/H(X,Y) of the 2×2 table (paper Eq. 2)', () => {
  // brute force from the joint distribution
  const cases = [
    [30, 50, 40, 1000],
    [10, 10, 10, 100],
    [0, 20, 30, 500],
    [25, 25, 80, 80],
  ];
  for (const [both, on, area, N] of cases) {
    const joint = [both, on - both, area - both, N - on - area + both].map((x) => x / N);
    const hx = entropy([on / N, 1 - on / N]);
    const hy = entropy([area / N, 1 - area / N]);
    const hxy = entropy(joint);
    const expected = hxy > 0 ? (hx + hy - hxy) / hxy : 0;
    assert.ok(Math.abs(iqr(both, on, area, N) - expected) < 1e-12, `${[both, on, area, N]}`);
  }
  assert.ok(Math.abs(iqr(20, 20, 20, 100) - 1) < 1e-12, 'a unit that is the concept has IQR 1');
  assert.ok(iqr(1, 10, 10, 100) < iqr(2, 10, 10, 100));
  assert.equal(iou(5, 10, 10), 5 / 15);
});

/** Random small data: a layer of `C` units h×w, label maps H×W over K labels with two categories. */
function randomData(seed: number, n: number, C: number, h: number, w: number, H: number, W: number, K: number) {
  const rng = new Xoshiro128(seed);
  const fms: Float32Array[] = [];
  const maps: Uint16Array[][] = [];
  for (let s = 0; s < n; s++) {
    fms.push(Float32Array.from({ length: C * h * w }, () => randn(rng)));
    // blocky labels with some images missing some labels
    const m1 = new Uint16Array(H * W);
    const m2 = new Uint16Array(H * W);
    const present = Array.from({ length: K }, () => rng.uniform() < 0.7);
    for (let p = 0; p < H * W; p++) {
      const l = 1 + Math.floor(rng.uniform() * (K - 2)); // map 1: labels 1…K−2; map 2: label K−1 (outputs never share labels)
      m1[p] = present[l] ? l : 0;
      m2[p] = rng.uniform() < 0.3 ? K - 1 : 0;
    }
    maps.push([m1, m2]);
  }
  return { fms, maps };
}

/** I(X;Y)/H(X,Y) of a 2×2 table of counts, from the definitions (entropies of the joint and the marginals). */
function tableIqrByDefinition(n11: number, n10: number, n01: number, n00: number): number {
  const N = n11 + n10 + n01 + n00;
  const H = (ps: number[]) => -ps.filter((p) => p > 0).reduce((a, p) => a + p * Math.log(p), 0);
  const hxy = H([n11 / N, n10 / N, n01 / N, n00 / N]);
  if (hxy === 0) return 0;
  const mi = H([(n11 + n10) / N, (n01 + n00) / N]) + H([(n11 + n01) / N, (n10 + n00) / N]) - hxy;
  return mi / hxy;
}

test("IoU tally matches a brute-force IoU with the category-restricted union, and the reference's IQR over the images holding the category", () => {
  const [n, C, h, w, H, W, K] = [12, 5, 3, 4, 9, 11, 6];
  const categoryOf = Int32Array.from([-1, 0, 0, 1, 1, 1]);
  const { fms, maps } = randomData(11, n, C, h, w, H, W, K);
  const thresholds = Float32Array.from([0.5, 1, 0, -0.2, 1.5]);
  const up = new Upsampler(h, w, H, W);
  const tally = new IouTally(C, K, 2, thresholds, up, 4, { samples: n, count: 3 });
  const categoryPresent = (m: Uint16Array[]) => {
    const p = new Uint8Array(2);
    for (const mm of m) for (const l of mm) if (categoryOf[l] >= 0) p[categoryOf[l]] = 1;
    return p;
  };
  fms.forEach((fm, s) => tally.addSample(s, fm, 0, { maps: maps[s], categoryPresent: categoryPresent(maps[s]) }));
  // brute force, straight from the definition
  const act = new Float32Array(H * W);
  for (let u = 0; u < C; u++) {
    for (let c = 1; c < K; c++) {
      // and the same over the samples of block 1 alone (4…7) and without them
      const count = (inBlock: (s: number) => boolean) => {
        let inter = 0,
          union = 0,
          onInCat = 0,
          area = 0,
          total = 0;
        fms.forEach((fm, s) => {
          if (!inBlock(s)) return;
          up.run(fm, u * h * w, act);
          const hasCat = maps[s].some((m) => m.some((l) => categoryOf[l] === categoryOf[c]));
          if (hasCat) total += H * W;
          for (let p = 0; p < H * W; p++) {
            const isOn = act[p] > thresholds[u];
            const isC = maps[s].some((m) => m[p] === c);
            if (isOn && isC) inter++;
            if (isC || (isOn && hasCat)) union++;
            if (isOn && hasCat) onInCat++;
            if (isC) area++;
          }
        });
        return { iou: union ? inter / union : 0, iqr: tableIqrByDefinition(inter, onInCat - inter, area - inter, total - union) };
      };
      const all = count(() => true);
      assert.ok(Math.abs(tally.iou(u, c, categoryOf) - all.iou) < 1e-12, `u${u} c${c}: ${tally.iou(u, c, categoryOf)} vs ${all.iou}`);
      assert.ok(Math.abs(tally.iqr(u, c, categoryOf) - all.iqr) < 1e-12, `u${u} c${c} iqr: ${tally.iqr(u, c, categoryOf)} vs ${all.iqr}`);
      const only1 = count((s) => s >= 4 && s < 8);
      const without1 = count((s) => s < 4 || s >= 8);
      assert.ok(Math.abs(tally.iou(u, c, categoryOf, { only: 1 }) - only1.iou) < 1e-12, `u${u} c${c} block 1`);
      assert.ok(Math.abs(tally.iqr(u, c, categoryOf, { only: 1 }) - only1.iqr) < 1e-12, `u${u} c${c} block 1 iqr`);
      assert.ok(Math.abs(tally.iou(u, c, categoryOf, { without: 1 }) - without1.iou) < 1e-12, `u${u} c${c} without block 1`);
    }
  }
  // top-k by spatial max, ties to the lower sample
  for (let u = 0; u < C; u++) {
    const expected = fms
      .map((fm, s) => ({ s, m: Math.max(...fm.subarray(u * h * w, (u + 1) * h * w)) }))
      .sort((a, b) => b.m - a.m || a.s - b.s)
      .slice(0, 4);
    assert.deepEqual(
      tally.top.entries(u).map((e) => e.sample),
      expected.map((e) => e.s),
    );
  }
});

test('IoU tallies of two halves merge exactly into the whole', () => {
  const [n, C, h, w, H, W, K] = [10, 3, 2, 2, 6, 6, 4];
  const categoryOf = Int32Array.from([-1, 0, 0, 1]);
  const { fms, maps } = randomData(13, n, C, h, w, H, W, K);
  const thr = Float32Array.from([0, 0.3, -0.5]);
  const mk = () => new IouTally(C, K, 2, thr, new Upsampler(h, w, H, W), 3, { samples: n, count: 4 });
  const cp = new Uint8Array([1, 1]);
  const whole = mk();
  const a = mk();
  const b = mk();
  fms.forEach((fm, s) => {
    whole.addSample(s, fm, 0, { maps: maps[s], categoryPresent: cp });
    (s < 4 ? a : b).addSample(s, fm, 0, { maps: maps[s], categoryPresent: cp });
  });
  b.merge(a);
  assert.deepEqual(Array.from(b.inter), Array.from(whole.inter));
  assert.deepEqual(Array.from(b.onInCategory), Array.from(whole.onInCategory));
  assert.deepEqual(Array.from(b.blockSamples), [3, 2, 3, 2]);
  assert.deepEqual(Array.from(b.top.samples), Array.from(whole.top.samples));
  for (let u = 0; u < C; u++) for (let c = 1; c < K; c++) assert.equal(b.iou(u, c, categoryOf), whole.iou(u, c, categoryOf));
});

test("candidate fractions are the reference's 100 log-spaced levels from 1e-3 to 1", () => {
  const f = candidateFractions(100);
  assert.equal(f.length, 100);
  assert.ok(Math.abs(f[0] - 1e-3) < 1e-15);
  assert.ok(Math.abs(f[99] - 1) < 1e-12);
  assert.ok(Math.abs(f[1] / f[0] - f[99] / f[98]) < 1e-9);
});

test('top-k keeps the k largest, ties to the smaller sample, and merges exactly', () => {
  const t = new TopK(1, 3);
  [
    [5, 0],
    [7, 1],
    [5, 2],
    [9, 3],
    [7, 4],
    [1, 5],
  ].forEach(([v, s]) => t.add(0, v, s));
  assert.deepEqual(t.entries(0), [
    { sample: 3, score: 9 },
    { sample: 1, score: 7 },
    { sample: 4, score: 7 },
  ]);
});

test('bilinear upsampling equals ONNX Runtime Resize (linear, half_pixel)', async () => {
  const [h, w, H, W] = [3, 5, 13, 8];
  const b = new GraphBuilder();
  b.input('x', [1, 1, h, w]);
  const roi = b.floats('roi', [], [0]);
  const scales = b.floats('scales', [], [0]);
  const sizes = b.ints('sizes', [1, 1, H, W]);
  b.node('Resize', ['x', roi, scales, sizes], { out: 'y', attrs: { mode: 'linear', coordinate_transformation_mode: 'half_pixel' } });
  b.output('y', [1, 1, H, W]);
  const s = await createSession(b.build(), 'resize', { provider: 'cpu' });
  const rng = new Xoshiro128(1);
  const x = Float32Array.from({ length: h * w }, () => randn(rng));
  const ref = (await runSession(s, { x: floatTensor(x, [1, 1, h, w]) }, ['y'], 'resize')).y.data as Float32Array;
  const got = new Upsampler(h, w, H, W).run(x, 0, new Float32Array(H * W));
  for (let i = 0; i < H * W; i++) assert.ok(Math.abs(got[i] - ref[i]) < 1e-5, `pixel ${i}: ${got[i]} vs ${ref[i]}`);
});

test('quantile sketch: addMany is the same as adding one by one', () => {
  const rng = new Xoshiro128(21);
  const values = Float32Array.from({ length: 50_000 }, () => randn(rng));
  const a = new QuantileSketch(512);
  values.forEach((v) => a.add(v));
  const b = new QuantileSketch(512);
  for (let o = 0; o < values.length; o += 777) b.addMany(values, o, Math.min(777, values.length - o));
  assert.equal(b.count, a.count);
  assert.deepEqual(b.pack(), a.pack());
});

test('cell shortcuts (data/cells.ts) give exactly the per-pixel counts: IoU and IQR tallies vs brute force', () => {
  // Geometries: integer factors like a DCGAN's (4→64, 8→64), odd ones, identity; featuremaps with ReLU
  // zeros, flat blocks and few distinct values, so corners often agree and values often equal a level.
  const geometries: [number, number, number, number][] = [
    [4, 4, 64, 64],
    [8, 8, 64, 64],
    [3, 4, 9, 11],
    [5, 5, 5, 5],
    [2, 3, 7, 5],
    [16, 16, 32, 32],
  ];
  const rng = new Xoshiro128(23);
  const K = 5;
  const passes = { cells: 0, dense: 0 };
  for (const [h, w, H, W] of geometries) {
    const C = 4;
    const n = 3;
    const fms: Float32Array[] = [];
    const maps: Uint16Array[][] = [];
    for (let s = 0; s < n; s++) {
      const fm = new Float32Array(C * h * w);
      for (let u = 0; u < C; u++) {
        for (let i = 0; i < h * w; i++) {
          const blocky = u % 2 === 0 ? Math.floor(i / 3) : i; // even units: runs of equal values
          fm[u * h * w + i] = Math.max(0, Math.round(randn(new Xoshiro128(seed(s, u, blocky))) * 4) / 4);
        }
      }
      fms.push(fm);
      const m1 = new Uint16Array(H * W);
      const m2 = new Uint16Array(H * W);
      for (let p = 0; p < H * W; p++) {
        const y = Math.floor(p / W);
        m1[p] = 1 + ((Math.floor(y / 5) + Math.floor((p % W) / 7) + s) % 3);
        m2[p] = rng.uniform() < 0.2 ? 4 : 0;
      }
      maps.push([m1, m2]);
    }
    const up = new Upsampler(h, w, H, W);
    const levels = new Float32Array(C * 6);
    for (let u = 0; u < C; u++) levels.set([0, 0.25, 0.5, 0.75, 1, 1.5], u * 6);
    const thresholds = Float32Array.from([0, 0.5, 0.75, 1]);
    const iqrTally = new IqrTally(C, K, 2, levels, up);
    const iouTally = new IouTally(C, K, 1, thresholds, up, 2);
    // category 0 in every image, category 1 only in sample 1 (the IQR tally counts "on" in the others)
    const iqrPresent = (s: number) => Uint8Array.from([1, s === 1 ? 1 : 0]);
    const cp = new Uint8Array([1]);
    fms.forEach((fm, s) => {
      iqrTally.addSample(fm, 0, { maps: maps[s], categoryPresent: iqrPresent(s) });
      iouTally.addSample(s, fm, 0, { maps: maps[s], categoryPresent: cp });
    });
    const hist = new Float64Array(C * 7 * K);
    const missOn = new Float64Array(C * 2 * 7);

    const inter = new Float64Array(C * K);
    const on = new Float64Array(C);
    const act = new Float32Array(H * W);
    fms.forEach((fm, s) => {
      for (let u = 0; u < C; u++) {
        up.run(fm, u * h * w, act);
        for (let p = 0; p < H * W; p++) {
          let b = 0;
          while (b < 6 && levels[u * 6 + b] < act[p]) b++;

          for (const m of maps[s]) hist[(u * 7 + b) * K + m[p]]++;
          if (s !== 1) missOn[(u * 2 + 1) * 7 + b]++;
          if (act[p] > thresholds[u]) {
            on[u]++;
            for (const m of maps[s]) inter[u * K + m[p]]++;
          }
        }
      }
    });
    const g = `${h}×${w} → ${H}×${W}`;
    assert.deepEqual(Array.from(iqrTally.hist), Array.from(hist), `IQR (bucket, label) counts, ${g}`);
    assert.deepEqual(Array.from(iqrTally.missOn), Array.from(missOn), `IQR bucket counts of the images without a category, ${g}`);
    assert.deepEqual(Array.from(iqrTally.missPixels), [0, (n - 1) * H * W]);
    passes.cells += iqrTally.passes.cells;
    passes.dense += iqrTally.passes.dense;
    assert.deepEqual(Array.from(iouTally.onInCategory), Array.from(on), `on counts, ${g}`);
    assert.deepEqual(Array.from(iouTally.inter), Array.from(inter), `intersections, ${g}`);
  }
  // both ways through the IQR tally were taken: cell by cell (smooth maps, big cells) and dense (rough
  // maps in small cells)
  assert.ok(passes.cells > 0 && passes.dense > 0, `IQR passes: ${JSON.stringify(passes)}`);
  function seed(s: number, u: number, i: number): number {
    return 1 + s * 100003 + u * 1009 + i;
  }
});

test('radix sort of float32 gives the order of Float32Array.prototype.sort (−0 before +0, ±Infinity)', () => {
  const rng = new Xoshiro128(31);
  for (const n of [0, 1, 63, 64, 65, 2048, 5000]) {
    const a = Float32Array.from({ length: n }, (_, i) => {
      const r = rng.uniform();
      if (r < 0.1) return 0;
      if (r < 0.15) return -0;
      if (r < 0.17) return i % 2 ? Infinity : -Infinity;
      if (r < 0.3) return Math.round(randn(rng) * 2) / 2; // duplicates
      return randn(rng) * 10 ** Math.floor(randn(rng) * 3);
    });
    const expected = Float32Array.from(a).sort();
    const got = sortFloat32(Float32Array.from(a));
    assert.ok(
      expected.every((v, i) => Object.is(v, got[i])),
      `n = ${n}`,
    );
  }
  // a prefix only
  const b = Float32Array.from({ length: 100 }, (_, i) => 100 - i);
  sortFloat32(b, 80);
  assert.deepEqual(
    Array.from(b.subarray(0, 80)),
    Array.from({ length: 80 }, (_, i) => 21 + i),
  );
  assert.deepEqual(Array.from(b.subarray(80)), [20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
});

test('bucket index: #levels below a value, for every value, equals counting (ties, flat and one-level units)', () => {
  const rng = new Xoshiro128(37);
  const M = 100;
  const units = 4;
  const levels = new Float32Array(units * M);
  for (let j = 0; j < M; j++) {
    levels[j] = j < 30 ? 0 : Math.round(((j - 30) / 70) * 1.2 * 64) / 64; // ReLU zeros and repeated levels
    levels[M + j] = -3 + 6 * (j / (M - 1)) ** 3;
    levels[2 * M + j] = 0.5; // all equal
    levels[3 * M + j] = Math.fround(1e-6 * j) + (j > 90 ? 1e6 : 0); // a huge gap at the top
  }
  const index = new BucketIndex(levels, units, M);
  for (let u = 0; u < units; u++) {
    const probes = [...levels.subarray(u * M, (u + 1) * M), -Infinity, Infinity, 0, -0];
    for (let i = 0; i < 2000; i++) probes.push(Math.fround(randn(rng) * (u === 3 ? 1e6 : 1)));
    for (const l of levels.subarray(u * M, (u + 1) * M)) probes.push(Math.fround(l * (1 + 1e-7)), Math.fround(l * (1 - 1e-7)));
    const filled = new Int32Array(probes.length + 3);
    index.fill(u, Float32Array.from(probes), 0, probes.length, filled, 3);
    probes.forEach((a, i) => {
      let expected = 0;
      for (let j = 0; j < M; j++) if (levels[u * M + j] < Math.fround(a)) expected++;
      assert.equal(index.bucket(u, Math.fround(a)), expected, `unit ${u}, a = ${a}`);
      assert.equal(filled[i + 3], expected, `fill: unit ${u}, a = ${a}`);
    });
  }
});

test('firstNonFinite finds the first NaN/±Infinity, and none among huge finite values', () => {
  const rng = new Xoshiro128(41);
  for (let trial = 0; trial < 50; trial++) {
    const n = 1 + Math.floor(rng.uniform() * 200);
    const a = Float32Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 3.4e38 : -3.4e38) * rng.uniform());
    const bad = [NaN, Infinity, -Infinity];
    const k = Math.floor(rng.uniform() * 3);
    for (let j = 0; j < k; j++) a[Math.floor(rng.uniform() * n)] = bad[Math.floor(rng.uniform() * 3)];
    assert.equal(
      firstNonFinite(a),
      a.findIndex((v) => !Number.isFinite(v)),
    );
  }
});

test('quantile sketch: quantiles are the weighted ranks of its items (naive weighted sort of pack())', () => {
  const rng = new Xoshiro128(43);
  const s = new QuantileSketch(64);
  for (let i = 0; i < 5000; i++) s.add(Math.max(0, randn(rng)));
  const { meta, items } = s.pack();
  const pairs: { v: number; w: number }[] = [];
  let o = 0;
  meta.sizes.forEach((size, l) => {
    for (let i = 0; i < size; i++) pairs.push({ v: items[o++], w: 2 ** l });
  });
  assert.ok(meta.zeros > 2000, 'zeros are counted, not stored');
  pairs.push({ v: 0, w: meta.zeros });
  pairs.sort((a, b) => a.v - b.v);
  const total = pairs.reduce((a, p) => a + p.w, 0);
  const qs = [0.9, 0, 0.5, 0.99, 1, 0.25, 0.5, 0.001];
  const got = s.quantiles(qs);
  qs.forEach((q, j) => {
    const rank = Math.max(1, Math.ceil(q * total - 1e-9));
    let cum = 0;
    let i = 0;
    for (; i < pairs.length - 1; i++) if ((cum += pairs[i].w) >= rank) break;
    assert.equal(got[j], Math.fround(pairs[i].v), `q = ${q}`);
  });
});

test('CRC-32 (sliced by 4) equals the bitwise definition on every length mod 4, and the check value of "123456789"', () => {
  const bitwise = (b: Uint8Array) => {
    let c = 0xffffffff;
    for (const x of b) {
      c ^= x;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    return (c ^ 0xffffffff) >>> 0;
  };
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  const rng = new Xoshiro128(47);
  for (let n = 0; n < 40; n++) {
    const b = Uint8Array.from({ length: n * 7 }, () => Math.floor(rng.uniform() * 256));
    assert.equal(crc32(b), bitwise(b));
  }
});

test('PNG: the strips’ fast encoding (Sub filter, run-length deflate) and the plain one decode to the same pixels', async () => {
  const rng = new Xoshiro128(53);
  for (const [w, h] of [
    [1, 1],
    [2, 3],
    [37, 11],
    [64, 64],
  ]) {
    const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i % 7 === 0 ? 255 : Math.floor(rng.uniform() * 256)));
    assert.deepEqual(decodePng(encodePngFast(rgb, w, h)), { width: w, height: h, rgb });
    assert.deepEqual(decodePng(encodePng(rgb, w, h)), { width: w, height: h, rgb });
  }
});
