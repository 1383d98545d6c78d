/**
 * Self-tests of the reference port (test/fixtures/reference-dissection.ts) on tiny hand-checkable
 * inputs. Each test is built so that it would fail if the rule it names were missing.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  RefInput,
  RefLabel,
  RefSet,
  defaultFracs,
  iqrTable,
  mutualInformation,
  referenceDissect,
  referenceUpsample,
} from '../fixtures/reference-dissection';

/** One sample: its featuremap (units × h × w, row-major) and its label maps (H·W each). */
interface Sample {
  fm: number[];
  maps: number[][];
}

function toSet(samples: Sample[]): RefSet {
  return {
    fms: Float32Array.from(samples.flatMap((s) => s.fm)),
    maps: samples.map((s) => s.maps.map((m) => Uint16Array.from(m))),
  };
}

/** Labels from [name, category] pairs. */
function labels(...pairs: [string, string][]): RefLabel[] {
  return pairs.map(([name, category]) => ({ name, category }));
}

/** An input without upsampling (h = H, w = W); the dissection set defaults to the threshold set. */
function input(o: { units: number; H: number; W: number; labels: RefLabel[]; threshold: Sample[]; dissect?: Sample[] }): RefInput {
  return {
    units: o.units,
    h: o.H,
    w: o.W,
    H: o.H,
    W: o.W,
    labels: o.labels,
    threshold: toSet(o.threshold),
    dissect: toSet(o.dissect ?? o.threshold),
  };
}

/** Per-unit values on a map: `on` where the map has label `c`, `off` elsewhere. */
function where(map: number[], c: number, on: number, off: number): number[] {
  return map.map((l) => (l === c ? on : off));
}

/** The first j of the largest value among the j's that pass `keep`. */
function argmaxWhere(values: number[], keep: (j: number) => boolean): number {
  let best = -1;
  for (let j = 0; j < values.length; j++) if (keep(j) && (best < 0 || values[j] > values[best])) best = j;
  return best;
}

const M = 100;
const F = defaultFracs();

/** MI / JE of [[¼, ¼], [0, ½]], by hand: rows ½, ½; columns ¼, ¾. */
const QUARTER_TABLE_IQR = (() => {
  const mi = 0.25 * Math.log(0.25 / (0.5 * 0.25)) + 0.25 * Math.log(0.25 / (0.5 * 0.75)) + 0.5 * Math.log(0.5 / (0.5 * 0.75));
  const je = -(0.25 * Math.log(0.25) * 2 + 0.5 * Math.log(0.5));
  return mi / je;
})();

test('fractions are logspace(-3, 0, 100): j = 0 ↔ 1e-3, j = M−1 ↔ 1; levels descend in j', () => {
  assert.equal(F.length, M);
  assert.ok(Math.abs(F[0] - 1e-3) < 1e-15);
  assert.equal(F[M - 1], 1);
  const sky = [1, 1, 0, 0, 0, 0, 0, 0];
  const r = referenceDissect(
    input({ units: 1, H: 2, W: 4, labels: labels(['-', '-'], ['sky', 'stuff']), threshold: [{ fm: [8, 7, 6, 5, 4, 3, 2, 1], maps: [sky] }] }),
  );
  assert.equal(r.levels[0][0], 8); // rank ⌈0.999·8⌉ = 8
  assert.equal(r.levels[0][M - 1], 1); // rank max(1, 0) = 1
  for (let j = 1; j < M; j++) assert.ok(r.levels[0][j] <= r.levels[0][j - 1]);
});

test('(a) agreement rule: a unit on everywhere except the sky does not get sky', () => {
  // 4×4, sky = top half, tree = 2 pixels of the bottom, '-' = the other 6
  const map = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 2, 0, 0, 0, 2];
  const r = referenceDissect(
    input({
      units: 2,
      H: 4,
      W: 4,
      labels: labels(['-', '-'], ['sky', 'stuff'], ['tree', 'stuff']),
      threshold: [{ fm: [...where(map, 1, 1, 2), ...where(map, 1, 2, 1)], maps: [map] }],
    }),
  );
  // unit 0 (low on sky, positive everywhere): at level 1 it is on exactly off the sky — IQR 1 for sky,
  // the largest of all labels at a positive level, but agreement 0
  const skyCurve = r.iqrCurve[1][0];
  const jSky = argmaxWhere(skyCurve, (j) => r.levels[0][j] > 0);
  assert.equal(r.levels[0][jSky], 1);
  assert.ok(Math.abs(skyCurve[jSky] - 1) < 1e-12);
  for (const c of [0, 2]) assert.ok(Math.max(...r.iqrCurve[c][0]) < skyCurve[jSky]);
  assert.ok(Math.abs(r.agreement[1][0][jSky]) < 1e-12);
  assert.equal(r.maxIqr[1][0], 0);
  assert.notEqual(r.bestLabel[0], 1);
  assert.equal(r.bestLabel[0], 0); // '-' (6 of the 8 on-pixels, agreement 0.875)
  assert.equal(r.interpretable[0], false); // unlabeled
  // unit 1 (high on sky): sky, at level 1, interpretable with IoU = IQR = 1
  assert.equal(r.bestLabel[1], 1);
  assert.equal(r.threshold[1], 1);
  assert.ok(Math.abs(r.unitIou[1] - 1) < 1e-12 && Math.abs(r.unitIqr[1] - 1) < 1e-12);
  assert.equal(r.interpretable[1], true);
});

test('(b) level rule: a post-ReLU unit (zeros on most pixels) never gets a threshold ≤ 0', () => {
  // 8×8, tree = 6 pixels, where the unit is 1…6; zero on the other 58
  const map = new Array<number>(64).fill(0);
  const fm = new Array<number>(64).fill(0);
  [3, 10, 17, 40, 41, 63].forEach((p, i) => {
    map[p] = 1;
    fm[p] = i + 1;
  });
  const r = referenceDissect(input({ units: 1, H: 8, W: 8, labels: labels(['-', '-'], ['tree', 'object']), threshold: [{ fm, maps: [map] }] }));
  // without the rule the best agreeing level would be 0 (on = the tree exactly, IQR 1)
  const jAgree = argmaxWhere(r.iqrCurve[1][0], (j) => r.agreement[1][0][j] > 0.8);
  assert.equal(r.levels[0][jAgree], 0);
  assert.ok(Math.abs(r.iqrCurve[1][0][jAgree] - 1) < 1e-12);
  assert.ok(r.maxIqr[1][0] < r.iqrCurve[1][0][jAgree]);
  assert.equal(r.bestLabel[0], 1);
  assert.equal(r.threshold[0], 1); // the smallest positive level (a > 1: 5 of the 6 tree pixels)
  for (let c = 0; c < 2; c++) assert.ok(r.maxIqrLevel[c][0] > 0, `label ${c}`);
});

test('(c) no qualifying pair: label 0 at j = 0 (the highest level, f = 1e-3)', () => {
  // 4×4, sky = top half; unit 0 tracks the sky perfectly but is negative everywhere; unit 1 is constant
  const map = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0];
  const neg = map.map((_, p) => -1 - p); // sky −1…−8, rest −9…−16
  const r = referenceDissect(
    input({
      units: 2,
      H: 4,
      W: 4,
      labels: labels(['-', '-'], ['sky', 'stuff']),
      threshold: [{ fm: [...neg, ...new Array<number>(16).fill(0.5)], maps: [map] }],
    }),
  );
  // only the level rule stops unit 0 from getting sky: sky's curve has agreeing IQR 1
  const jAgree = argmaxWhere(r.iqrCurve[1][0], (j) => r.agreement[1][0][j] > 0.8);
  assert.ok(Math.abs(r.iqrCurve[1][0][jAgree] - 1) < 1e-12);
  assert.notEqual(r.levels[0][0], r.levels[0][M - 1]);
  for (let u = 0; u < 2; u++) {
    for (let c = 0; c < 2; c++) {
      assert.equal(r.maxIqr[c][u], 0);
      assert.equal(r.maxIqrQuantile[c][u], F[0]);
      assert.equal(r.maxIqrLevel[c][u], r.levels[u][0]);
    }
    assert.equal(r.bestLabel[u], 0);
    assert.equal(r.threshold[u], r.levels[u][0]);
    assert.equal(r.interpretable[u], false);
  }
  assert.equal(r.threshold[0], -1); // the maximum: rank ⌈0.999·16⌉ = 16
  assert.equal(r.threshold[1], 0.5);
});

test('(d) preds are conditioned on the images containing the label’s category', () => {
  // 2 images of 2×2; image 0 has sky (stuff) on its top row, image 1 has a tree (object) and no sky;
  // rock (material) is never seen. Values 1…8; at j = 80 (f ≈ 0.2655) the level is rank 6 = 6.
  const maps = [
    [1, 1, 0, 0],
    [2, 0, 0, 0],
  ];
  const threshold: Sample[] = [
    { fm: [8, 7, 1, 2], maps: [maps[0]] },
    { fm: [6, 5, 3, 4], maps: [maps[1]] },
  ];
  const j = 80;
  assert.ok(F[j] >= 0.25 && F[j] < 0.375);
  const cats = labels(['-', '-'], ['sky', 'stuff'], ['tree', 'object'], ['rock', 'material']);
  const r = referenceDissect(input({ units: 1, H: 2, W: 2, labels: cats, threshold }));
  assert.deepEqual(r.categories, ['stuff', 'object', 'material']);
  assert.equal(r.levels[0][j], 6); // on: the 8 and the 7, both sky pixels of image 0
  assert.equal(r.truth[1], 0.25);
  assert.equal(r.isect[1][0][j], 0.25);
  assert.equal(r.preds[1][0][j], 0.5); // 2 of image 0's 4 pixels (over all 8 it would be 0.25)
  assert.equal(r.preds[2][0][j], 0); // 0 of image 1's 4 pixels
  assert.equal(r.preds[0][0][j], 0.25); // unlabeled: all pixels
  for (let k = 0; k < M; k++) assert.equal(r.preds[3][0][k], 0); // no image has a rock
  // sky's table [[¼, ¼], [0, ½]] rather than the unconditioned [[¼, 0], [0, ¾]] (whose IQR is 1)
  assert.deepEqual(iqrTable(r.isect[1][0][j], r.preds[1][0][j], r.truth[1]), [
    [0.25, 0.25],
    [0, 0.5],
  ]);
  assert.ok(Math.abs(r.iqrCurve[1][0][j] - QUARTER_TABLE_IQR) < 1e-12);
  assert.ok(QUARTER_TABLE_IQR < 0.5);

  // with a single category the condition is 'all': sky's preds are over all 8 pixels, and its IQR is 1
  const one = referenceDissect(input({ units: 1, H: 2, W: 2, labels: labels(['-', '-'], ['sky', 'stuff'], ['tree', 'stuff']), threshold }));
  assert.equal(one.preds[1][0][j], 0.25);
  assert.equal(one.preds[2][0][j], 0.25);
  assert.ok(Math.abs(one.iqrCurve[1][0][j] - 1) < 1e-12);
});

test('(e) no MI at f = 1, nor for labels covering < 1e-3 of the pixels', () => {
  // f = 1: 2×4, sky = 7 pixels at 2…8, '-' = the 1; at f = 1 the level is 1 and the unit is on exactly on the sky
  const sky = [1, 1, 1, 1, 1, 0, 1, 1];
  const r = referenceDissect(
    input({ units: 1, H: 2, W: 4, labels: labels(['-', '-'], ['sky', 'stuff']), threshold: [{ fm: [2, 3, 4, 5, 6, 1, 7, 8], maps: [sky] }] }),
  );
  const last = M - 1;
  assert.equal(r.levels[0][last], 1);
  const t = iqrTable(r.isect[1][0][last], r.preds[1][0][last], r.truth[1]);
  assert.deepEqual(t, [
    [7 / 8, 0],
    [0, 1 / 8],
  ]);
  assert.ok(mutualInformation(t) > 0.3);
  assert.equal(r.mi[1][0][last], 0);
  assert.equal(r.iqrCurve[1][0][last], 0);
  assert.ok(r.maxIqr[1][0] > 0 && r.maxIqr[1][0] < 1);
  assert.ok(r.maxIqrQuantile[1][0] < 1);

  // rare: 40×40 = 1600 pixels; dot = 1 pixel (6.25e-4 < 1e-3), pair = 2 pixels (1.25e-3);
  // unit 0 is 2 on the dot, unit 1 is 2 on the pair, both 1 elsewhere
  const map = new Array<number>(1600).fill(0);
  map[100] = 1;
  map[500] = 2;
  map[501] = 2;
  const rare = referenceDissect(
    input({
      units: 2,
      H: 40,
      W: 40,
      labels: labels(['-', '-'], ['dot', 'object'], ['pair', 'object']),
      threshold: [{ fm: [...where(map, 1, 2, 1), ...where(map, 2, 2, 1)], maps: [map] }],
    }),
  );
  assert.ok(rare.truth[1] < 1e-3 && rare.truth[2] >= 1e-3);
  assert.equal(rare.levels[0][0], 1); // a > 1: the dot exactly, a perfect table
  const dotTable = iqrTable(rare.isect[1][0][0], rare.preds[1][0][0], rare.truth[1]);
  assert.ok(mutualInformation(dotTable) > 0);
  for (let k = 0; k < M; k++) assert.equal(rare.mi[1][0][k], 0);
  assert.equal(rare.maxIqr[1][0], 0);
  assert.notEqual(rare.bestLabel[0], 1);
  // the 2-pixel label is trusted
  assert.ok(Math.abs(rare.maxIqr[2][1] - 1) < 1e-12);
  assert.equal(rare.bestLabel[1], 2);
  assert.equal(rare.threshold[1], 1);
});

test('(f) referenceUpsample: bilinear, half-pixel centres, border clamp', () => {
  // 2×2 [[0, 4], [8, 12]] → 4×4: per axis [x0, ¾x0 + ¼x1, ¼x0 + ¾x1, x1]
  assert.deepEqual(Array.from(referenceUpsample([0, 4, 8, 12], 0, 2, 2, 4, 4)), [0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12]);
  // at an offset, e.g. the second unit of a sample
  assert.deepEqual(
    Array.from(referenceUpsample([9, 9, 9, 9, 4, 0, 0, 0], 4, 2, 2, 4, 4)),
    [4, 3, 1, 0, 3, 2.25, 0.75, 0, 1, 0.75, 0.25, 0, 0, 0, 0, 0],
  );
  // 1×2 → 1×3 (scale 2/3): sources 0 (clamped from −1/6), ½, 7/6 (clamped to the last column)
  assert.deepEqual(Array.from(referenceUpsample([0, 6], 0, 1, 2, 1, 3)), [0, 3, 6]);
  // same size: the identity
  assert.deepEqual(Array.from(referenceUpsample([1, 2, 3, 4, 5, 6], 0, 2, 3, 2, 3)), [1, 2, 3, 4, 5, 6]);
});

test('upsampling feeds the levels: 1×1 featuremaps are constant over the H×W pixels', () => {
  const r = referenceDissect({
    units: 1,
    h: 1,
    w: 1,
    H: 2,
    W: 2,
    labels: labels(['-', '-'], ['sky', 'stuff']),
    threshold: toSet([
      { fm: [3], maps: [[1, 1, 1, 1]] },
      { fm: [1], maps: [[0, 0, 0, 0]] },
    ]),
    dissect: toSet([{ fm: [3], maps: [[1, 1, 1, 1]] }]),
  });
  assert.equal(r.levels[0][0], 3);
  assert.equal(r.levels[0][M - 1], 1);
  assert.equal(r.bestLabel[0], 1);
  assert.equal(r.threshold[0], 1);
  assert.ok(F[95] > 0.5);
  assert.equal(r.levels[0][95], 1);
  assert.equal(r.isect[1][0][95], 0.5);
});

test('dissection set: score_tally_stats at the threshold-set label and threshold, cc/tc per category', () => {
  // threshold set: the unit is 2 on sky, 1 elsewhere → sky at threshold 1
  const labs = labels(['-', '-'], ['sky', 'stuff'], ['tree', 'object']);
  const r = referenceDissect(
    input({
      units: 1,
      H: 2,
      W: 2,
      labels: labs,
      threshold: [{ fm: [2, 2, 1, 1], maps: [[1, 1, 0, 0]] }],
      dissect: [
        { fm: [2, 0, 2, 0], maps: [[1, 1, 0, 0]] }, // sky; on at pixels 0, 2
        { fm: [2, 2, 0, 0], maps: [[2, 0, 0, 0]] }, // tree, no sky; on at pixels 0, 1
      ],
    }),
  );
  assert.equal(r.bestLabel[0], 1);
  assert.equal(r.threshold[0], 1);
  assert.deepEqual(r.tc, [4, 4]);
  assert.deepEqual(r.lc, [5, 2, 1]);
  assert.deepEqual(
    r.cc.map((row) => row[0]),
    [2, 2],
  );
  assert.deepEqual(
    r.ic.map((row) => row[0]),
    [0, 1, 1],
  );
  // sky: 1 / (2 + 2 − 1) (with cc over all images it would be 1/5); table [[1, 1], [1, 1]]/4 has no MI
  assert.ok(Math.abs(r.iou[1][0] - 1 / 3) < 1e-15);
  assert.equal(r.iqr[1][0], 0);
  // tree: 1 / (2 + 1 − 1); table [[1, 1], [0, 2]]/4
  assert.ok(Math.abs(r.iou[2][0] - 0.5) < 1e-15);
  assert.ok(Math.abs(r.iqr[2][0] - QUARTER_TABLE_IQR) < 1e-12);
  // unlabeled: not scored
  assert.equal(r.iou[0][0], 0);
  assert.equal(r.iqr[0][0], 0);
  // the unit keeps sky (not re-chosen as tree, which scores higher here); IQR 0 ≤ 0.01: not interpretable
  assert.equal(r.label[0], 1);
  assert.ok(Math.abs(r.unitIou[0] - 1 / 3) < 1e-15);
  assert.equal(r.unitIqr[0], 0);
  assert.equal(r.interpretable[0], false);
});

test('iqr_label column: pairs whose best quantile is > 0.5 are dropped', () => {
  // 4×4, sky = 12 pixels; the unit is 2 on sky, 1 elsewhere: its only informative level is 1, at f ≥ 0.75
  const map = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0];
  const r = referenceDissect(
    input({ units: 1, H: 4, W: 4, labels: labels(['-', '-'], ['sky', 'stuff']), threshold: [{ fm: where(map, 1, 2, 1), maps: [map] }] }),
  );
  assert.equal(r.bestLabel[0], 1);
  assert.ok(Math.abs(r.maxIqr[1][0] - 1) < 1e-12);
  assert.ok(r.maxIqrQuantile[1][0] >= 0.75);
  assert.equal(r.interpretable[0], true);
  assert.deepEqual(r.iqrLabel[0], {
    label: 0,
    iqr: 0,
    level: r.maxIqrLevel[0][0],
    quantile: r.maxIqrQuantile[0][0],
    iou: r.maxIqrIou[0][0],
  });
});
