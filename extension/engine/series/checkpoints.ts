/**
 * The checkpoints of a series: the files a glob (or a folder) names, the training step of each — the
 * number in its file name, or a sidecar JSON's "step" — and whether a file is complete: its size stable
 * since the last look and its protobuf parsing (a checkpoint being written is never dissected half-way).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeModel } from '../models/onnx/proto';
import { DissectError } from '../../shared/errors';

export interface Checkpoint {
  file: string;
  step: number;
  stepFrom: 'name' | 'sidecar';
}

/** A glob's regular expression over file names (`*` any run of characters, `?` one; no folders). */
function globRegex(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** The files a pattern names: a glob over one folder's file names (`ckpt/G_*.onnx`), a folder (its .onnx files), or one file. */
export function matchCheckpoints(pattern: string): string[] {
  if (!/[*?]/.test(pattern)) {
    if (!fs.existsSync(pattern)) throw new DissectError('file-missing', `no checkpoint or folder ${pattern}`);
    if (!fs.statSync(pattern).isDirectory()) return [path.resolve(pattern)];
    return matchCheckpoints(path.join(pattern, '*.onnx'));
  }
  const dir = path.dirname(pattern);
  if (/[*?]/.test(dir)) throw new DissectError('bad-usage', `--generator ${pattern}: wildcards go in the file name only, not in folders`);
  if (!fs.existsSync(dir)) throw new DissectError('file-missing', `--generator ${pattern}: no folder ${dir}`);
  const re = globRegex(path.basename(pattern));
  return fs
    .readdirSync(dir)
    .filter((f) => re.test(f) && !f.endsWith('.tmp'))
    .map((f) => path.resolve(dir, f))
    .filter((f) => fs.statSync(f).isFile());
}

/** The sidecar files a checkpoint's step may come from: G.onnx.json, or G.json. */
function sidecars(file: string): string[] {
  return [`${file}.json`, file.replace(/\.onnx$/i, '.json')];
}

/** A checkpoint's step: a sidecar's "step" (an integer ≥ 0), else the last number in its file name; undefined if neither. */
export function stepOf(file: string): { step: number; stepFrom: 'name' | 'sidecar' } | undefined {
  for (const s of sidecars(file)) {
    if (s === file || !fs.existsSync(s)) continue;
    let step: unknown;
    try {
      step = (JSON.parse(fs.readFileSync(s, 'utf8')) as { step?: unknown }).step;
    } catch (e) {
      throw new DissectError('corrupt-file', `${s} is not JSON (${(e as Error).message}); it should hold {"step": N}`);
    }
    if (step === undefined) continue;
    if (!Number.isInteger(step) || (step as number) < 0)
      throw new DissectError('corrupt-file', `${s}: "step" must be an integer ≥ 0, got ${JSON.stringify(step)}`);
    return { step: step as number, stepFrom: 'sidecar' };
  }
  const numbers = path.basename(file).match(/\d+/g);
  return numbers ? { step: Number(numbers[numbers.length - 1]), stepFrom: 'name' } : undefined;
}

/**
 * Whether a file holds a whole ONNX model: its protobuf parses, and its graph is whole — every tensor a
 * node reads is an input, an initializer or another node's output, and every output is made. (A file cut
 * at a field boundary can parse; its initializers and outputs, stored after the nodes, are then missing.)
 */
export function parses(file: string): boolean {
  try {
    const g = decodeModel(fs.readFileSync(file), file).graph;
    if (!g || (g.node ?? []).length === 0 || (g.output ?? []).length === 0) return false;
    const known = new Set<string>([...(g.input ?? []).map((i) => i.name!), ...(g.initializer ?? []).map((t) => t.name!)]);
    for (const n of g.node ?? []) {
      if ((n.input ?? []).some((t) => t !== '' && !known.has(t))) return false;
      for (const o of n.output ?? []) known.add(o);
    }
    return (g.output ?? []).every((o) => known.has(o.name!));
  } catch {
    return false;
  }
}

/**
 * Tells when a file being written is complete: its size and modification time the same at two looks
 * (the first look counts when the file was last written `settleMs` ago or more), and it parses.
 */
export class CompletionTracker {
  private readonly last = new Map<string, string>();

  constructor(private readonly settleMs = 1000) {}

  complete(file: string, now = Date.now()): boolean {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      return false;
    }
    const sig = `${st.size}:${st.mtimeMs}`;
    const before = this.last.get(file);
    this.last.set(file, sig);
    const stable = before === sig || (before === undefined && now - st.mtimeMs >= this.settleMs);
    return stable && st.size > 0 && parses(file);
  }
}
