/**
 * Top-k samples per unit by a score (the unit's spatial maximum), kept sorted: larger score first, ties
 * to the smaller sample index, so the result does not depend on batching or sharding.
 */
export class TopK {
  readonly scores: Float32Array;
  readonly samples: Int32Array;
  readonly counts: Int32Array;

  constructor(
    readonly units: number,
    readonly k: number,
  ) {
    this.scores = new Float32Array(units * k);
    this.samples = new Int32Array(units * k).fill(-1);
    this.counts = new Int32Array(units);
  }

  add(u: number, score: number, sample: number): void {
    const k = this.k;
    const base = u * k;
    const n = this.counts[u];
    if (n === k && !before(score, sample, this.scores[base + k - 1], this.samples[base + k - 1])) return;
    let i = n === k ? k - 1 : n;
    while (i > 0 && before(score, sample, this.scores[base + i - 1], this.samples[base + i - 1])) {
      this.scores[base + i] = this.scores[base + i - 1];
      this.samples[base + i] = this.samples[base + i - 1];
      i--;
    }
    this.scores[base + i] = score;
    this.samples[base + i] = sample;
    if (n < k) this.counts[u] = n + 1;
  }

  merge(other: TopK): void {
    for (let u = 0; u < this.units; u++) {
      for (let i = 0; i < other.counts[u]; i++) this.add(u, other.scores[u * other.k + i], other.samples[u * other.k + i]);
    }
  }

  entries(u: number): { sample: number; score: number }[] {
    const out = [];
    for (let i = 0; i < this.counts[u]; i++) out.push({ sample: this.samples[u * this.k + i], score: this.scores[u * this.k + i] });
    return out;
  }
}

function before(s: number, i: number, s2: number, i2: number): boolean {
  return s > s2 || (s === s2 && i < i2);
}
