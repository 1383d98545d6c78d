/**
 * The segmentation palette (extension/shared/webview/colours.ts) is one source of label colours, and its
 * colours are told apart: measured here with CIEDE2000 (ΔE00), computed independently of how the palette was
 * made (the formula checked on Sharma, Wu & Dalal's 2005 published test pairs first).
 *
 * Threshold: ΔE00 ≥ 20 between any two of the demo's labels, unlabeled (black) included. ΔE00 ≈ 1 is a
 * just-noticeable difference side by side; ~10 or more reads as different colours at a glance; 20 leaves the
 * colours distinct as small regions of a segmentation, next to each other or not (a legend swatch vs a region).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SEGMENTATION_PALETTE, hexColour, labelColour } from '../../extension/shared/webview/colours';
import { segmentationRgb } from '../../extension/engine/intervene/jobs';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DEMO_LABELS = JSON.parse(fs.readFileSync(path.join(ROOT, 'media', 'demo', 'labels.json'), 'utf8')) as { name: string; category: string }[];
const THRESHOLD = 20;

type Lab = [number, number, number];

/** sRGB bytes → CIE L*a*b* (D65). */
function lab([r, g, b]: readonly number[]): Lab {
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const [R, G, B] = [lin(r), lin(g), lin(b)];
  const X = (0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / 0.95047;
  const Y = 0.2126729 * R + 0.7151522 * G + 0.072175 * B;
  const Z = (0.0193339 * R + 0.119192 * G + 0.9503041 * B) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((t * 24389) / 27 + 16) / 116);
  return [116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))];
}

/** CIEDE2000 (Sharma, Wu & Dalal 2005, eqs. 1–17), kL = kC = kH = 1. */
function deltaE2000([L1, a1, b1]: Lab, [L2, a2, b2]: Lab): number {
  const rad = Math.PI / 180;
  const Cab = (Math.hypot(a1, b1) + Math.hypot(a2, b2)) / 2;
  const G = 0.5 * (1 - Math.sqrt(Cab ** 7 / (Cab ** 7 + 25 ** 7)));
  const a1p = (1 + G) * a1;
  const a2p = (1 + G) * a2;
  const C1 = Math.hypot(a1p, b1);
  const C2 = Math.hypot(a2p, b2);
  const hue = (b: number, a: number) => {
    if (a === 0 && b === 0) return 0;
    const deg = Math.atan2(b, a) / rad;
    return deg < 0 ? deg + 360 : deg;
  };
  const h1 = hue(b1, a1p);
  const h2 = hue(b2, a2p);
  let dh = 0;
  if (C1 * C2 !== 0) {
    dh = h2 - h1;
    if (dh > 180) dh -= 360;
    else if (dh < -180) dh += 360;
  }
  const dL = L2 - L1;
  const dC = C2 - C1;
  const dH = 2 * Math.sqrt(C1 * C2) * Math.sin((dh / 2) * rad);
  const L = (L1 + L2) / 2;
  const C = (C1 + C2) / 2;
  let h = h1 + h2;
  if (C1 * C2 !== 0) h = Math.abs(h1 - h2) <= 180 ? (h1 + h2) / 2 : h1 + h2 < 360 ? (h1 + h2 + 360) / 2 : (h1 + h2 - 360) / 2;
  const T =
    1 - 0.17 * Math.cos((h - 30) * rad) + 0.24 * Math.cos(2 * h * rad) + 0.32 * Math.cos((3 * h + 6) * rad) - 0.2 * Math.cos((4 * h - 63) * rad);
  const dTheta = 30 * Math.exp(-(((h - 275) / 25) ** 2));
  const RC = 2 * Math.sqrt(C ** 7 / (C ** 7 + 25 ** 7));
  const SL = 1 + (0.015 * (L - 50) ** 2) / Math.sqrt(20 + (L - 50) ** 2);
  const SC = 1 + 0.045 * C;
  const SH = 1 + 0.015 * C * T;
  const RT = -Math.sin(2 * dTheta * rad) * RC;
  return Math.sqrt((dL / SL) ** 2 + (dC / SC) ** 2 + (dH / SH) ** 2 + RT * (dC / SC) * (dH / SH));
}

const rgbOfHex = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));

/** The closest pair of these labels by ΔE00. */
function closest(ids: number[]): { de: number; a: number; b: number } {
  let best = { de: Infinity, a: -1, b: -1 };
  for (let i = 0; i < ids.length; i++)
    for (let j = i + 1; j < ids.length; j++) {
      const de = deltaE2000(lab(labelColour(ids[i])), lab(labelColour(ids[j])));
      if (de < best.de) best = { de, a: ids[i], b: ids[j] };
    }
  return best;
}

test('the CIEDE2000 used here reproduces Sharma et al.’s published test pairs', () => {
  const pairs: [Lab, Lab, number][] = [
    [[50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425],
    [[50, -1.3802, -84.2814], [50, 0, -82.7485], 1.0],
    [[50, 2.5, 0], [50, 0, -2.5], 4.3065],
    [[50, 2.5, 0], [73, 25, -18], 27.1492],
    [[50, 2.5, 0], [61, -5, 29], 22.8977],
    [[60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644],
    [[22.7233, 20.0904, -46.694], [23.0331, 14.973, -42.5619], 2.0373],
  ];
  for (const [a, b, want] of pairs) assert.ok(Math.abs(deltaE2000(a, b) - want) < 1e-4, `${a} / ${b}: ${deltaE2000(a, b)} ≠ ${want}`);
});

test(`the demo's labels (unlabeled included) are pairwise at least ΔE00 ${THRESHOLD} apart`, (t) => {
  const ids = DEMO_LABELS.map((_, i) => i);
  const c = closest(ids);
  t.diagnostic(`closest pair: ${DEMO_LABELS[c.a].name} / ${DEMO_LABELS[c.b].name}, ΔE00 = ${c.de.toFixed(1)}`);
  assert.ok(
    c.de >= THRESHOLD,
    `${DEMO_LABELS[c.a].name} (${hexColour(c.a)}) and ${DEMO_LABELS[c.b].name} (${hexColour(c.b)}): ΔE00 ${c.de.toFixed(1)}`,
  );
  // the pairs the old golden-ratio palette made look alike
  const id = (name: string) => DEMO_LABELS.findIndex((l) => l.name === name);
  for (const [a, b] of [
    ['mountain', 'door'],
    ['sky', 'building'],
    ['sun', 'window'],
    ['cloud', 'road'],
  ]) {
    const de = deltaE2000(lab(labelColour(id(a))), lab(labelColour(id(b))));
    assert.ok(de >= THRESHOLD, `${a} / ${b}: ΔE00 ${de.toFixed(1)}`);
  }
});

test('the whole list stays distinct: every colour of the palette at least ΔE00 12 from every other and from black', (t) => {
  const ids = Array.from({ length: SEGMENTATION_PALETTE.length + 1 }, (_, i) => i);
  const c = closest(ids);
  t.diagnostic(`${SEGMENTATION_PALETTE.length} labels: closest pair ${c.a} / ${c.b}, ΔE00 = ${c.de.toFixed(1)}`);
  assert.ok(c.de >= 12, `labels ${c.a} and ${c.b}: ΔE00 ${c.de.toFixed(1)}`);
});

test('one source: label 0 is black, label l is SEGMENTATION_PALETTE[l − 1], hexColour is labelColour, the pictures use it', () => {
  assert.deepEqual(labelColour(0), [0, 0, 0]);
  for (let l = 1; l <= SEGMENTATION_PALETTE.length; l++) {
    assert.deepEqual(labelColour(l), rgbOfHex(SEGMENTATION_PALETTE[l - 1]));
    assert.equal(hexColour(l), SEGMENTATION_PALETTE[l - 1]);
  }
  const labels = Uint16Array.from([0, 1, 4, 12, 9]);
  assert.deepEqual(
    [...segmentationRgb(labels, 0, labels.length)],
    [...labels].flatMap((l) => labelColour(l)),
  );
  // stable and defined past the list (lighter/darker variants), never black
  const many = Array.from({ length: 300 }, (_, i) => hexColour(i + 1));
  assert.deepEqual(
    many,
    Array.from({ length: 300 }, (_, i) => hexColour(i + 1)),
  );
  assert.equal(new Set(many).size, many.length, 'no two of the first 300 labels share a colour');
  assert.ok(many.every((h) => /^#[0-9a-f]{6}$/.test(h) && h !== '#000000'));
});
