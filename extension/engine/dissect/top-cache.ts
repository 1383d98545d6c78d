/**
 * The top images kept while the IoU pass runs, so that rendering the top-image strips needs no second
 * generation: for every unit, its current top-k samples by spatial maximum (the tallies' rule: larger
 * first, ties to the smaller sample) with that sample's featuremap plane, and one image tile per sample
 * still in some unit's top-k. Planes take units × k × h × w floats whatever the sample count. Tiles live in
 * slots of one SharedArrayBuffer of `maxTileBytes` (64 MB: 5,400 tiles of 64×64; the OS commits only the
 * pages written, and a freed slot is reused), so the threads that write the strips read them without a
 * copy; beyond that, samples are left to be generated again at the end, as after a resume.
 * Rendering reads the final top-k from the tallies and asks this cache; whatever is missing it generates.
 */
import type { GeneratedBatch } from '../models/contract';

interface Entry {
  score: number;
  sample: number;
  plane: Float32Array;
}

export class TopImageCache {
  /** entries[layer][unit]: the unit's top-k so far, best first. */
  private readonly entries: Entry[][][];
  /** Samples in some unit's top-k: how many entries refer to each, and its tile's slot (−1: none). */
  private readonly tiles = new Map<number, { slot: number; refs: number }>();
  private readonly slab: SharedArrayBuffer;
  private readonly free: number[];

  /** `layers`: tensor name and [C, h, w] of each dissected layer; `tileBytes`: bytes of one tile. */
  constructor(
    private readonly layers: { tensor: string; shape: [number, number, number] }[],
    private readonly k: number,
    private readonly tileBytes: number,
    maxTileBytes = 64 * 2 ** 20,
  ) {
    this.entries = layers.map((l) => Array.from({ length: l.shape[0] }, () => []));
    const slots = Math.max(0, Math.floor(maxTileBytes / tileBytes));
    this.slab = new SharedArrayBuffer(slots * tileBytes);
    this.free = Array.from({ length: slots }, (_, i) => slots - 1 - i);
  }

  /**
   * Samples first … first+n−1 of the IoU pass; `maxima[layer][i·C + u]`: unit u's spatial maximum in
   * batch item i (computed by the IoU tallies); `tile(i)` makes the display tile of batch item i.
   */
  addBatch(b: GeneratedBatch, first: number, maxima: readonly Float32Array[], tile: (i: number) => Uint8Array): void {
    for (let i = 0; i < b.n; i++) {
      const sample = first + i;
      let kept = false;
      this.layers.forEach((l, li) => {
        const [C, h, w] = l.shape;
        const plane = h * w;
        const fm = b.layers.get(l.tensor)!;
        const max = maxima[li];
        for (let u = 0; u < C; u++) {
          const list = this.entries[li][u];
          const score = max[i * C + u];
          if (list.length === this.k && !before(score, sample, list[this.k - 1].score, list[this.k - 1].sample)) continue;
          const base = (i * C + u) * plane;
          this.insert(list, score, sample, fm.slice(base, base + plane));
          kept = true;
        }
      });
      const entry = this.tiles.get(sample);
      if (kept && entry && this.free.length > 0) {
        entry.slot = this.free.pop()!;
        this.tileAt(entry.slot).set(tile(i));
      }
    }
  }

  /** The tile of a sample and the plane of (layer, unit) for it, when both were kept. */
  get(layer: number, unit: number, sample: number): { tile: Uint8Array; plane: Float32Array } | undefined {
    const slot = this.tiles.get(sample)?.slot ?? -1;
    const e = this.entries[layer]?.[unit]?.find((x) => x.sample === sample);
    return slot >= 0 && e ? { tile: this.tileAt(slot), plane: e.plane } : undefined;
  }

  private tileAt(slot: number): Uint8Array {
    return new Uint8Array(this.slab, slot * this.tileBytes, this.tileBytes);
  }

  /** Inserts (score, sample) into a unit's top-k list (the caller checked that it belongs there). */
  private insert(list: Entry[], score: number, sample: number, plane: Float32Array): void {
    let i = list.length;
    while (i > 0 && before(score, sample, list[i - 1].score, list[i - 1].sample)) i--;
    list.splice(i, 0, { score, sample, plane });
    this.ref(sample, +1);
    if (list.length > this.k) this.ref(list.pop()!.sample, -1);
  }

  private ref(sample: number, d: number): void {
    const entry = this.tiles.get(sample) ?? { slot: -1, refs: 0 };
    entry.refs += d;
    if (entry.refs > 0) this.tiles.set(sample, entry);
    else {
      if (entry.slot >= 0) this.free.push(entry.slot);
      this.tiles.delete(sample);
    }
  }
}

function before(s: number, i: number, s2: number, i2: number): boolean {
  return s > s2 || (s === s2 && i < i2);
}
