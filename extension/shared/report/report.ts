/**
 * The offline HTML report of a run: one file (styles, script and data inline) beside the images it shows.
 * Per layer: the summary chart (interpretable units per concept, coloured by category, as the paper's
 * Fig. 5/6) and a table of units with their top-image strips, sortable and filterable.
 */
import * as path from 'node:path';
import { RunFolder } from '../run/folder';
import type { ArtifactsResult, DissectResult, LayerResult } from '../run/schema';
import { reportCategoryColour as colour } from '../webview/colours';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** An SVG bar chart of interpretable units per concept. */
export function conceptChart(concepts: { label: string; category: string; count: number }[]): string {
  if (concepts.length === 0) return '<p class="muted">No interpretable units.</p>';
  const bw = 22;
  const h = 120;
  const max = Math.max(...concepts.map((c) => c.count));
  const bars = concepts.map((c, i) => {
    const bh = Math.max(1, Math.round((c.count / max) * h));
    const x = i * bw + 40; // room on the left for the first rotated label
    return (
      `<g><title>${esc(c.label)} (${esc(c.category)}): ${c.count}</title><rect x="${x}" y="${h - bh + 14}" width="${bw - 4}" height="${bh}" fill="${colour(c.category)}"/>` +
      `<text x="${x + (bw - 4) / 2}" y="${h - bh + 11}" font-size="9" text-anchor="middle">${c.count}</text>` +
      `<text transform="translate(${x + (bw - 4) / 2 + 3},${h + 18}) rotate(-60)" font-size="10" text-anchor="end">${esc(c.label)}</text></g>`
    );
  });
  return `<svg class="chart" width="${concepts.length * bw + 48}" height="${h + 80}" role="img" aria-label="interpretable units per concept">${bars.join('')}</svg>`;
}

/** A layer's artifact units in the report: what the distances are in, Table 1, and the realistic-units chart (S-6.3). */
function artifactsSection(l: LayerResult, a: ArtifactsResult): string {
  const f = (x: number) => x.toFixed(3);
  const m = a.repair;
  const table = m
    ? `<table><thead><tr><th></th><th>distance</th></tr></thead><tbody><tr><td>original</td><td>${f(m.original)}</td></tr><tr><td>units ${m.units.join(', ')} ablated</td><td>${f(
        m.repaired,
      )}</td></tr><tr><td>${m.units.length} random units ablated (${m.random.draws.length} draws)</td><td>${f(m.random.mean)} (95% interval ${f(m.random.ci95[0])}…${f(
        m.random.ci95[1],
      )})</td></tr></tbody></table><p class="muted">${m.samples} fresh samples. Pixels away from the ablated units: mean change ${m.unchanged.meanShift.toExponential(2)}, largest ${m.unchanged.maxShift.toExponential(2)}.</p>`
    : '';
  const realistic = a.realistic
    ? `<p>Realistic units only (${esc(a.realistic.rule)}; ${a.realistic.kept} of ${a.realistic.total} units):</p>${conceptChart(
        a.realistic.concepts.filter((c) => c.realistic > 0).map((c) => ({ label: c.name, category: c.category, count: c.realistic })),
      )}`
    : '';
  return `<h3>Artifact units</h3><p>${esc(a.features.label)}, against ${esc(a.reference.label)}; each unit's top ${a.top} of ${a.samples} samples. Least realistic: ${a.ranking
    .slice(0, 8)
    .map((u) => `${u} (${f(a.units[u].distance)})`)
    .join(
      ', ',
    )}. Flagged automatically: ${a.flagged.join(', ') || 'none'}${a.manual.length ? `; by hand: ${a.manual.join(', ')}` : ''}.</p>${table}${realistic}`;
}

export function renderReport(result: DissectResult, artifacts: Record<string, ArtifactsResult> = {}): string {
  const s = result.settings;
  const layerSections = result.layers
    .map((l) => {
      const a = artifacts[l.layer];
      const flagged = new Set([...(a?.flagged ?? []), ...(a?.manual ?? [])]);
      const realism = (u: number) =>
        a
          ? `<td${flagged.has(u) ? ' title="flagged as an artifact unit"' : ''}>${a.units[u]?.distance.toFixed(3) ?? ''}${flagged.has(u) ? ' ⚑' : ''}</td>`
          : '';
      const rows = [...l.units]
        .sort((a, b) => b.iou - a.iou)
        .map(
          (u) =>
            `<tr data-label="${esc(u.label)}" data-iou="${u.iou}" data-unit="${u.unit}" class="${u.interpretable ? '' : 'muted'}">` +
            `<td>${u.unit}</td><td><span class="dot" style="background:${colour(u.category)}"></span>${esc(u.label)}</td><td>${esc(u.category)}</td>` +
            `<td>${u.iou.toFixed(3)}</td><td>${u.iqr.toFixed(3)}</td><td>${u.threshold.toPrecision(4)}</td>` +
            `${realism(u.unit)}<td>${u.image ? `<img loading="lazy" src="${esc(u.image)}" alt="top images of unit ${u.unit}">` : ''}</td></tr>`,
        )
        .join('\n');
      const cats = Object.entries(l.summary.categories)
        .map(([c, n]) => `<span class="dot" style="background:${colour(c)}"></span>${esc(c)} ${n}`)
        .join(' · ');
      return `<section id="${esc(l.layer)}"><h2>${esc(l.layer)} <small>[${l.shape.join('×')}] ${l.summary.interpretable}/${l.summary.units} units interpretable${cats ? ' · ' + cats : ''}</small></h2>
${conceptChart(l.summary.concepts)}
${artifacts[l.layer] ? artifactsSection(l, artifacts[l.layer]) : ''}
<p><input class="filter" placeholder="filter by concept…" aria-label="filter units of ${esc(l.layer)} by concept"> <label><input type="checkbox" class="only"> interpretable only</label></p>
<table><thead><tr><th>unit</th><th>label</th><th>category</th><th>IoU</th><th>IQR</th><th>threshold</th>${a ? '<th title="Fréchet distance of the unit\'s top samples">realism</th>' : ''}<th>top images</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
    })
    .join('\n');
  const perLayer = result.layers
    .map(
      (l) =>
        `<tr><td><a href="#${esc(l.layer)}">${esc(l.layer)}</a></td><td>${l.shape.join('×')}</td><td>${l.summary.interpretable}/${l.summary.units}</td><td>${l.summary.concepts
          .slice(0, 6)
          .map((c) => `${esc(c.label)} ${c.count}`)
          .join(', ')}</td></tr>`,
    )
    .join('');
  const lat = 'seed' in s.latents ? `seed ${s.latents.seed}` : esc(path.basename(s.latents.file));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>GAN Dissection — ${esc(path.basename(s.generator.path))}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.4em}h2{font-size:1.15em;border-bottom:1px solid #ccc;padding-bottom:.2em}small{color:#666;font-weight:normal}
table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;vertical-align:middle}th{border-bottom:1px solid #999}
tr.muted td{color:#999}.muted{color:#888}.dot{display:inline-block;width:.7em;height:.7em;border-radius:50%;margin-right:.3em}
img{image-rendering:pixelated;height:64px}.chart text{fill:#333}code{background:#eee;padding:0 3px}
@media (prefers-color-scheme:dark){body{background:#1e1e1e;color:#ddd}.chart text{fill:#ddd}th{border-color:#666}code{background:#333}}
</style></head><body>
<h1>GAN Dissection of <code>${esc(path.basename(s.generator.path))}</code></h1>
<p>Segmenter <code>${esc(path.basename(s.segmenter.path))}</code> · ${s.samples} samples (${lat}) · threshold <b>${s.threshold}</b>${s.threshold === 'quantile' ? ` ${s.quantile}` : ` (IQR, ${s.thresholdSamples} threshold samples)`} · provider <b>${result.provider.name}</b>${result.provider.fallback ? ` (${esc(result.provider.fallback)})` : ''} · ${result.timings.seconds.toFixed(1)} s · ${esc(result.created)}</p>
<p>A unit is interpretable when IoU &gt; ${s.iouMin} and IQR &gt; ${s.iqrMin}. Top images: the unit's region above threshold is highlighted, the rest dimmed.</p>
<table><thead><tr><th>layer</th><th>shape</th><th>interpretable</th><th>top concepts</th></tr></thead><tbody>${perLayer}</tbody></table>
${layerSections}
<script>
for (const sec of document.querySelectorAll('section')) {
  const f = sec.querySelector('.filter'), only = sec.querySelector('.only');
  const apply = () => { const q = f.value.toLowerCase(); for (const tr of sec.querySelectorAll('tbody tr')) tr.hidden = (q && !tr.dataset.label.toLowerCase().includes(q)) || (only.checked && tr.classList.contains('muted')); };
  f.addEventListener('input', apply); only.addEventListener('change', apply);
}
</script>
</body></html>
`;
}

/** Writes the run's report, with the artifact units of the layers an artifacts run measured. */
export function writeReport(out: string, result: DissectResult): void {
  const run = new RunFolder(out);
  const artifacts: Record<string, ArtifactsResult> = {};
  for (const l of result.layers) {
    const a = run.readArtifacts(l.layer);
    if (a && a.generator.sha256 === result.settings.generator.sha256) artifacts[l.layer] = a;
  }
  run.writeReport(renderReport(result, artifacts));
}
