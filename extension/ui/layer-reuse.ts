/**
 * Reuse per layer (issue 18): a layer dissected earlier, in any run of the same model with the same
 * settings, is not dissected again — whatever other layers that run had. No `vscode` here (tested in plain Node).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunInfo } from './run-index';

export interface ReuseSettings {
  generator: string;
  segmenter: string;
  threshold: string;
  samples: number;
  topk?: number;
}

/** Whether a finished run was made with these settings, from the generator file as it is now. */
export function sameSettings(r: RunInfo, s: ReuseSettings): boolean {
  const rs = r.result.settings;
  if (rs.threshold !== s.threshold || rs.samples !== s.samples) return false;
  if (s.topk !== undefined && rs.topk !== s.topk) return false;
  if (path.resolve(rs.generator.path) !== path.resolve(s.generator) || path.resolve(rs.segmenter.path) !== path.resolve(s.segmenter)) return false;
  // the generator changed since the run (a new checkpoint saved over it): its results are not this model's
  try {
    return fs.statSync(s.generator).mtimeMs <= r.mtime;
  } catch {
    return false;
  }
}

/** The wanted layers each earlier run already holds (newest run first), and those still to dissect. */
export function reusableLayers(
  runs: readonly RunInfo[],
  wanted: readonly string[],
  s: ReuseSettings,
): { reuse: Map<string, RunInfo>; missing: string[] } {
  const reuse = new Map<string, RunInfo>();
  const matching = runs.filter((r) => sameSettings(r, s)).sort((a, b) => b.mtime - a.mtime);
  for (const layer of wanted) {
    const r = matching.find((x) => x.result.layers.some((l) => l.layer === layer));
    if (r) reuse.set(layer, r);
  }
  return { reuse, missing: wanted.filter((l) => !reuse.has(l)) };
}

/** For the layer picker: the settings each layer was already dissected with ("1000 samples, iqr"), newest first. */
export function dissectedWith(runs: readonly RunInfo[], generator: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of [...runs].sort((a, b) => b.mtime - a.mtime)) {
    if (path.resolve(r.result.settings.generator.path) !== path.resolve(generator)) continue;
    const what = `${r.result.settings.samples} samples, ${r.result.settings.threshold}`;
    for (const l of r.result.layers) {
      const list = out.get(l.layer) ?? out.set(l.layer, []).get(l.layer)!;
      if (!list.includes(what)) list.push(what);
    }
  }
  return out;
}
