/** The Fréchet distance (engine/artifacts/frechet.ts) against closed forms, on Gaussians known by construction. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { frechetDistance, GaussianStats } from '../../extension/engine/artifacts/frechet';
import { normalLatent } from '../../extension/engine/data/rng';

const near = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);
const diag = (v: number[]) => {
  const d = v.length;
  const m = new Float64Array(d * d);
  v.forEach((x, i) => (m[i * d + i] = x));
  return m;
};

test('diagonal covariances: d² = |μ₁ − μ₂|² + Σ (σ₁ − σ₂)²', () => {
  const mu1 = Float64Array.of(0, 1, -2);
  const mu2 = Float64Array.of(3, 1, 2);
  const v1 = [1, 4, 9];
  const v2 = [4, 4, 1];
  const expected = Math.sqrt(9 + 0 + 16 + (1 - 2) ** 2 + (2 - 2) ** 2 + (3 - 1) ** 2);
  near(frechetDistance(mu1, diag(v1), mu2, diag(v2)), expected, 1e-9, 'diagonal');
  near(frechetDistance(mu1, diag(v1), mu1, diag(v1)), 0, 1e-6, 'a Gaussian from itself');
});

test('covariances sharing eigenvectors (a rotation R): the same formula on their eigenvalues', () => {
  const t = 0.6;
  const R = [Math.cos(t), -Math.sin(t), Math.sin(t), Math.cos(t)];
  const rotated = (d: [number, number]) => {
    // R diag(d) Rᵀ
    const m = new Float64Array(4);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) m[i * 2 + j] = R[i * 2] * d[0] * R[j * 2] + R[i * 2 + 1] * d[1] * R[j * 2 + 1];
    return m;
  };
  const mu = Float64Array.of(0, 0);
  const expected = Math.sqrt((Math.sqrt(5) - Math.sqrt(2)) ** 2 + (Math.sqrt(0.5) - Math.sqrt(3)) ** 2);
  near(frechetDistance(mu, rotated([5, 0.5]), mu, rotated([2, 3])), expected, 1e-9, 'rotated');
});

test('a general pair in 1-D and its symmetry; a singular covariance is fine', () => {
  // 1-D: d = sqrt((m1 − m2)² + (s1 − s2)²)
  near(frechetDistance(Float64Array.of(1), Float64Array.of(9), Float64Array.of(-1), Float64Array.of(1)), Math.sqrt(4 + 4), 1e-12, '1-D');
  const a = Float64Array.of(2, 1, 1, 3);
  const b = Float64Array.of(1, -0.5, -0.5, 2);
  const mu = Float64Array.of(0, 0);
  near(frechetDistance(mu, a, mu, b), frechetDistance(mu, b, mu, a), 1e-9, 'symmetric');
  near(frechetDistance(mu, diag([1, 0]), mu, diag([0, 1])), Math.sqrt(2), 1e-9, 'singular');
});

test('streaming mean and covariance match the closed form on samples of a known Gaussian', () => {
  const d = 3;
  const n = 20000;
  const s = new GaussianStats(d);
  const x = new Float64Array(n * d);
  const z = new Float32Array(d);
  for (let i = 0; i < n; i++) {
    normalLatent(5, i, d, z);
    // x = μ + L z with L lower-triangular: Σ = L Lᵀ
    x[i * d] = 1 + 2 * z[0];
    x[i * d + 1] = -1 + 0.5 * z[0] + 1 * z[1];
    x[i * d + 2] = 3 * z[2];
  }
  s.add(x.subarray(0, (n / 2) * d), n / 2);
  const t = new GaussianStats(d);
  t.load(s.state()); // resumable: state and load carry the sums
  t.add(x.subarray((n / 2) * d), n / 2);
  const mu = t.mean();
  const cov = t.covariance();
  [1, -1, 0].forEach((m, i) => near(mu[i], m, 0.05, `mean ${i}`));
  const expected = [4, 1, 0, 1, 1.25, 0, 0, 0, 9];
  // the sample covariance's standard error is sqrt((Σᵢᵢ Σⱼⱼ + Σᵢⱼ²) / n); allow four of it
  expected.forEach((c, k) => {
    const [i, j] = [Math.floor(k / d), k % d];
    near(cov[k], c, 4 * Math.sqrt((expected[i * d + i] * expected[j * d + j] + c * c) / n), `cov ${i},${j}`);
  });
  near(frechetDistance(mu, cov, Float64Array.of(1, -1, 0), Float64Array.from(expected)), 0, 0.15, 'close to the truth');
});
