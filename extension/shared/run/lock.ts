/**
 * One writer per run folder: an exclusive lock file (created with O_EXCL) that holds the writer's pid,
 * host and what it is doing, from the start of a run to its end. A second writer is refused and told who
 * holds the folder; a lock whose process is gone (same host, pid not alive) is stale and taken over, with
 * a message. The CLI and the extension's engine process take the same lock.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { DissectError, errnoWords } from '../errors';
import { RunFolder } from './folder';
import { makeFolder } from './blob';

export interface LockHolder {
  pid: number;
  host: string;
  /** What the holder is doing, e.g. "dissect" or "merge". */
  what: string;
  /** ISO time the lock was taken. */
  since: string;
}

export interface RunLock {
  readonly file: string;
  release(): void;
}

/** Locks taken by this process (a second lock on the same folder from the same process is refused too). */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but is someone else's.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a lock file's holder is certainly gone: this host, and its pid no longer runs. */
function stale(file: string, h: LockHolder | undefined): boolean {
  if (h) return h.host === os.hostname() && !held.has(file) && !alive(h.pid);
  // An unreadable lock (its writer died between create and write): stale once it is a few seconds old.
  try {
    return Date.now() - fs.statSync(file).mtimeMs > 10_000;
  } catch {
    return true;
  }
}

/**
 * Takes the lock `file` for `what`, or throws `locked` naming the holder. `dir` is the run folder (for
 * messages); `onLog` hears about a stale lock taken over.
 */
export function lockRunFolder(dir: string, file: string, what: string, onLog?: (line: string) => void): RunLock {
  const me: LockHolder = { pid: process.pid, host: os.hostname(), what, since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const h = readHolder(file);
      if (!stale(file, h)) {
        const who = h ? `${h.what} by process ${h.pid} on ${h.host} since ${h.since}` : 'another process';
        throw new DissectError(
          'locked',
          `${dir} is in use (${who}); wait for it to finish, or choose another --out` +
            (h && h.host !== os.hostname() ? ` (if that process is gone, delete ${file})` : ''),
        );
      }
      onLog?.(`${dir}: taking over a stale lock (${h ? `${h.what} by process ${h.pid}, no longer running` : 'unreadable'})`);
      fs.rmSync(file, { force: true });
      continue;
    }
    try {
      fs.writeSync(fd, JSON.stringify(me));
    } finally {
      fs.closeSync(fd);
    }
    held.add(file);
    const onExit = () => release();
    process.once('exit', onExit);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      held.delete(file);
      process.removeListener('exit', onExit);
      // Only our own lock: never one a later writer took over.
      if (readHolder(file)?.pid === process.pid) fs.rmSync(file, { force: true });
    };
    return { file, release };
  }
}

/**
 * Creates the run folder `dir` (so it is known to be writable before any model is loaded) and takes its
 * lock for `what`. Errors name the folder and what is wrong with it.
 */
export function takeRunFolder(dir: string, what: string, onLog?: (line: string) => void): RunLock {
  ensureFolder(dir);
  try {
    return lockRunFolder(dir, new RunFolder(dir).lockFile, what, onLog);
  } catch (e) {
    if (e instanceof DissectError) throw e;
    throw folderError(dir, e as NodeJS.ErrnoException);
  }
}

/** Creates the folder `dir` (bounded: blob.ts makeFolder) and checks it is one; errors name it and say what to do. */
export function ensureFolder(dir: string): void {
  try {
    makeFolder(dir);
    if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (e) {
    throw folderError(dir, e as NodeJS.ErrnoException);
  }
}

/** A file-system error on the run folder, as a message that says what to do. */
export function folderError(dir: string, e: NodeJS.ErrnoException): DissectError {
  return new DissectError('bad-out', `cannot write to ${dir}: ${errnoWords(e)}`);
}
