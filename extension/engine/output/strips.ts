/**
 * One unit's top-image strip: its top-k tiles side by side, each with the unit's upsampled region above
 * threshold highlighted (highlight.ts), encoded as a PNG. Pure and synchronous, so the statistics
 * threads can write the strips in parallel at the end of a run (parallel/stats-worker.ts).
 */
import { Upsampler } from '../data/upsample';
import { encodePngFast } from '../../shared/png';
import { highlight } from './highlight';
import { GAP } from '../../shared/run/strip-layout';
import { writeAtomic } from '../../shared/run/blob';

export interface StripJob {
  /** Absolute path of the PNG to write. */
  file: string;
  threshold: number;
  /** [h, w] of the layer's featuremap. */
  plane: [number, number];
  /** The top samples, best first, and the unit's featuremap plane (h × w) in each. */
  samples: number[];
  planes: Float32Array[];
}

/** Writes the strips of `jobs`; tiles (th × tw × 3 bytes) by sample. */
export function writeStrips(jobs: StripJob[], tiles: Map<number, Uint8Array>, th: number, tw: number): void {
  const ups = new Map<string, Upsampler>();
  const act = new Float32Array(th * tw);
  for (const job of jobs) {
    const [h, w] = job.plane;
    const key = `${h}x${w}`;
    const up = ups.get(key) ?? ups.set(key, new Upsampler(h, w, th, tw)).get(key)!;
    const k = job.samples.length;
    const SW = k * tw + (k - 1) * GAP;
    const strip = new Uint8Array(SW * th * 3).fill(40);
    job.samples.forEach((s, rank) => {
      up.run(job.planes[rank], 0, act);
      highlight(tiles.get(s)!, act, job.threshold, th, tw, strip, SW, rank * (tw + GAP));
    });
    writeAtomic(job.file, encodePngFast(strip, SW, th));
  }
}
