/** Number formatting shared by the panels. */

export const fmtIou = (x: number): string => x.toFixed(3);

/** "0.310 ± 0.006": an IoU with its jackknife standard error, when the run has one. */
export function fmtIouSe(iou: number, stability?: { iouSe: number }): string {
  return stability ? `${fmtIou(iou)} ± ${fmtIou(stability.iouSe)}` : fmtIou(iou);
}

/** "9/10": the blocks of the dissection set whose own label agrees with the unit's. */
export function fmtStability(stability?: { agree: number; blocks: number }): string {
  return stability ? `${stability.agree}/${stability.blocks}` : '–';
}

/** Activations and thresholds: 3 significant digits, no exponent for ordinary magnitudes. */
export function fmtAct(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(2);
  return Number(x.toPrecision(3)).toString();
}

/** Fréchet distances and pixel shifts: 4 significant digits ("43.16", "0.000312"), an exponent only for extreme magnitudes. */
export function fmtSig4(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e7)) return x.toExponential(3);
  return Number(x.toPrecision(4)).toString();
}

/** A share as a percentage: "12.5%" (one decimal), "< 0.1%" for tiny non-zero shares. */
export function fmtShare(x: number): string {
  if (x > 0 && x < 0.0005) return '< 0.1%';
  return `${(x * 100).toFixed(1)}%`;
}
