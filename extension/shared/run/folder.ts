/**
 * A dissection's run folder as the extension host and the engine both read it: its dissect.json and the
 * folders of the jobs run on it. No ONNX Runtime here (nor anything that loads it), so the host can use it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DissectError } from '../errors';
import { safeName } from './safe-name';
import type { DissectResult, LayerResult } from './schema';

/** An earlier dissection of the layer: its result and folder. */
export interface FromRun {
  out: string;
  result: DissectResult;
  layer: LayerResult;
}

export function readFrom(dir: string, layer: string): FromRun {
  const file = path.join(dir, 'dissect.json');
  if (!fs.existsSync(file)) throw new DissectError('file-missing', `--from ${dir}: no dissect.json there`);
  const result = JSON.parse(fs.readFileSync(file, 'utf8')) as DissectResult;
  const l = result.layers.find((x) => x.layer === layer || x.tensor === layer || x.aliases.includes(layer));
  if (!l)
    throw new DissectError('bad-layer', `--from ${dir} did not dissect layer ${layer} (it has ${result.layers.map((x) => x.layer).join(', ')})`);
  return { out: dir, result, layer: l };
}

/** Where a causal or context job on a dissected layer keeps its results (inside the dissection's folder). */
export function jobFolder(runId: string, layer: string, kind: 'causal' | 'context', concept: string): string {
  return path.join(runId, kind, safeName(layer), safeName(concept));
}
