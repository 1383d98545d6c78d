/**
 * Builds the Training panel's view model (shared/webview/training.ts) from a series folder: its summary
 * (series.json, or the watch's latest), the concepts' colours from the segmenter's labels, and the units'
 * strips at each checkpoint (images/LAYER/unitNNNN.png of each step's run folder) as image URIs with their
 * sizes. No `vscode` here: the caller passes how a file becomes a webview URI.
 */
import * as path from 'node:path';
import type { SeriesResult } from '../../shared/run/schema';
import type { StepStrip, TrainingView, WatchStatus } from '../../shared/webview/training';
import { RunFolder } from '../../shared/run/folder';
import { hexColour } from '../../shared/webview/colours';
import { pngSize } from './png-size';

/** Each concept of the series' figures with its segmenter label's colour (the labels of the first checkpoint's run). */
function conceptColours(dir: string, s: SeriesResult): Record<string, string> {
  const first = s.checkpoints[0];
  if (!first) return {};
  let labels: { name: string }[] = [];
  try {
    labels = new RunFolder(path.join(dir, first.run)).readResult()?.labels ?? [];
  } catch {
    // an unreadable run: the concepts go without their colours (the webview has fallbacks)
  }
  const index = new Map(labels.map((l, i) => [l.name, i]));
  const colours: Record<string, string> = {};
  for (const c of s.checkpoints)
    for (const l of c.layers)
      for (const u of l.unitsPerConcept) {
        const i = index.get(u.label);
        if (i !== undefined && !(u.label in colours)) colours[u.label] = hexColour(i);
      }
  return colours;
}

/** The panel's view of the series at `dir` (summary: the watch's latest, else series.json). */
export function trainingView(dir: string, summary: SeriesResult, watch: WatchStatus, display: string): TrainingView {
  return {
    seriesId: dir,
    pattern: summary.pattern,
    display,
    settings: summary.settings,
    layers: summary.layers,
    checkpoints: summary.checkpoints.map((c) => ({ step: c.step, file: path.basename(c.file), runId: path.join(dir, c.run), layers: c.layers })),
    colours: conceptColours(dir, summary),
    watch,
    updated: summary.updated,
  };
}

/** The strips of `units` of `layer` at every checkpoint of the series that has them (readable PNGs). */
export function stepStrips(dir: string, summary: SeriesResult, layer: string, units: number[], uri: (file: string) => string): StepStrip[] {
  const out: StepStrip[] = [];
  for (const c of summary.checkpoints) {
    const run = new RunFolder(path.join(dir, c.run));
    for (const unit of units) {
      const file = run.stripFile(layer, unit);
      const size = pngSize(file);
      if (size) out.push({ step: c.step, unit, strip: { src: uri(file), ...size } });
    }
  }
  return out;
}
