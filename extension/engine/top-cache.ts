/**
 * The top images kept while the IoU pass runs, so that rendering the top-image strips needs no second
 * generation: for every unit, its current top-k samples by spatial maximum (the tallies' rule: larger
 * first, ties to the smaller sample) with that sample's featuremap plane, and one image tile per sample
 * still in some unit's top-k. Planes take units × k × h × w floats whatever the sample count; tiles at most
 * `maxTileBytes` (64 MB: 5,400 tiles of 64×64; beyond that, samples are left to be generated again at the end,
 * as after a resume).
 * Rendering reads the final top-k from the tallies and asks this cache; whatever is missing it generates.
 */
import type { GeneratedBatch } from './models';

interface Entry {
  score: number;
  sample: number;
  plane: Float32Array;
}

export class TopImageCache {
  /** entries[layer][unit]: the unit's top-k so far, best first. */
  private readonly entries: Entry[][][];
  private readonly tiles = new Map<number, { tile?: Uint8Array; refs: number }>();
  private tileBytes = 0;

  /** `layers`: tensor name and [C, h, w] of each dissected layer. */
  constructor(
    private readonly layers: { tensor: string; shape: [number, number, number] }[],
    private readonly k: number,
    private readonly maxTileBytes = 64 * 2 ** 20,
  ) {
    this.entries = layers.map((l) => Array.from({ length: l.shape[0] }, () => []));
  }

  /** Samples first … first+n−1 of the IoU pass; `tile(i)` makes the display tile of batch item i. */
  addBatch(b: GeneratedBatch, first: number, tile: (i: number) => Uint8Array): void {
    for (let i = 0; i < b.n; i++) {
      const sample = first + i;
      let kept = false;
      this.layers.forEach((l, li) => {
        const [C, h, w] = l.shape;
        const plane = h * w;
        const fm = b.layers.get(l.tensor)!;
        for (let u = 0; u < C; u++) {
          const base = (i * C + u) * plane;
          let max = -Infinity;
          for (let p = 0; p < plane; p++) if (fm[base + p] > max) max = fm[base + p];
          if (this.insert(this.entries[li][u], max, sample, () => fm.slice(base, base + plane))) kept = true;
        }
      });
      if (kept) {
        const slot = this.tiles.get(sample)!;
        const t = tile(i);
        if (this.tileBytes + t.byteLength <= this.maxTileBytes) {
          slot.tile = t;
          this.tileBytes += t.byteLength;
        }
      }
    }
  }

  /** The tile of a sample and the plane of (layer, unit) for it, when both were kept. */
  get(layer: number, unit: number, sample: number): { tile: Uint8Array; plane: Float32Array } | undefined {
    const tile = this.tiles.get(sample)?.tile;
    const e = this.entries[layer]?.[unit]?.find((x) => x.sample === sample);
    return tile && e ? { tile, plane: e.plane } : undefined;
  }

  private insert(list: Entry[], score: number, sample: number, plane: () => Float32Array): boolean {
    const k = this.k;
    if (list.length === k && !before(score, sample, list[k - 1].score, list[k - 1].sample)) return false;
    let i = list.length;
    while (i > 0 && before(score, sample, list[i - 1].score, list[i - 1].sample)) i--;
    list.splice(i, 0, { score, sample, plane: plane() });
    this.ref(sample, +1);
    if (list.length > k) this.ref(list.pop()!.sample, -1);
    return true;
  }

  private ref(sample: number, d: number): void {
    const slot = this.tiles.get(sample) ?? { refs: 0 };
    slot.refs += d;
    if (slot.refs > 0) this.tiles.set(sample, slot);
    else {
      if (slot.tile) this.tileBytes -= slot.tile.byteLength;
      this.tiles.delete(sample);
    }
  }
}

function before(s: number, i: number, s2: number, i2: number): boolean {
  return s > s2 || (s === s2 && i < i2);
}
