/** One-line descriptions of a unit's label, for the tree and the hover (no ONNX Runtime, no vscode). */
import type { UnitResult } from './schema';

/** "IoU 0.310 ± 0.006": the label's IoU with its jackknife standard error when the run has one. */
export function describeIou(u: Pick<UnitResult, 'iou' | 'stability'>): string {
  return `IoU ${u.iou.toFixed(3)}${u.stability ? ` ± ${u.stability.iouSe.toFixed(3)}` : ''}`;
}

/** "tree, IoU 0.310 ± 0.006, label stable in 9/10 blocks". */
export function describeLabel(u: Pick<UnitResult, 'label' | 'iou' | 'stability'>): string {
  const stable = u.stability ? `, label stable in ${u.stability.agree}/${u.stability.blocks} blocks` : '';
  return `${u.label}, ${describeIou(u)}${stable}`;
}
