/** Errors the engine raises on purpose: each names what is wrong and what to do. */
export type ErrorCode =
  | 'file-missing'
  | 'not-onnx'
  | 'bad-model'
  | 'bad-layer'
  | 'bad-labels'
  | 'bad-shape'
  | 'bad-latents'
  | 'non-finite'
  | 'incompatible-out'
  /** The run folder cannot be made or written (its errno, as words). */
  | 'bad-out'
  /** The run folder is held by another writer (shared/run/lock.ts). */
  | 'locked'
  /** A run file (statistics, checkpoint) that is truncated or damaged. */
  | 'corrupt-file'
  | 'bad-usage'
  | 'provider'
  | 'stats-thread';

export class DissectError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DissectError';
  }
}

/** Raised when a run is cancelled; the work done so far is saved and resumable. */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** The nearest names to `name` by edit distance, for "did you mean" hints. */
export function nearest(name: string, candidates: readonly string[], count = 3): string[] {
  const scored = candidates.map((c) => ({ c, d: editDistance(name.toLowerCase(), c.toLowerCase()) }));
  scored.sort((a, b) => a.d - b.d || a.c.localeCompare(b.c));
  return scored.slice(0, count).map((s) => s.c);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}
