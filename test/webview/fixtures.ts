/** Fixture layer/unit views for the webview tests, with small PNG strips and heatmaps to serve. */
import { encodePng } from '../../extension/shared/png';
import type { LayerSummary, LayerView, UnitRow } from '../../extension/shared/webview/layer';
import type { HeatmapSet, UnitView } from '../../extension/shared/webview/unit';

export const TILE = { width: 16, height: 16, gap: 2 };
export const TOPK = 4;
export const STRIP_WIDTH = TOPK * TILE.width + (TOPK - 1) * TILE.gap; // 70

type Spec = [unit: number, label: string, category: string, iou: number, interpretable: boolean, extra: [string, string, number][], image: boolean];

const SPECS: Spec[] = [
  [0, 'tree', 'object', 0.214, true, [['grass', 'object', 0.051]], true],
  [1, 'sky', 'object', 0.352, true, [['cloud', 'object', 0.02]], true],
  [2, 'window', 'part', 0.121, true, [['building', 'object', 0.08]], true],
  [3, 'brick', 'material', 0.061, true, [], true],
  [4, 'red', 'colour', 0.031, false, [['tree', 'object', 0.012]], true],
  [5, 'grass', 'object', 0.093, true, [], true],
  [6, 'Tree', 'object', 0.152, true, [], true],
  [7, 'door', 'part', 0.022, false, [['sky', 'object', 0.011]], true],
  [8, 'wood', 'material', 0.004, false, [], false],
];

/** A distinct colour per (unit, tile): tile 0 of unit u is recognisable in screenshots. */
function tileColour(unit: number, tile: number): [number, number, number] {
  const hue = ((unit * 47 + tile * 13) % 360) / 60;
  const c = 200;
  const x = Math.round(c * (1 - Math.abs((hue % 2) - 1)));
  const rgb: [number, number, number][] = [
    [c, x, 0],
    [x, c, 0],
    [0, c, x],
    [0, x, c],
    [x, 0, c],
    [c, 0, x],
  ];
  return rgb[Math.floor(hue) % 6].map((v) => v + 40) as [number, number, number];
}

function stripPng(unit: number): Buffer {
  const rgb = new Uint8Array(STRIP_WIDTH * TILE.height * 3).fill(40);
  for (let t = 0; t < TOPK; t++) {
    const [r, g, b] = tileColour(unit, t);
    for (let y = 0; y < TILE.height; y++)
      for (let x = 0; x < TILE.width; x++) {
        const o = (y * STRIP_WIDTH + t * (TILE.width + TILE.gap) + x) * 3;
        const shade = (x + y) % 8 < 4 ? 1 : 0.7; // a checker so pixelated scaling is visible
        rgb[o] = r * shade;
        rgb[o + 1] = g * shade;
        rgb[o + 2] = b * shade;
      }
  }
  return encodePng(rgb, STRIP_WIDTH, TILE.height);
}

function squarePng(n: number, fn: (x: number, y: number) => [number, number, number]): Buffer {
  const rgb = new Uint8Array(n * n * 3);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) rgb.set(fn(x, y), (y * n + x) * 3);
  return encodePng(rgb, n, n);
}

export const imagePath = (unit: number) => `/img/layer4/unit${String(unit).padStart(4, '0')}.png`;

export function makeUnits(): UnitRow[] {
  return SPECS.map(([unit, label, category, iou, interpretable, extra, image]) => ({
    unit,
    label,
    category,
    iou,
    iqr: 0.5 + unit * 0.25,
    threshold: 3 - unit * 0.125,
    interpretable,
    concepts: [{ label, category, iou }, ...extra.map(([l, c, v]) => ({ label: l, category: c, iou: v }))],
    top: Array.from({ length: TOPK }, (_, i) => ({ sample: unit * 10 + i, maxact: 9 - i - unit / 10 })),
    ...(image ? { image: imagePath(unit) } : {}),
  }));
}

/** The summary as the host computes it: interpretable units per label, most first (ties: first seen). */
export function summarise(units: UnitRow[]): LayerSummary {
  const counts = new Map<string, { label: string; category: string; count: number }>();
  const categories: Record<string, number> = {};
  for (const u of units.filter((x) => x.interpretable)) {
    const key = u.label.toLowerCase();
    const c = counts.get(key) ?? { label: key, category: u.category, count: 0 };
    c.count++;
    counts.set(key, c);
    categories[u.category] = (categories[u.category] ?? 0) + 1;
  }
  return {
    units: units.length,
    interpretable: units.filter((u) => u.interpretable).length,
    concepts: [...counts.values()].sort((a, b) => b.count - a.count),
    categories,
  };
}

export function makeLayerView(over: Partial<LayerView> = {}): LayerView {
  const units = makeUnits();
  return {
    runId: 'run-1',
    model: 'church.onnx',
    layer: 'layer4',
    shape: [units.length, 8, 8],
    threshold: 'iqr',
    samples: 200,
    provider: 'cpu',
    tile: TILE,
    units,
    summary: summarise(units),
    hasSource: true,
    ...over,
  };
}

export function makeCompareView(): LayerView {
  const summary: LayerSummary = {
    units: 16,
    interpretable: 7,
    concepts: [
      { label: 'window', category: 'part', count: 3 },
      { label: 'sky', category: 'object', count: 2 },
      { label: 'red', category: 'colour', count: 1 },
      { label: 'wood', category: 'material', count: 1 },
    ],
    categories: { part: 3, object: 2, colour: 1, material: 1 },
  };
  return { ...makeLayerView(), runId: 'run-2', model: 'bedroom.onnx', layer: 'layer6', units: [], summary, hasSource: false };
}

export function makeUnitView(over: Partial<UnitView> = {}): UnitView {
  const units = makeUnits();
  return { runId: 'run-1', model: 'church.onnx', layer: 'layer4', shape: [units.length, 8, 8], tile: TILE, unit: units[0], hasSource: true, ...over };
}

export function makeHeatmaps(count: number): HeatmapSet {
  return {
    samples: Array.from({ length: count }, (_, i) => ({
      seed: 1000 + i,
      sample: i,
      image: `/img/fresh/sample${i}.png`,
      heatmap: `/img/fresh/heat${i}.png`,
      maxact: 5 - i * 0.5,
    })),
    scale: {
      max: 5,
      threshold: 1.25,
      stops: [
        [13, 8, 135],
        [240, 249, 33],
      ],
    },
  };
}

/** Every image the fixtures reference, by URL path. */
export function fixtureImages(): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const u of makeUnits()) if (u.image) m.set(u.image, stripPng(u.unit));
  for (let i = 0; i < 6; i++) {
    m.set(
      `/img/fresh/sample${i}.png`,
      squarePng(32, (x, y) => [60 + ((x * 5 + i * 30) % 150), 80 + ((y * 4) % 120), 120 + i * 20]),
    );
    const cx = 8 + i * 3;
    m.set(
      `/img/fresh/heat${i}.png`,
      squarePng(32, (x, y) => {
        const v = Math.max(0, 255 - 12 * Math.hypot(x - cx, y - 16));
        return [v, v * 0.6, 255 - v];
      }),
    );
  }
  return m;
}
