/**
 * The Fréchet distance between two Gaussians (the realism score of the paper's S-6.1; FID when the features
 * are Inception's):
 *   d² = |μ₁ − μ₂|² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½).
 * Tr (Σ₁ Σ₂)^½ is the sum of the square roots of the eigenvalues of Σ₁^½ Σ₂ Σ₁^½ (symmetric, positive
 * semi-definite, with Σ₁ Σ₂'s eigenvalues), found with ml-matrix's symmetric eigendecomposition.
 * Also the streaming mean and covariance the scores are computed from, with the statistics modules'
 * add / state / load interface.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** The Fréchet distance d (not squared) between N(μ₁, Σ₁) and N(μ₂, Σ₂); covariances row-major d × d. */
export function frechetDistance(mu1: Float64Array, cov1: Float64Array, mu2: Float64Array, cov2: Float64Array): number {
  return new FrechetReference(mu1, cov1).distance(mu2, cov2);
}

/** One side of many distances (the reference of every unit's score): Σ₁^½ computed once. */
export class FrechetReference {
  private readonly root: Matrix;
  private readonly trace: number;

  constructor(
    readonly mu: Float64Array,
    cov: Float64Array,
  ) {
    const S1 = new Matrix(rows(cov, mu.length));
    this.root = sqrtSymmetric(S1);
    this.trace = S1.trace();
  }

  /** d between the reference and N(μ₂, Σ₂). */
  distance(mu2: Float64Array, cov2: Float64Array): number {
    const d = this.mu.length;
    let mean = 0;
    for (let i = 0; i < d; i++) mean += (this.mu[i] - mu2[i]) ** 2;
    const S2 = new Matrix(rows(cov2, d));
    const inner = this.root.mmul(S2).mmul(this.root);
    const sym = inner.add(inner.transpose()).div(2); // exact symmetry for the eigensolver
    const lambdas = new EigenvalueDecomposition(sym, { assumeSymmetric: true }).realEigenvalues;
    const trRoot = lambdas.reduce((a, l) => a + Math.sqrt(Math.max(0, l)), 0);
    const d2 = mean + this.trace + S2.trace() - 2 * trRoot;
    return Math.sqrt(Math.max(0, d2));
  }
}

/** Σ^½ of a symmetric positive semi-definite matrix (negative eigenvalues, rounding, clamped to 0). */
function sqrtSymmetric(S: Matrix): Matrix {
  const e = new EigenvalueDecomposition(S, { assumeSymmetric: true });
  const V = e.eigenvectorMatrix;
  const D = Matrix.diag(e.realEigenvalues.map((l) => Math.sqrt(Math.max(0, l))));
  return V.mmul(D).mmul(V.transpose());
}

function rows(a: Float64Array, d: number): number[][] {
  return Array.from({ length: d }, (_, i) => Array.from(a.subarray(i * d, (i + 1) * d)));
}

/** Streaming mean and covariance of d-dimensional features (sums of x and x xᵀ, in float64). */
export class GaussianStats {
  private n = 0;
  private readonly sum: Float64Array;
  private readonly outer: Float64Array;

  constructor(readonly d: number) {
    this.sum = new Float64Array(d);
    this.outer = new Float64Array(d * d);
  }

  /** Adds k feature vectors (k × d, row-major). */
  add(x: Float32Array | Float64Array, k: number): void {
    const d = this.d;
    for (let r = 0; r < k; r++) {
      const o = r * d;
      for (let i = 0; i < d; i++) {
        const xi = x[o + i];
        this.sum[i] += xi;
        for (let j = i; j < d; j++) this.outer[i * d + j] += xi * x[o + j];
      }
    }
    this.n += k;
  }

  get count(): number {
    return this.n;
  }

  mean(): Float64Array {
    return this.sum.map((s) => s / this.n);
  }

  /** The sample covariance (n − 1 in the denominator, as numpy's np.cov and the FID reference use). */
  covariance(): Float64Array {
    const d = this.d;
    const mu = this.mean();
    const c = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = i; j < d; j++) {
        const v = (this.outer[i * d + j] - this.n * mu[i] * mu[j]) / Math.max(1, this.n - 1);
        c[i * d + j] = v;
        c[j * d + i] = v;
      }
    return c;
  }

  state(): { n: number; sum: Float64Array; outer: Float64Array } {
    return { n: this.n, sum: this.sum.slice(), outer: this.outer.slice() };
  }

  load(s: { n: number; sum: Float64Array; outer: Float64Array }): void {
    this.n = s.n;
    this.sum.set(s.sum);
    this.outer.set(s.outer);
  }
}
