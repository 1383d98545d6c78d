/** Progress of a long run: what phase, how far, how fast, and how long to go. */
export type Phase = 'quantile' | 'iqr' | 'iou' | 'render';

export interface Progress {
  phase: Phase;
  /** Samples done in this phase, and the phase's total. */
  done: number;
  total: number;
  /** Samples done and to do over all phases of the run. */
  overallDone: number;
  overallTotal: number;
  samplesPerSecond: number;
  etaSeconds: number;
}

export type ProgressListener = (p: Progress) => void;

export const PHASE_TITLES: Record<Phase, string> = {
  quantile: 'thresholds: quantiles',
  iqr: 'thresholds: IQR',
  iou: 'IoU',
  render: 'top images',
};
