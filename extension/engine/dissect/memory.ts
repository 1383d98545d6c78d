/**
 * How much memory one batch takes, estimated before a run starts, and the batch that fits. Coarse on
 * purpose: per sample, the captured featuremaps about six times over (ONNX Runtime's output, the
 * generator's own intermediate tensors of similar size, and the two shared batch slots the statistics
 * threads read), the image twice, and the segmenter's logits twice (its output and its own buffers).
 * Measured for scale: a 4096×64×64 layer (67 MB per sample) peaked at 9.9 GB at batch 16, ≈ 9× the
 * layer's bytes per sample; the estimate says 6.4 GB there, and the budget below leaves the margin.
 */
import * as os from 'node:os';

/** The share of the machine's memory one batch may take. */
export const BATCH_MEMORY_SHARE = 0.4;

/** Estimated bytes per sample of a batch. */
export function bytesPerSample(
  layers: { shape: [number, number, number] }[],
  imageShape: [number, number, number],
  segShape: [number, number],
  channels: number,
): number {
  const featuremaps = layers.reduce((a, l) => a + l.shape[0] * l.shape[1] * l.shape[2], 0) * 4;
  const image = imageShape[0] * imageShape[1] * imageShape[2] * 4;
  const logits = channels * segShape[0] * segShape[1] * 4;
  return 6 * featuremaps + 2 * image + 2 * logits;
}

/**
 * The batch to run: the one asked for, or (asked for nothing) the default lowered to fit the memory
 * budget. `note` says why, for the log; an asked-for batch over the budget runs, with a warning.
 */
export function fitBatch(
  asked: number | undefined,
  fallback: number,
  perSample: number,
  totalBytes = os.totalmem(),
): { batch: number; note?: string } {
  const budget = BATCH_MEMORY_SHARE * totalBytes;
  const gb = (b: number) => `${(b / 2 ** 30).toFixed(1)} GB`;
  const batch = asked ?? fallback;
  if (batch * perSample <= budget) return { batch };
  const fits = Math.max(1, Math.floor(budget / perSample));
  if (asked !== undefined) {
    return {
      batch,
      note: `warning: --batch ${batch} needs about ${gb(batch * perSample)} of this machine's ${gb(totalBytes)}; if it runs out of memory, use --batch ${fits}`,
    };
  }
  return {
    batch: fits,
    note: `a batch of ${fallback} would need about ${gb(fallback * perSample)} of ${gb(totalBytes)}: using batch ${fits} (--batch overrides)`,
  };
}
