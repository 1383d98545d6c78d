/**
 * The panels (host side): layer, unit, intervention and causal. One panel per (kind, run, layer[, unit]),
 * revealed if already open; restored after a reload by a serializer reading the identity the app keeps
 * in its state. Each panel talks to its app only through protocol.ts messages.
 */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type {
  HostMessage,
  WebviewMessage,
  PanelIdentity,
  WebviewRequest,
  ResponseResult,
  InterventionSpec,
  InterventionView,
  CausalView,
  CausalConceptResult,
  ContextView,
} from '../../shared/webview/protocol';
import { readRun, setFlag, listRuns, type RunInfo } from '../run-index';
import { webviewHtml, panelOptions } from './html';
import { layerView, unitView } from './views';
import type { EngineClient } from '../../engine-process/client';
import type { ModelRegistry } from '../models';
import { resultsRoot, settings } from '../config';
import { readFrom, jobFolder } from '../../shared/run/folder';
import { iouRanking, aceRanking } from '../../shared/run/rankings';
import type { CausalResult, ContextResult } from '../../shared/run/schema';

export interface PanelServices {
  context: vscode.ExtensionContext;
  engine: EngineClient;
  models: ModelRegistry;
  hasSource(generatorPath: string, layer: string): Promise<boolean>;
}

export type PanelKind = 'layer' | 'unit' | 'intervene' | 'causal';
const VIEW_TYPES: Record<PanelKind, string> = {
  layer: 'ganDissection.layerPanel',
  unit: 'ganDissection.unitPanel',
  intervene: 'ganDissection.interventionPanel',
  causal: 'ganDissection.causalPanel',
};
/** Samples shown in the intervention panel's grid, and their seed (not the dissection's). */
const PREVIEW_SAMPLES = 4;
const PREVIEW_SEED = 7;

interface PanelState {
  kind: PanelKind;
  id: PanelIdentity;
  panel: vscode.WebviewPanel;
  initial?: InterventionSpec;
  previewKey?: string;
  lastSpec?: InterventionSpec;
  jobs: Map<string, vscode.CancellationTokenSource>;
}

let keys = 0;

export class Panels {
  private readonly open = new Map<string, PanelState>();

  constructor(private readonly s: PanelServices) {
    for (const kind of Object.keys(VIEW_TYPES) as PanelKind[]) {
      s.context.subscriptions.push(
        vscode.window.registerWebviewPanelSerializer(VIEW_TYPES[kind], {
          deserializeWebviewPanel: async (panel, state: unknown) => {
            const id = state as Partial<PanelIdentity> | undefined;
            if (!id?.runId || !id.layer || !readRun(id.runId)) {
              panel.webview.html = `<!DOCTYPE html><html><body><p>This dissection is no longer on disk.</p></body></html>`;
              return;
            }
            this.attach(kind, panel, { runId: id.runId, layer: id.layer, ...(id.unit !== undefined ? { unit: id.unit } : {}) });
          },
        }),
      );
    }
  }

  private key(kind: PanelKind, id: PanelIdentity): string {
    return `${kind}:${id.runId}:${id.layer}:${id.unit ?? ''}`;
  }

  private roots(runId: string): vscode.Uri[] {
    return [
      vscode.Uri.joinPath(this.s.context.extensionUri, 'dist', 'webview'),
      vscode.Uri.file(runId),
      vscode.Uri.file(resultsRoot(this.s.context)),
    ];
  }

  /** Opens (or reveals) a panel. */
  show(kind: PanelKind, id: PanelIdentity, initial?: InterventionSpec): vscode.WebviewPanel {
    const existing = this.open.get(this.key(kind, id));
    if (existing) {
      existing.panel.reveal();
      if (initial && kind === 'intervene') void this.postView(existing, initial);
      return existing.panel;
    }
    const titles: Record<PanelKind, string> = {
      layer: `${id.layer} · dissection`,
      unit: `${id.layer} unit ${id.unit}`,
      intervene: `${id.layer} · intervention`,
      causal: `${id.layer} · causal units`,
    };
    const panel = vscode.window.createWebviewPanel(VIEW_TYPES[kind], titles[kind], vscode.ViewColumn.Active, panelOptions(this.roots(id.runId)));
    this.attach(kind, panel, id, initial);
    return panel;
  }

  /** Titles of the open panels (tests read them). */
  openPanels(): string[] {
    return [...this.open.values()].map((p) => p.panel.title);
  }

  private attach(kind: PanelKind, panel: vscode.WebviewPanel, id: PanelIdentity, initial?: InterventionSpec): void {
    const key = this.key(kind, id);
    const st: PanelState = { kind, id, panel, jobs: new Map(), ...(initial ? { initial } : {}) };
    this.open.set(key, st);
    panel.webview.options = panelOptions(this.roots(id.runId));
    panel.iconPath = new vscode.ThemeIcon({ layer: 'layers', unit: 'symbol-field', intervene: 'edit', causal: 'graph-line' }[kind]);
    panel.webview.html = webviewHtml(panel.webview, this.s.context.extensionUri, kind, panel.title);
    const sub = panel.webview.onDidReceiveMessage((m: WebviewMessage) =>
      this.onMessage(st, m).catch((e: Error) => void vscode.window.showErrorMessage(`GAN Dissection: ${e.message}`)),
    );
    panel.onDidDispose(() => {
      sub.dispose();
      for (const j of st.jobs.values()) j.cancel();
      if (st.previewKey) this.s.engine.previewClose(st.previewKey);
      if (this.open.get(key) === st) this.open.delete(key);
    });
  }

  private post(st: PanelState, m: HostMessage): void {
    void st.panel.webview.postMessage(m);
  }

  private uri(st: PanelState, file: string): string {
    return st.panel.webview.asWebviewUri(vscode.Uri.file(file)).toString();
  }

  private async postView(st: PanelState, initial?: InterventionSpec): Promise<void> {
    const { id } = st;
    const run = readRun(id.runId);
    const layer = run?.result.layers.find((l) => l.layer === id.layer);
    if (!run || !layer) return;
    const webview = st.panel.webview;
    const hasSource = await this.s.hasSource(run.result.settings.generator.path, id.layer);
    switch (st.kind) {
      case 'layer':
        return this.post(st, { type: 'layer', view: layerView(webview, run, layer, hasSource) });
      case 'unit':
        return this.post(st, { type: 'unit', view: unitView(webview, run, layer, id.unit ?? 0, hasSource) });
      case 'intervene':
        return this.post(st, { type: 'intervention', view: await this.interventionView(st, run, initial ?? st.initial) });
      case 'causal':
        return this.post(st, { type: 'causal', view: this.causalView(st, run, id.layer) });
    }
  }

  private async interventionView(st: PanelState, run: RunInfo, initial?: InterventionSpec): Promise<InterventionView> {
    const id = st.id;
    st.previewKey ??= `preview-${++keys}`;
    const opened = await this.s.engine.previewOpen({
      key: st.previewKey,
      runId: id.runId,
      layer: id.layer,
      samples: PREVIEW_SAMPLES,
      seed: PREVIEW_SEED,
      provider: settings().provider,
    });
    const from = readFrom(id.runId, id.layer);
    const rankings: InterventionView['rankings'] = {};
    for (const c of from.layer.summary.concepts.length > 0 ? from.layer.summary.concepts.map((x) => x.label) : []) {
      const ace = aceRanking(from, c);
      rankings[c] = { iou: iouRanking(from, c).slice(0, 64), ...(ace ? { ace } : {}) };
    }
    // concepts with no interpretable unit still get an IoU ranking, so any concept can be intervened on
    for (const l of run.result.labels) if (l.category !== '-' && !rankings[l.name]) rankings[l.name] = { iou: iouRanking(from, l.name).slice(0, 64) };
    return {
      runId: id.runId,
      model: path.basename(run.result.settings.generator.path),
      layer: id.layer,
      shape: opened.shape,
      image: { height: opened.image[0], width: opened.image[1] },
      labels: opened.labels.filter((l) => l.category !== '-' || l.name === '-'),
      units: from.layer.units.map((u) => ({ unit: u.unit, label: u.label, iou: u.iou })),
      rankings,
      samples: opened.samples.map((s) => ({ sample: s.sample, before: this.uri(st, s.before), segBefore: this.uri(st, s.segBefore) })),
      ...(initial ? { initial } : {}),
    };
  }

  private causalView(st: PanelState, run: RunInfo, layer: string): CausalView {
    const results: CausalConceptResult[] = [];
    const contexts: ContextView[] = [];
    for (const l of run.result.labels) {
      if (l.category === '-') continue;
      const c = path.join(jobFolder(run.out, layer, 'causal', l.name), 'causal.json');
      if (fs.existsSync(c)) results.push(toCausalView(JSON.parse(fs.readFileSync(c, 'utf8')) as CausalResult));
      const x = path.join(jobFolder(run.out, layer, 'context', l.name), 'context.json');
      if (fs.existsSync(x)) contexts.push(this.toContextView(JSON.parse(fs.readFileSync(x, 'utf8')) as ContextResult, st));
    }
    return {
      runId: run.out,
      model: path.basename(run.result.settings.generator.path),
      layer,
      concepts: run.result.labels.filter((l) => l.category !== '-').map((l) => l.name),
      results,
      contexts,
    };
  }

  private toContextView(r: ContextResult, st: PanelState): ContextView {
    const uri = (f: string) => this.uri(st, f);
    return {
      concept: r.concept,
      units: r.units,
      byClass: Object.entries(r.by_class)
        .map(([label, gain]) => ({ label, gain, count: r.counts[label] }))
        .sort((a, b) => b.gain - a.gain),
      grid: r.grid,
      heatmaps: (r.heatmaps ?? []).map((h) => ({ sample: h.sample, image: uri(h.image), heatmap: uri(h.heatmap) })),
    };
  }

  private async onMessage(st: PanelState, m: WebviewMessage): Promise<void> {
    const { id } = st;
    // read lazily: previews arrive on every brush move and need no dissection file
    const run = () => {
      const r = readRun(id.runId);
      if (!r) throw new Error(`the dissection in ${id.runId} is no longer on disk`);
      return r;
    };
    switch (m.type) {
      case 'ready':
        return this.postView(st);
      case 'openUnit':
        this.show('unit', { runId: id.runId, layer: m.layer, unit: m.unit });
        return;
      case 'goToSource':
        await vscode.commands.executeCommand('ganDissection.goToSource', { generator: run().result.settings.generator.path, layer: m.layer });
        return;
      case 'flagUnit':
        setFlag(id.runId, m.layer, m.unit, m.flagged);
        return this.post(st, { type: 'flagged', layer: m.layer, unit: m.unit, flagged: m.flagged });
      case 'exportReport':
        await vscode.commands.executeCommand('ganDissection.exportReport', { runId: id.runId, format: m.format });
        return;
      case 'pickComparison': {
        const other = await this.pickLayer(`Compare ${id.layer} with…`, run(), id.layer);
        if (other)
          this.post(st, {
            type: 'compare',
            view: layerView(
              st.panel.webview,
              other.run,
              other.layer,
              await this.s.hasSource(other.run.result.settings.generator.path, other.layer.layer),
            ),
          });
        return;
      }
      case 'intervene':
        this.show('intervene', { runId: id.runId, layer: m.layer }, { units: m.units, mode: m.mode, strength: 1, mask: null });
        return;
      case 'copy':
        await vscode.env.clipboard.writeText(m.text);
        void vscode.window.setStatusBarMessage('GAN Dissection: intervention copied as JSON', 3000);
        return;
      case 'saveImage': {
        if (!st.previewKey || !st.lastSpec) return;
        const target = await vscode.window.showSaveDialog({
          filters: { PNG: ['png'] },
          defaultUri: vscode.Uri.file(
            path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? id.runId, `${id.layer}-edited-${m.sample}.png`),
          ),
        });
        if (target) await this.s.engine.previewSave({ key: st.previewKey, spec: st.lastSpec, sample: m.sample, target: target.fsPath });
        return;
      }
      case 'cancelJob':
        st.jobs.get(m.job)?.cancel();
        return;
      case 'request':
        try {
          this.post(st, { type: 'response', id: m.id, result: await this.answer(st, m.request) });
        } catch (e) {
          this.post(st, { type: 'response', id: m.id, error: (e as Error).message });
        }
        return;
    }
  }

  private async answer(st: PanelState, r: WebviewRequest): Promise<ResponseResult> {
    const { id } = st;
    const provider = settings().provider;
    switch (r.kind) {
      case 'heatmaps': {
        const res = await this.s.engine.heatmaps({
          out: id.runId,
          layer: r.layer,
          unit: r.unit,
          count: r.count,
          seed: 1000 + Math.floor(Math.random() * 1e6),
          provider,
        });
        return {
          kind: 'heatmaps',
          heatmaps: { samples: res.samples.map((s) => ({ ...s, image: this.uri(st, s.image), heatmap: this.uri(st, s.heatmap) })) },
        };
      }
      case 'preview': {
        if (!st.previewKey) throw new Error('the intervention panel is not ready yet');
        st.lastSpec = r.spec;
        return { kind: 'preview', preview: await this.s.engine.preview({ key: st.previewKey, spec: r.spec }) };
      }
      case 'causal':
      case 'context': {
        const source = new vscode.CancellationTokenSource();
        st.jobs.set(r.job, source);
        const onProgress = (done: number, total: number, what: string) => this.post(st, { type: 'progress', job: r.job, done, total, what });
        try {
          const base = { jobId: r.job, runId: id.runId, layer: id.layer, concept: r.concept, samples: r.samples, provider };
          if (r.kind === 'causal') {
            const res = await this.s.engine.causal({ ...base, count: r.count, searchSamples: Math.min(32, r.samples) }, onProgress, source.token);
            return { kind: 'causal', result: toCausalView(res) };
          }
          const res = await this.s.engine.context({ ...base, grid: 8 }, onProgress, source.token);
          return { kind: 'context', context: this.toContextView(res, st) };
        } finally {
          st.jobs.delete(r.job);
          source.dispose();
        }
      }
    }
  }

  /** A quick pick of dissected layers across the open models' runs (other than the one shown). */
  async pickLayer(title: string, current?: RunInfo, exclude?: string) {
    const items: (vscode.QuickPickItem & { run: RunInfo; layer: RunInfo['result']['layers'][number] })[] = [];
    for (const m of this.s.models.all()) {
      for (const run of listRuns(resultsRoot(this.s.context), m.project.generator.path)) {
        for (const l of run.result.layers) {
          if (current && run.out === current.out && l.layer === exclude) continue;
          items.push({
            label: `${path.basename(run.result.settings.generator.path)} · ${l.layer}`,
            description: `${l.summary.interpretable}/${l.summary.units} interpretable · ${run.result.settings.threshold}, ${run.result.settings.samples} samples`,
            run,
            layer: l,
          });
        }
      }
    }
    if (items.length === 0) {
      void vscode.window.showInformationMessage('No other dissected layer: dissect another layer or model first.');
      return undefined;
    }
    return vscode.window.showQuickPick(items, { title });
  }
}

function toCausalView(r: CausalResult): CausalConceptResult {
  const brief = (a: CausalResult['ace']) => ({ ace: a.ace, removed: a.removed, added: a.added, ci: { ace: a.ci.ace } });
  return {
    concept: r.concept,
    units: r.units,
    ...(r.iouUnits ? { iouUnits: r.iouUnits } : {}),
    curves: r.curves,
    ace: brief(r.ace),
    ...(r.iouAce ? { iouAce: brief(r.iouAce) } : {}),
    samples: r.samples,
  };
}
