/** Exports of a finished run: a self-contained HTML report (images inlined), CSV of units, JSON. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderReport } from './report';
import type { DissectResult } from '../run/schema';

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

/** The report with every image inlined as a data URI, readable anywhere as one file. */
export function selfContainedHtml(out: string, r: DissectResult): string {
  return renderReport(r).replace(/src="(images\/[^"]+\.png)"/g, (_m, rel: string) => {
    const file = path.join(out, rel);
    return fs.existsSync(file) ? `src="data:image/png;base64,${fs.readFileSync(file).toString('base64')}"` : `src="${rel}"`;
  });
}

export function exportRun(out: string, format: ExportFormat, target: string): void {
  const r = JSON.parse(fs.readFileSync(path.join(out, 'dissect.json'), 'utf8')) as DissectResult;
  const text = format === 'html' ? selfContainedHtml(out, r) : format === 'csv' ? unitsCsv(r) : JSON.stringify(r, null, 1);
  fs.writeFileSync(target, text);
}
