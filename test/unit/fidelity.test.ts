/**
 * Fidelity suite: a whole `iqr` dissection by the engine (ONNX models, statistics threads, sketches,
 * cell shortcuts) against a deliberately naive port of the reference's selection
 * (test/fixtures/reference-dissection.ts, after CSAILVision/gandissect netdissect/dissection.py), value by
 * value: thresholds, labels, IoU and IQR on the dissection set, and every (unit, label) pair's best
 * qualified level, IQR, IoU, top-fraction and agreement (Eq. 2's t_{u,c}).
 *
 * The featuremaps are the latents themselves (layer1 = relu(reshape(z))), multiples of 1/4, upsampled
 * ×2 (weights 1/4, 3/4): every upsampled value is exact in float32 and float64 alike, so the two sides
 * compare the same numbers. The label maps are written into the image's red/green channels as angles
 * and read back by a 1×1-conv segmenter (argmax of cos(θ_pixel − θ_k)), so both sides know them.
 * Thresholds use 16 samples × 64 pixels = 1024 values per unit: the quantile sketch (k = 2048) is exact.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../fixtures/models';
import { referenceDissect, type RefLabel, type RefSet } from '../fixtures/reference-dissection';
import { GraphBuilder } from '../../extension/engine/models/onnx/builder';
import { writeNpy } from '../../extension/engine/data/npy';
import { Xoshiro128 } from '../../extension/engine/data/rng';
import { dissect } from '../../extension/engine/dissect/dissect';
import { PAIR_FIELDS } from '../../extension/engine/dissect/results';
import type { PairField } from '../../extension/shared/run/schema';

const C = 6; // units
const h = 4;
const H = 8;
const LABELS: RefLabel[] = [
  { name: '-', category: '-' },
  { name: 'sky', category: 'object' },
  { name: 'grass', category: 'object' },
  { name: 'tree', category: 'object' },
  { name: 'roof', category: 'part' },
  { name: 'window', category: 'part' },
];
const K = LABELS.length;
const D = C * h * h + 3 * H * H;

function generator(): Uint8Array {
  const b = new GraphBuilder();
  b.input('z', [-1, D]);
  const fm = b.node('Slice', ['z', b.ints('a0', [0]), b.ints('a1', [C * h * h]), b.ints('ax', [1])], { name: '/layer1/Slice' });
  const r = b.node('Reshape', [fm, b.ints('s1', [-1, C, h, h])], { name: '/layer1/Reshape' });
  b.node('Relu', [r], { name: '/layer1/act/Relu' });
  const im = b.node('Slice', ['z', b.ints('b0', [C * h * h]), b.ints('b1', [D]), b.ints('bx', [1])], { name: '/image/Slice' });
  b.node('Reshape', [im, b.ints('s2', [-1, 3, H, H])], { name: '/image/Reshape', out: 'image' });
  b.output('image', [-1, 3, H, H]);
  return b.build();
}

const angle = (k: number) => (2 * Math.PI * k) / K;

function segmenter(): Uint8Array {
  const b = new GraphBuilder();
  b.input('image', [-1, 3, H, H]);
  const w = new Float32Array(K * 3);
  for (let k = 0; k < K; k++) [w[k * 3], w[k * 3 + 1]] = [100 * Math.cos(angle(k)), 100 * Math.sin(angle(k))];
  b.node('Conv', ['image', b.floats('w', w, [K, 3, 1, 1])], { name: '/head/Conv', out: 'logits' });
  b.output('logits', [-1, K, H, H]);
  return b.build();
}

/** Scenes: sky above a horizon, grass below, a tree blob, a roof and windows in some images only. */
function scene(rng: Xoshiro128): Uint16Array {
  const m = new Uint16Array(H * H);
  const horizon = 2 + Math.floor(rng.uniform() * 4);
  const house = rng.uniform() < 0.5;
  const tx = Math.floor(rng.uniform() * 6);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < H; x++) {
      let l = y < horizon ? 1 : 2;
      if (y >= horizon - 1 && y <= horizon && x >= tx && x < tx + 2) l = 3;
      if (house && x >= 5 && y === horizon - 1) l = 4;
      if (house && x >= 5 && y === horizon && rng.uniform() < 0.7) l = 5;
      if (rng.uniform() < 0.03) l = 0;
      m[y * H + x] = l;
    }
  }
  return m;
}

/** A 4×4 map, multiples of 1/4, from the scene: unit 0 sky, 1 not sky, 2 roof, 3 grass + noise, 4–5 noise. */
function featuremap(rng: Xoshiro128, labels: Uint16Array, u: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < h; x++) {
      const cell = [0, 1, H, H + 1].map((d) => labels[2 * y * H + 2 * x + d]);
      const frac = (l: number) => cell.filter((c) => c === l).length / 4;
      const noise = Math.round((rng.uniform() * 2 - 1) * 4) / 4;
      const v = [frac(1) * 2, 1 - frac(1), frac(4) * 3, frac(2) + noise / 2, noise, noise * 2][u];
      out.push(Math.round(v * 4) / 4 - (u >= 4 ? 0.5 : 0));
    }
  }
  return out;
}

function makeSet(seed: number, n: number): { z: Float32Array; set: RefSet } {
  const rng = new Xoshiro128(seed);
  const z = new Float32Array(n * D);
  const fms = new Float32Array(n * C * h * h);
  const maps: Uint16Array[][] = [];
  for (let s = 0; s < n; s++) {
    const labels = scene(rng);
    for (let u = 0; u < C; u++) {
      const f = featuremap(rng, labels, u);
      f.forEach((v, i) => {
        z[s * D + u * h * h + i] = v;
        fms[(s * C + u) * h * h + i] = Math.max(0, v);
      });
    }
    for (let p = 0; p < H * H; p++) {
      z[s * D + C * h * h + p] = 0.5 * Math.cos(angle(labels[p]));
      z[s * D + C * h * h + H * H + p] = 0.5 * Math.sin(angle(labels[p]));
    }
    maps.push([labels]);
  }
  return { z, set: { fms, maps } };
}

test('an iqr dissection by the engine equals the reference selection, value by value', async () => {
  const dir = tmpDir('gd-fidelity-');
  fs.writeFileSync(path.join(dir, 'g.onnx'), generator());
  fs.writeFileSync(path.join(dir, 's.onnx'), segmenter());
  fs.writeFileSync(path.join(dir, 'labels.json'), JSON.stringify(LABELS));
  const thr = makeSet(2, 16);
  const dis = makeSet(1, 24);
  writeNpy(path.join(dir, 'thr.npy'), thr.z, [16, D]);
  writeNpy(path.join(dir, 'dis.npy'), dis.z, [24, D]);
  const out = path.join(dir, 'run');
  const { result } = await dissect({
    generator: { path: path.join(dir, 'g.onnx') },
    segmenter: { path: path.join(dir, 's.onnx'), labels: path.join(dir, 'labels.json') },
    out,
    latents: path.join(dir, 'dis.npy'),
    thresholdLatents: path.join(dir, 'thr.npy'),
    threshold: 'iqr',
    batch: 5,
    workers: 2,
    provider: 'cpu',
    topk: 2,
  });
  const ref = referenceDissect({ units: C, h, w: h, H, W: H, labels: LABELS, threshold: thr.set, dissect: dis.set });
  const layer = result.layers[0];
  const read = (f: PairField) => {
    const raw = fs.readFileSync(path.join(out, layer.pairArrays![f].file));
    return new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  };
  const pairs = Object.fromEntries(PAIR_FIELDS.map((f) => [f, read(f)])) as Record<PairField, Float32Array>;
  const refPairs: Record<PairField, number[][]> = {
    iqr: ref.maxIqr,
    level: ref.maxIqrLevel,
    fraction: ref.maxIqrQuantile,
    iou: ref.maxIqrIou,
    agreement: ref.maxIqrAgreement,
  };
  const close = (a: number, b: number, what: string) =>
    assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${what}: engine ${a}, reference ${b}`);
  let qualified = 0;
  for (let u = 0; u < C; u++) {
    for (let c = 0; c < K; c++) {
      for (const f of PAIR_FIELDS) close(pairs[f][u * K + c], refPairs[f][c][u], `unit ${u} ${LABELS[c].name} ${f}`);
      if (ref.maxIqr[c][u] > 0) qualified++;
    }
    const unit = layer.units[u];
    assert.equal(unit.threshold, ref.threshold[u], `unit ${u} threshold`);
    const refLabel = LABELS[ref.bestLabel[u]];
    assert.equal(unit.label, refLabel.category === '-' ? '-' : refLabel.name, `unit ${u} label`);
    close(unit.iou, ref.unitIou[u], `unit ${u} IoU`);
    close(unit.iqr, ref.unitIqr[u], `unit ${u} IQR`);
    assert.equal(unit.interpretable, ref.interpretable[u], `unit ${u} interpretable`);
    const rl = ref.iqrLabel[u];
    assert.equal(unit.iqrLabel!.label, LABELS[rl.label].category === '-' ? '-' : LABELS[rl.label].name, `unit ${u} iqr_label`);
    close(unit.iqrLabel!.iou, rl.iou, `unit ${u} iqr_label IoU`);
  }
  // the data exercises the rules: qualified and unqualified pairs, interpretable and not, "not sky" not sky
  assert.ok(qualified > 5, `${qualified} qualified pairs`);
  assert.ok(layer.units.some((u) => u.interpretable) && layer.units.some((u) => !u.interpretable));
  assert.equal(layer.units[0].label, 'sky');
  assert.notEqual(layer.units[1].label, 'sky');
  assert.ok(ref.tc[1] < 24 * H * H, 'some images hold no part');
});

test('threshold selection at full resolution with two label maps equals the reference: the level, f = 1 and rare-label rules', async () => {
  const { UnitQuantiles } = await import('../../extension/engine/stats/quantile');
  const { IqrTally } = await import('../../extension/engine/stats/iqr-tally');
  const { IqrHistogram } = await import('../../extension/engine/stats/iqr-hist');
  const { candidateFractions } = await import('../../extension/engine/stats/iqr-select');
  const { CellGrid } = await import('../../extension/engine/data/cells');
  const { Upsampler } = await import('../../extension/engine/data/upsample');
  const { labelSpace } = await import('../../extension/engine/data/labels');
  // map 1: scenes as above plus "sun" in exactly one pixel of the whole set (coverage 1/1024 < 1e-3);
  // map 2: "ground" on 95% of the pixels (material), unlabeled elsewhere
  const labels: RefLabel[] = [...LABELS, { name: 'sun', category: 'object' }, { name: '-', category: '-' }, { name: 'ground', category: 'material' }];
  const [SUN, GROUND] = [6, 8];
  const n = 16;
  const S = 8;
  const U = 4;
  const rng = new Xoshiro128(5);
  const fms = new Float32Array(n * U * S * S);
  const maps: Uint16Array[][] = [];
  for (let s = 0; s < n; s++) {
    const m1 = scene(rng);
    if (s === 3) m1[10] = SUN;
    const m2 = new Uint16Array(S * S).map(() => (rng.uniform() < 0.95 ? GROUND : 7));
    maps.push([m1, m2]);
    for (let p = 0; p < S * S; p++) {
      const at = (u: number) => (s * U + u) * S * S + p;
      fms[at(0)] = m1[p] === 2 ? 1 : 0; // exactly grass: only level 0 makes it a detector (the level rule)
      fms[at(1)] = m1[p] === SUN ? 1 : 0; // exactly the rare sun
      fms[at(2)] = m2[p] === GROUND ? 2 : 1; // "a > minimum" is ground: only f = 1 selects it
      fms[at(3)] = Math.round(rng.uniform() * 8) / 4; // noise
    }
  }
  const ref = referenceDissect({ units: U, h: S, w: S, H: S, W: S, labels, threshold: { fms, maps }, dissect: { fms, maps } });
  // the engine's pieces, as the dissection runs them
  const space = labelSpace(labels);
  const up = new Upsampler(S, S, S, S);
  const grid = new CellGrid(up);
  const q = new UnitQuantiles(U);
  for (let s = 0; s < n; s++) q.addUpsampledSample(fms, s * U * S * S, grid, new Float32Array(S * S), new Int32Array(grid.count));
  const M = 100;
  const qs = candidateFractions(M)
    .map((f) => 1 - f)
    .reverse();
  const levels = new Float32Array(U * M);
  for (let u = 0; u < U; u++) levels.set(q.sketches[u].quantiles(qs), u * M);
  // the two-pass pieces (sketch levels, then counts at them) and the one-pass joint histogram the run uses
  const tally = new IqrTally(U, labels.length, space.categories.length, levels, up);
  const hist = new IqrHistogram(U, labels.length, space.categories.length, up);
  for (let s = 0; s < n; s++) {
    const present = new Uint8Array(space.categories.length);
    for (const m of maps[s]) for (const l of m) if (space.categoryOf[l] >= 0) present[space.categoryOf[l]] = 1;
    tally.addSample(fms, s * U * S * S, { maps: maps[s], categoryPresent: present });
    hist.addSample(fms, s * U * S * S, { maps: maps[s], categoryPresent: present });
  }
  for (const [name, selector] of [
    ['two-pass', tally],
    ['one-pass', hist],
  ] as const) {
    for (let u = 0; u < U; u++) {
      const sel = selector.select(u, space.categoryOf);
      assert.equal(sel.label, ref.bestLabel[u], `${name}: unit ${u} label`);
      assert.equal(sel.threshold, ref.threshold[u], `${name}: unit ${u} threshold`);
      for (let c = 0; c < labels.length; c++) {
        const p = sel.pairs[c];
        const what = `${name}: unit ${u} ${labels[c].name}`;
        assert.ok(Math.abs(p.iqr - ref.maxIqr[c][u]) < 1e-9, `${what} iqr ${p.iqr} vs ${ref.maxIqr[c][u]}`);
        assert.equal(p.level, ref.maxIqrLevel[c][u], `${what} level`);
        assert.ok(Math.abs(p.iou - ref.maxIqrIou[c][u]) < 1e-9, `${what} iou`);
      }
    }
  }
  // and the rules did decide: grass only at level 0, sun rare, ground only at f = 1 — none qualifies
  assert.notEqual(labels[ref.bestLabel[0]].name, 'grass');
  assert.notEqual(labels[ref.bestLabel[1]].name, 'sun');
  assert.notEqual(labels[ref.bestLabel[2]].name, 'ground');
  assert.ok(
    ref.iqrCurve[2][0].some((v) => v > 0.3),
    'grass at level 0 has a high IQR before the rules',
  );
  assert.ok(ref.iqrCurve[GROUND][2][M - 1] === 0 && ref.mi[GROUND][2][M - 1] === 0);
});
