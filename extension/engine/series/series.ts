/**
 * A checkpoint series (the paper's S-6.6, Fig. 18: how units emerge during training): every checkpoint a
 * pattern names dissected with the same latents and settings into its own run folder, and series.json
 * (SeriesFolder) rebuilt after each. A checkpoint already dissected is not redone (the dissection's own
 * cache: same models and settings), an interrupted one resumes; with `watch`, new checkpoints are taken as
 * they land, each once it is complete.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dissect, type DissectOptions } from '../dissect/dissect';
import { SeriesFolder, RunFolder } from '../../shared/run/folder';
import { layerFigures } from '../../shared/run/compare';
import type { SeriesCheckpoint, SeriesResult } from '../../shared/run/schema';
import { CancelledError, DissectError } from '../../shared/errors';
import { CompletionTracker, matchCheckpoints, stepOf, type Checkpoint } from './checkpoints';

export interface SeriesOptions {
  /** A glob over one folder's file names (`ckpt/G_*.onnx`), a folder, or one file. */
  pattern: string;
  /** The dissection every checkpoint gets: the generator spec's path is each checkpoint's; `out` is ignored. */
  dissect: Omit<DissectOptions, 'out' | 'signal' | 'onLog'>;
  out: string;
  watch?: boolean;
  /** Milliseconds between looks at the folder (watch). */
  pollMs?: number;
  signal?: AbortSignal;
  onLog?: (line: string) => void;
  /** Each checkpoint as it starts and ends (the status bar's "dissecting step 12000 · 3 of 5"). */
  onCheckpoint?: (c: { step: number; file: string; index: number; total: number; state: 'dissecting' | 'done' | 'cached' }) => void;
  /** The summary after each checkpoint. */
  onSummary?: (s: SeriesResult) => void;
}

/** Dissects the checkpoints (and, watching, those that land later until the signal aborts); returns the summary. */
export async function runSeries(o: SeriesOptions): Promise<SeriesResult> {
  const folder = new SeriesFolder(o.out);
  const log = o.onLog ?? (() => {});
  const tracker = new CompletionTracker();
  const done = new Map<string, string>(); // file → its size:mtime when dissected
  const steps = new Map<number, string>(); // step → the file that has it
  let summary = summaryOf(o, folder, []);
  for (;;) {
    if (o.signal?.aborted) break;
    const ready: Checkpoint[] = [];
    for (const file of matchCheckpoints(o.pattern)) {
      const step = stepOf(file);
      if (!step) {
        if (!done.has(file))
          log(`${path.basename(file)}: no step in its name (a number) nor a sidecar ${path.basename(file)}.json {"step": N}; skipped`);
        done.set(file, 'skipped');
        continue;
      }
      const other = steps.get(step.step);
      if (other && other !== file) {
        if (!done.has(file)) log(`${path.basename(file)}: step ${step.step} is ${path.basename(other)}'s too; skipped`);
        done.set(file, 'skipped');
        continue;
      }
      if (done.has(file) && done.get(file) === signature(file)) continue;
      // watching, a file is taken once complete; a one-off run takes what is there (and says what does not parse)
      if (o.watch ? !tracker.complete(file) : !tracker.complete(file, Infinity)) {
        if (!o.watch) throw new DissectError('not-onnx', `${file} is not a whole ONNX model (it does not parse, or its graph is cut short)`);
        continue;
      }
      ready.push({ file, ...step });
    }
    ready.sort((a, b) => a.step - b.step);
    const total = new Set([...steps.keys(), ...ready.map((c) => c.step)]).size;
    for (const c of ready) {
      if (o.signal?.aborted) break;
      steps.set(c.step, c.file);
      const index = [...steps.keys()].sort((a, b) => a - b).indexOf(c.step) + 1;
      o.onCheckpoint?.({ step: c.step, file: c.file, index, total, state: 'dissecting' });
      log(`step ${c.step} (${path.basename(c.file)}) · ${index} of ${total}`);
      const sig = signature(c.file);
      const { cached } = await dissect({
        ...o.dissect,
        generator: { ...o.dissect.generator, path: c.file },
        out: folder.run(c.step).dir,
        resume: true,
        ...(o.signal ? { signal: o.signal } : {}),
        onLog: log,
      });
      done.set(c.file, sig);
      if (cached) log(`step ${c.step}: dissected already (same model and settings)`);
      o.onCheckpoint?.({ step: c.step, file: c.file, index, total, state: cached ? 'cached' : 'done' });
      summary = summaryOf(
        o,
        folder,
        [...steps.entries()].map(([step, file]) => ({ step, file })),
      );
      folder.writeSummary(summary);
      o.onSummary?.(summary);
    }
    if (!o.watch) break;
    await sleep(o.pollMs ?? 2000, o.signal);
  }
  if (o.signal?.aborted && !o.watch) throw new CancelledError('series cancelled');
  if (summary.checkpoints.length === 0 && !o.watch) throw new DissectError('file-missing', `no checkpoints match ${o.pattern}`);
  return summary;
}

function signature(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'gone';
  }
}

/** The series summary from its run folders (every checkpoint dissected so far). */
export function summaryOf(
  o: Pick<SeriesOptions, 'pattern' | 'dissect'>,
  folder: SeriesFolder,
  checkpoints: { step: number; file: string }[],
): SeriesResult {
  const rows: SeriesCheckpoint[] = [];
  for (const { step, file } of [...checkpoints].sort((a, b) => a.step - b.step)) {
    const run: RunFolder = folder.run(step);
    const r = run.readResult();
    if (!r || !r.complete) continue;
    rows.push({
      step,
      stepFrom: stepOf(file)?.stepFrom ?? 'name',
      file,
      sha256: r.settings.generator.sha256,
      run: folder.runName(step),
      layers: r.layers.map((l) => layerFigures(l, run.readArtifacts(l.layer))),
    });
  }
  const s = rows.length ? folder.run(rows[0].step).readResult()?.settings : undefined;
  return {
    formatVersion: 1,
    tool: 'gan-dissection-series',
    pattern: o.pattern,
    layers: rows[0]?.layers.map((l) => l.layer) ?? o.dissect.layers ?? [],
    settings: s
      ? { samples: s.samples, seed: 'seed' in s.latents ? s.latents.seed : -1, threshold: s.threshold, thresholdSamples: s.thresholdSamples }
      : {
          samples: o.dissect.samples ?? 0,
          seed: o.dissect.seed ?? 1,
          threshold: o.dissect.threshold ?? 'iqr',
          thresholdSamples: o.dissect.thresholdSamples ?? 0,
        },
    checkpoints: rows,
    updated: new Date().toISOString(),
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
