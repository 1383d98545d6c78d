/** Number formatting shared by the panels. */

export const fmtIou = (x: number): string => x.toFixed(3);

/** Activations and thresholds: 3 significant digits, no exponent for ordinary magnitudes. */
export function fmtAct(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(2);
  return Number(x.toPrecision(3)).toString();
}
