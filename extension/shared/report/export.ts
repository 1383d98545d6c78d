/** Exports of a finished run: a self-contained HTML report (images inlined), CSV of units, JSON. */
import * as fs from 'node:fs';
import { renderReport } from './report';
import { RunFolder } from '../run/folder';
import type { DissectResult } from '../run/schema';
import { writeAtomic } from '../run/blob';

export type ExportFormat = 'html' | 'csv' | 'json';

function csvCell(v: string | number | boolean): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function unitsCsv(r: DissectResult): string {
  const rows = [['layer', 'unit', 'label', 'category', 'iou', 'iqr', 'threshold', 'interpretable', 'top_samples'].join(',')];
  for (const l of r.layers) {
    for (const u of l.units) {
      rows.push(
        [l.layer, u.unit, u.label, u.category, u.iou, u.iqr, u.threshold, u.interpretable, u.top.map((t) => t.sample).join(' ')]
          .map(csvCell)
          .join(','),
      );
    }
  }
  return rows.join('\n') + '\n';
}

/** The report with every image (the units' strips) inlined as a data URI, readable anywhere as one file. */
export function selfContainedHtml(out: string, r: DissectResult): string {
  const run = new RunFolder(out);
  const strips = new Set(r.layers.flatMap((l) => l.units.flatMap((u) => (u.image ? [u.image] : []))));
  return renderReport(r).replace(/src="([^"]+)"/g, (m, rel: string) => {
    if (!strips.has(rel)) return m;
    const file = run.file(rel);
    return fs.existsSync(file) ? `src="data:image/png;base64,${fs.readFileSync(file).toString('base64')}"` : m;
  });
}

export function exportRun(out: string, format: ExportFormat, target: string): void {
  const r = new RunFolder(out).result();
  const text = format === 'html' ? selfContainedHtml(out, r) : format === 'csv' ? unitsCsv(r) : JSON.stringify(r, null, 1);
  writeAtomic(target, text);
}
