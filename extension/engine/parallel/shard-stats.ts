/**
 * The statistics of one phase for a contiguous range of units of each layer. Every statistic of a
 * dissection is per unit (the paper's §3.1), so splitting the units of each layer across threads changes
 * nothing in the numbers: each unit sees the same values in the same sample order. A shard's state is the
 * unit rows of its tallies' arrays; `assemble` concatenates shards back into whole-layer arrays and
 * `sliceState` cuts whole-layer arrays (a checkpoint) into a shard's rows.
 */
import { Upsampler } from '../data/upsample';
import { CellGrid } from '../data/cells';
import { UnitQuantiles } from '../stats/quantile';
import { IqrTally } from '../stats/iqr-tally';
import { IqrHistogram } from '../stats/iqr-hist';
import { IouTally, type SampleLabels } from '../stats/iou-tally';
import type { Arr } from '../../shared/run/blob';

/**
 * quantile: sketches; iqr: counts at given candidate levels; iqrhist: the one-pass joint histogram that
 * gives the levels and their counts (stats/iqr-hist.ts); iou: counts at the thresholds.
 */
export type StatsPhase = 'quantile' | 'iqr' | 'iqrhist' | 'iou';

export interface ShardLayer {
  /** [C, h, w] of the layer. */
  shape: [number, number, number];
  /** Units [u0, u1) of this shard. */
  u0: number;
  u1: number;
  /** iqr: candidate levels of units u0…u1 (M per unit); iou: their thresholds. */
  levels?: Float32Array;
  thresholds?: Float32Array;
  /** State to continue from (this shard's rows), from a checkpoint. */
  restored?: ShardState;
}

export interface PhaseInit {
  phase: StatsPhase;
  /** Segmentation resolution. */
  H: number;
  W: number;
  /** Labels (incl. unlabeled and quad parts) and categories of the label space. */
  K: number;
  G: number;
  topk: number;
  sketchK: number;
  /** Quantile phase: sketch the featuremaps upsampled to H×W (iqr mode's levels) instead of as they are. */
  upsampled?: boolean;
  /** iqrhist: float64 counts (a bin of one label could pass 2^31 pixels). */
  wide?: boolean;
  /** IoU phase: the dissection set's blocks (stats/iou-tally.ts). */
  blocks?: { samples: number; count: number };
  layers: ShardLayer[];
}

/** One layer's arrays; quantile sketches carry their packing metadata in `meta`. */
export interface ShardState {
  arrays: Record<string, Arr>;
  meta?: unknown;
}

/** A batch as the tallies read it: featuremaps per layer (n × C × h × w) and labels per sample. */
export interface BatchView {
  n: number;
  /** Sample index of the batch's first sample. */
  first: number;
  fms: Float32Array[];
  /** Label maps (n × H × W each, one per segmenter output and quad map); empty in the quantile phase. */
  maps: Uint16Array[];
  /** n × G: 1 where sample i holds some label of category g. */
  present: Uint8Array;
  /** Per layer, n × C: where the IoU pass writes each unit's spatial maximum in each sample. */
  maxima?: Float32Array[];
}

/** Arrays of a tally that are not per unit (the same in every shard). */
const SHARED = new Set(['area', 'counters', 'missPixels', 'categoryPixels', 'blockSamples']);

export class ShardStats {
  private readonly quantiles: (UnitQuantiles | undefined)[] = [];
  private readonly iqr: (IqrTally | undefined)[] = [];
  private readonly hist: (IqrHistogram | undefined)[] = [];
  private readonly iou: (IouTally | undefined)[] = [];
  /** Quantile phase over upsampled maps: each layer's cells, and scratch shared by the layers. */
  private readonly grids: (CellGrid | undefined)[] = [];
  private readonly scratch?: { pixels: Float32Array; cells: Int32Array };

  constructor(readonly init: PhaseInit) {
    const { phase, H, W, K, G, topk, sketchK } = init;
    if (phase === 'quantile' && init.upsampled) {
      init.layers.forEach((l, i) => (this.grids[i] = new CellGrid(new Upsampler(l.shape[1], l.shape[2], H, W))));
      this.scratch = { pixels: new Float32Array(H * W), cells: new Int32Array(Math.max(...this.grids.map((g) => g!.count))) };
    }
    init.layers.forEach((l, i) => {
      const units = l.u1 - l.u0;
      if (units === 0) return;
      const [, h, w] = l.shape;
      if (phase === 'quantile') {
        this.quantiles[i] = l.restored
          ? UnitQuantiles.unpack(l.restored.meta, l.restored.arrays.items as Float32Array)
          : new UnitQuantiles(units, sketchK);
      } else if (phase === 'iqrhist') {
        // the layer's unit count fixes its bins, so every thread bins its units alike
        const t = new IqrHistogram(units, K, G, new Upsampler(h, w, H, W), { wide: init.wide, layerUnits: l.shape[0] });
        if (l.restored) t.load(l.restored.arrays as Record<string, Float64Array>);
        this.hist[i] = t;
      } else if (phase === 'iqr') {
        const t = new IqrTally(units, K, G, l.levels!, new Upsampler(h, w, H, W));
        if (l.restored) t.load(l.restored.arrays as Record<string, Float64Array>);
        this.iqr[i] = t;
      } else {
        const t = new IouTally(units, K, G, l.thresholds!, new Upsampler(h, w, H, W), topk, init.blocks);
        if (l.restored) t.load(l.restored.arrays as Record<string, Float64Array>);
        this.iou[i] = t;
      }
    });
  }

  addBatch(b: BatchView): void {
    const { H, W, G } = this.init;
    const P = H * W;
    const labels: SampleLabels[] = [];
    for (let i = 0; i < b.n; i++) {
      labels.push({ maps: b.maps.map((m) => m.subarray(i * P, (i + 1) * P)), categoryPresent: b.present.subarray(i * G, (i + 1) * G) });
    }
    this.init.layers.forEach((l, li) => {
      if (l.u1 === l.u0) return;
      const [C, h, w] = l.shape;
      const plane = h * w;
      const fm = b.fms[li];
      for (let i = 0; i < b.n; i++) {
        const offset = (i * C + l.u0) * plane;
        const grid = this.grids[li];
        if (grid) this.quantiles[li]?.addUpsampledSample(fm, offset, grid, this.scratch!.pixels, this.scratch!.cells);
        else this.quantiles[li]?.addSample(fm, offset, plane);
        this.iqr[li]?.addSample(fm, offset, labels[i]);
        this.hist[li]?.addSample(fm, offset, labels[i]);
        this.iou[li]?.addSample(b.first + i, fm, offset, labels[i], b.maxima?.[li], i * C + l.u0);
      }
    });
  }

  /** This shard's state per layer (undefined for layers where it holds no unit). */
  state(): (ShardState | undefined)[] {
    return this.init.layers.map((_, i) => {
      const q = this.quantiles[i];
      if (q) {
        const p = q.pack();
        return { arrays: { items: p.items }, meta: p.meta };
      }
      const t = this.iqr[i] ?? this.hist[i] ?? this.iou[i];
      return t ? { arrays: { ...t.arrays() } } : undefined;
    });
  }
}

/** Splits C units into `parts` contiguous ranges of nearly equal size. */
export function splitUnits(C: number, parts: number): [number, number][] {
  return Array.from({ length: parts }, (_, i) => [Math.floor((i * C) / parts), Math.floor(((i + 1) * C) / parts)]);
}

/** Whole-layer state from the shards' states, in unit order (shards holding no unit are skipped). */
export function assemble(phase: StatsPhase, shards: (ShardState | undefined)[]): ShardState {
  const parts = shards.filter((s): s is ShardState => s !== undefined);
  if (phase === 'quantile') {
    const metas = parts.map((p) => p.meta as { k: number; sketches: unknown[] });
    const items = concat(parts.map((p) => p.arrays.items));
    return { arrays: { items }, meta: { k: metas[0].k, sketches: metas.flatMap((m) => m.sketches) } };
  }
  const arrays: Record<string, Arr> = {};
  for (const key of Object.keys(parts[0].arrays)) {
    arrays[key] = SHARED.has(key) ? parts[0].arrays[key] : concat(parts.map((p) => p.arrays[key]));
  }
  return { arrays };
}

/** Units [u0, u1) of a whole-layer state of C units. */
export function sliceState(phase: StatsPhase, whole: ShardState, C: number, u0: number, u1: number): ShardState {
  if (phase === 'quantile') {
    const m = whole.meta as { k: number; sketches: { sizes: number[] }[] };
    const size = (s: { sizes: number[] }) => s.sizes.reduce((a, b) => a + b, 0);
    const start = m.sketches.slice(0, u0).reduce((a, s) => a + size(s), 0);
    const len = m.sketches.slice(u0, u1).reduce((a, s) => a + size(s), 0);
    return {
      arrays: { items: (whole.arrays.items as Float32Array).slice(start, start + len) },
      meta: { k: m.k, sketches: m.sketches.slice(u0, u1) },
    };
  }
  const arrays: Record<string, Arr> = {};
  for (const [key, a] of Object.entries(whole.arrays)) {
    const per = a.length / C;
    arrays[key] = SHARED.has(key) ? a.slice() : a.slice(u0 * per, u1 * per);
  }
  return { arrays };
}

function concat(list: Arr[]): Arr {
  const total = list.reduce((n, a) => n + a.length, 0);
  const out = new (list[0].constructor as new (n: number) => Arr)(total);
  let o = 0;
  for (const a of list) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}
