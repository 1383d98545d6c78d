/**
 * How sure is a label? Neither the paper nor its code says. The dissection set's counts are kept in K
 * blocks of samples (stats/iou-tally.ts), and statistics merge exactly, so leaving one block out at a time
 * is cheap: the jackknife's standard error of an IoU,
 *   se = sqrt((K − 1)/K · Σ_b (θ_(−b) − θ̄)²),   θ̄ = mean of the K leave-one-out values θ_(−b),
 * and, for the label, in how many of the K blocks alone the same label wins.
 */

/** The jackknife standard error from the leave-one-out estimates (0 with fewer than two). */
export function jackknifeSe(leaveOneOut: readonly number[]): number {
  const K = leaveOneOut.length;
  if (K < 2) return 0;
  const mean = leaveOneOut.reduce((a, b) => a + b, 0) / K;
  const ss = leaveOneOut.reduce((a, v) => a + (v - mean) ** 2, 0);
  return Math.sqrt(((K - 1) / K) * ss);
}
