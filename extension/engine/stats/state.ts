/** Restoring a tally's arrays from a checkpoint or a shard's statistics file. */
import { DissectError } from '../../shared/errors';

type Arr = Float64Array | Float32Array | Int32Array;

/**
 * Copies the saved array `name` into `dst`; a missing array or one of another length means the file was
 * written by another version of this tool (or for other settings), which is said, not read as garbage.
 */
export function restore(dst: Arr, saved: Record<string, Arr | undefined>, name: string): void {
  const src = saved[name];
  if (!src || src.length !== dst.length) {
    throw new DissectError(
      'incompatible-out',
      `saved statistics lack "${name}" or have another size (${src ? src.length : 'missing'} vs ${dst.length}): they were written by another version of gan-dissect; pass --force to start the run over`,
    );
  }
  dst.set(src);
}
