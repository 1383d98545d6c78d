/**
 * The time left in a dissection, over all its phases (issue 18: an ETA from the overall rate was half the
 * real time, since the first phase runs the generator alone and the later ones also the segmenter and the
 * tallies). Each phase's own rate is measured while it runs (not the run's overall rate, which a resumed
 * run or a fast first phase skews); a phase still to come takes the measured rate of a phase of the same
 * kind (the IQR and IoU passes both segment and tally), else the other kind's times a prior. The top
 * images not kept during the IoU pass are generated again at the generator-only rate.
 */
import type { Phase } from '../../shared/progress';

/**
 * A segmented pass's rate against a generator-only one, until one of each is measured. Measured on the demo
 * (layers 3 and 4, 1000 samples, 2 cores): 230 against 240 samples/s — the quantile pass's upsampled
 * sketches cost about what segmenting and tallying do, so the prior is 1.
 */
export const SEGMENTED_PRIOR = 1;

const segmented = (p: Phase) => p === 'iqr' || p === 'iou';

export class Eta {
  private readonly rates = new Map<Phase, number>();

  /** `phases`: the run's passes still to run, in order, with their sample counts; `render`: top images to generate again. */
  constructor(
    private readonly phases: readonly { phase: Phase; total: number }[],
    private readonly render: number,
  ) {}

  /** The measured rate (samples/s) of a phase, as it runs. */
  measure(phase: Phase, rate: number): void {
    if (rate > 0 && Number.isFinite(rate)) this.rates.set(phase, rate);
  }

  /** The rate a phase is expected to run at: its own, one of its kind, or the prior from the other kind. */
  rateOf(phase: Phase): number | undefined {
    const own = this.rates.get(phase);
    if (own) return own;
    const kind = [...this.rates].filter(([p]) => segmented(p) === segmented(phase)).map(([, r]) => r);
    if (kind.length) return kind[kind.length - 1];
    const other = [...this.rates].map(([, r]) => r).pop();
    if (other === undefined) return undefined;
    return segmented(phase) ? other * SEGMENTED_PRIOR : other / SEGMENTED_PRIOR;
  }

  /** Seconds left: the rest of `phase` (`left` samples) at its rate, the phases after it, the top images. */
  seconds(phase: Phase, left: number): number {
    const at = this.phases.findIndex((p) => p.phase === phase);
    let s = left / (this.rateOf(phase) ?? Infinity);
    for (const p of this.phases.slice(at + 1)) s += p.total / (this.rateOf(p.phase) ?? Infinity);
    return s + this.render / (this.rateOf('quantile') ?? this.rateOf(phase)! / SEGMENTED_PRIOR);
  }
}
