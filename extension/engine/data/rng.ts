/**
 * Seeded latents. Sample j of seed s is drawn from its own stream, so a sample's z depends only on
 * (s, j): not on the batch size, the shard, or which samples were drawn before it.
 */

/** splitmix32: a well-mixed 32-bit hash used to seed each sample's stream. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** xoshiro128** uniform generator over [0, 1). */
export class Xoshiro128 {
  private s = new Uint32Array(4);
  constructor(seed: number, stream = 0) {
    let x = splitmix32(seed ^ Math.imul(stream + 1, 0x27d4eb2d));
    for (let i = 0; i < 4; i++) {
      x = splitmix32(x + i);
      this.s[i] = x;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }
  /** Uniform in (0, 1): never exactly 0, so log() below is finite. */
  uniform(): number {
    return (this.nextU32() + 0.5) / 4294967296;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** z_j ~ N(0, I) of length `dims` for sample j (Box–Muller). */
export function normalLatent(seed: number, sample: number, dims: number, out = new Float32Array(dims)): Float32Array {
  const rng = new Xoshiro128(seed, sample);
  for (let i = 0; i < dims; i += 2) {
    const r = Math.sqrt(-2 * Math.log(rng.uniform()));
    const th = 2 * Math.PI * rng.uniform();
    out[i] = r * Math.cos(th);
    if (i + 1 < dims) out[i + 1] = r * Math.sin(th);
  }
  return out;
}
