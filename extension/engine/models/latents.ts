/** Where a run's latents come from: a seed (sample j ↦ its own stream) or a .npy file [N, dims]. */
import { normalLatent } from '../data/rng';
import { readNpy } from '../data/npy';
import { sha256 } from './onnx/proto';
import * as fs from 'node:fs';
import { DissectError } from '../../shared/errors';

export interface LatentSource {
  /** Description recorded in settings: {seed} or {file, sha256}. */
  describe(): { seed: number } | { file: string; sha256: string };
  /** How many samples the source can give (Infinity for a seed). */
  available: number;
  batch(start: number, n: number): Float32Array;
}

export function seededLatents(seed: number, dims: number): LatentSource {
  return {
    describe: () => ({ seed }),
    available: Infinity,
    batch(start, n) {
      const out = new Float32Array(n * dims);
      for (let i = 0; i < n; i++) normalLatent(seed, start + i, dims, out.subarray(i * dims, (i + 1) * dims));
      return out;
    },
  };
}

export function fileLatents(file: string, latentShape: number[]): LatentSource {
  const dims = latentShape.reduce((a, b) => a * b, 1);
  const arr = readNpy(file);
  const per = arr.shape.slice(1).reduce((a, b) => a * b, 1);
  if (arr.shape.length < 2 || per !== dims) {
    throw new DissectError(
      'bad-latents',
      `${file} has shape (${arr.shape.join(', ')}); the generator's latent needs (N, ${latentShape.join(', ')}) float32`,
    );
  }
  // A NaN or Inf latent would come out as a NaN image, and be blamed on the generator: name it here.
  const bad = arr.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const row = Math.floor(bad / dims);
    throw new DissectError(
      'bad-latents',
      `${file} holds a non-finite value (${arr.data[bad]}) at row ${row}, column ${bad - row * dims}: every latent must be a finite number`,
    );
  }
  const hash = sha256(fs.readFileSync(file));
  return {
    describe: () => ({ file, sha256: hash }),
    available: arr.shape[0],
    batch(start, n) {
      if (start + n > arr.shape[0])
        throw new DissectError('bad-latents', `${file} holds ${arr.shape[0]} latents; sample ${start + n - 1} was asked for`);
      return arr.data.slice(start * dims, (start + n) * dims);
    },
  };
}
