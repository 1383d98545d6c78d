/**
 * Comparisons in words and as a page: a checkpoint series by step, runs side by side (the paper's Fig. 7)
 * and the diff of two runs' layers, for the terminal and as one self-contained HTML file.
 */
import type { LayerFigures, SeriesResult } from '../run/schema';
import type { LayerDiff } from '../run/compare';
import { conceptChart } from './report';

export type ComparedLayer = LayerFigures & { run: string; model: string };

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function topConcepts(l: LayerFigures, n = 5): string {
  return l.unitsPerConcept
    .slice(0, n)
    .map((c) => `${c.label} ${c.count}`)
    .join(', ');
}

/** The series by step: per layer, interpretable units, concepts, mean IoU (and the realism where measured). */
export function seriesText(s: SeriesResult, file: string, watching: boolean): string {
  const lines = [
    `${watching ? 'series so far' : 'series'}: ${s.checkpoints.length} checkpoints of ${s.pattern} (${s.settings.samples} samples each): ${file}`,
  ];
  for (const c of s.checkpoints)
    for (const l of c.layers)
      lines.push(
        `  step ${String(c.step).padStart(8)}  ${l.layer.padEnd(12)} ${String(l.interpretable).padStart(4)}/${l.units} interpretable · ${l.concepts} concepts · mean IoU ${l.meanIou.toFixed(3)}${
          l.realism ? ` · realism ${l.realism.distance.toFixed(3)}` : ''
        }  ${topConcepts(l)}`,
      );
  return lines.join('\n');
}

export function compareText(rows: ComparedLayer[], diffs: LayerDiff[]): string {
  const lines = rows.map(
    (r) =>
      `${r.run}  ${r.layer.padEnd(12)} ${String(r.interpretable).padStart(4)}/${r.units} interpretable · ${r.concepts} concepts · mean IoU ${r.meanIou.toFixed(3)}${
        r.realism ? ` · realism ${r.realism.distance.toFixed(3)}` : ''
      }  ${topConcepts(r)}`,
  );
  for (const d of diffs) {
    lines.push(
      `diff of ${d.layer}: ${d.same} units kept their label, ${d.changed.length} changed, ${d.became.length} became interpretable, ${d.stopped.length} stopped`,
    );
    for (const c of d.changed.slice(0, 20)) lines.push(`  unit ${c.unit}: ${c.from} (${c.iouFrom.toFixed(3)}) → ${c.to} (${c.iouTo.toFixed(3)})`);
    for (const c of d.became.slice(0, 20)) lines.push(`  unit ${c.unit}: now ${c.label} (${c.iou.toFixed(3)})`);
    for (const c of d.stopped.slice(0, 20)) lines.push(`  unit ${c.unit}: no longer ${c.label} (was ${c.iou.toFixed(3)})`);
  }
  return lines.join('\n');
}

/** The comparison as one HTML page: a table of the runs' layers, their concept charts, and the diffs. */
export function comparisonHtml(rows: ComparedLayer[], diffs: LayerDiff[], names: (string | undefined)[]): string {
  const table = rows
    .map(
      (r) =>
        `<tr><td>${esc(r.run)}</td><td>${esc(r.model)}</td><td>${esc(r.layer)}</td><td>${r.interpretable}/${r.units}</td><td>${r.concepts}</td><td>${r.meanIou.toFixed(3)}</td><td>${
          r.realism ? `<span title="${esc(r.realism.label)}">${r.realism.distance.toFixed(3)}</span>` : '—'
        }</td><td>${esc(topConcepts(r, 8))}</td></tr>`,
    )
    .join('\n');
  const charts = rows
    .map((r) => `<figure><figcaption>${esc(r.run)} · ${esc(r.layer)}</figcaption>${conceptChart(r.unitsPerConcept)}</figure>`)
    .join('\n');
  const diffHtml = diffs
    .map((d) => {
      const items = [
        ...d.changed.map((c) => `<li>unit ${c.unit}: ${esc(c.from)} (${c.iouFrom.toFixed(3)}) → ${esc(c.to)} (${c.iouTo.toFixed(3)})</li>`),
        ...d.became.map((c) => `<li>unit ${c.unit}: became ${esc(c.label)} (${c.iou.toFixed(3)})</li>`),
        ...d.stopped.map((c) => `<li>unit ${c.unit}: stopped being ${esc(c.label)} (was ${c.iou.toFixed(3)})</li>`),
      ];
      return `<section><h2>${esc(d.layer)}: ${esc(names[0] ?? '')} → ${esc(names[1] ?? '')}</h2><p>${d.same} units kept their label; ${d.changed.length} changed, ${d.became.length} became interpretable, ${d.stopped.length} stopped.</p><ul>${items.join('')}</ul></section>`;
    })
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>GAN Dissection — comparison</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left}
th{border-bottom:1px solid #999}figure{display:inline-block;margin:0 1em 1em 0;vertical-align:top}figcaption{font-weight:600}.chart text{fill:#333}
@media (prefers-color-scheme:dark){body{background:#1e1e1e;color:#ddd}.chart text{fill:#ddd}th{border-color:#666}}
</style></head><body>
<h1>GAN Dissection: runs side by side</h1>
<table><thead><tr><th>run</th><th>model</th><th>layer</th><th>interpretable</th><th>concepts</th><th>mean IoU</th><th>realism</th><th>top concepts</th></tr></thead><tbody>
${table}
</tbody></table>
${charts}
${diffHtml}
</body></html>
`;
}
