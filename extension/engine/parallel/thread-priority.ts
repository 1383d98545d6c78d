/**
 * Scheduling priority of the statistics threads. The thread that calls ONNX Runtime (and ORT's own
 * threads, which it starts) is the critical path whenever the statistics keep up, so the statistics threads
 * run at a lower priority: they never slow inference down, and still get every cycle it leaves idle.
 * Linux sets nice values per thread: setpriority on the thread's id (from /proc/thread-self).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

/** Nice value of the statistics threads (0 = normal, 19 = lowest). */
export const STATS_NICE = 10;

/** Lowers the calling thread's priority to `nice` (never raises it); false where that is not possible. */
export function lowerThreadPriority(nice = STATS_NICE): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const tid = Number(path(fs.readlinkSync('/proc/thread-self')));
    if (!Number.isInteger(tid) || tid <= 0) return false;
    if (os.getPriority(tid) < nice) os.setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}

/** "1234/task/5678" → "5678" */
function path(link: string): string {
  return link.slice(link.lastIndexOf('/') + 1);
}
