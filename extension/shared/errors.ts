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
  /** ONNX Runtime could not allocate a batch's tensors (the message names --batch). */
  | 'out-of-memory'
  /** Reading or writing a file failed (a full disk, a permission; its errno, as words). */
  | 'fs-error'
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

const ERRNO_WORDS: Record<string, string> = {
  EACCES: 'permission denied: choose a folder you can write to',
  EPERM: 'not permitted: choose a folder you can write to',
  EROFS: 'the file system is read-only: choose another folder',
  ENOTDIR: 'a file stands where a folder is needed: choose another --out',
  EEXIST: 'a file stands where a folder is needed: choose another --out',
  EISDIR: 'a folder stands where a file is needed',
  ENOSPC: 'the disk is full: free some space or choose another --out',
  EDQUOT: 'the disk quota is exceeded: free some space or choose another --out',
  ENAMETOOLONG: 'the path is too long',
  ENOENT: 'a folder on the way does not exist and cannot be made',
  EMFILE: 'too many open files',
};

/** A file-system error's errno as words that say what to do (its message where the errno is unknown). */
export function errnoWords(e: NodeJS.ErrnoException): string {
  return ERRNO_WORDS[e.code ?? ''] ?? e.message;
}

/**
 * A Node file-system error (one with an errno code and a path) as a DissectError naming the file and what
 * to do; undefined for any other error.
 */
export function fileSystemError(e: unknown): DissectError | undefined {
  const x = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof x.code !== 'string' || !/^E[A-Z]+$/.test(x.code)) return undefined;
  const file = x.path ?? (x as { dest?: string }).dest;
  return new DissectError('fs-error', `${x.syscall ?? 'file access'} ${file ?? ''} failed: ${errnoWords(x)}`.replace(/\s+failed/, ' failed'));
}
