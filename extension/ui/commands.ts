/**
 * The palette commands: open a model, dissect layers (cancellable progress, cached results), cancel,
 * resume, export, and the navigation commands the tree, hovers and panels use. Each command also takes
 * an argument object so scripts and tests can run it without the pickers.
 */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EngineClient } from '../engine-process/client';
import { EngineError } from '../engine-process/client';
import type { DissectParams, DissectResponse } from '../shared/engine-protocol';
import { saveProject, demoProjectFile } from '../shared/project';
import { exportRun, type ExportFormat } from '../shared/report/export';
import { PHASE_TITLES, type Progress } from '../shared/progress';
import type { ModelRegistry, OpenModel } from './models';
import type { DissectionTree, Node } from './tree';
import type { Panels } from './panels/panels';
import type { SourceLinks } from './source-links';
import type { ProviderStatus } from './status';
import { settings, resultsRoot } from './config';
import { runFolder, interruptedRuns, readRun } from './run-index';
import { defaultLayers } from '../shared/run/layers';

export interface CommandServices {
  context: vscode.ExtensionContext;
  engine: EngineClient;
  models: ModelRegistry;
  tree: DissectionTree;
  panels: Panels;
  source: SourceLinks;
  status: ProviderStatus;
  log: vscode.OutputChannel;
}

interface DissectArgs {
  model?: string;
  layers?: string[];
  samples?: number;
  threshold?: 'iqr' | 'quantile';
  /** Do not open the layer panel when done. */
  noPanel?: boolean;
}

export function registerCommands(s: CommandServices): void {
  const active = new Map<string, vscode.CancellationTokenSource>();
  const reg = (id: string, f: (...args: never[]) => unknown) => s.context.subscriptions.push(vscode.commands.registerCommand(id, f));

  const demoFile = (): string | undefined => {
    try {
      return demoProjectFile();
    } catch {
      return undefined;
    }
  };

  /** A project file for a generator: beside it if writable, else in the extension's storage. */
  const projectFor = async (generator: string): Promise<string | undefined> => {
    const beside = generator.replace(/\.onnx$/i, '') + '.dissect.json';
    if (fs.existsSync(beside)) return beside;
    const demo = demoFile();
    const choices: (vscode.QuickPickItem & { seg?: string; labels?: string })[] = [];
    if (demo) {
      const d = JSON.parse(fs.readFileSync(demo, 'utf8')) as { segmenter: { path: string; labels: string } };
      choices.push({
        label: '$(beaker) The bundled demo segmenter',
        description: 'outdoor scene labels',
        seg: path.resolve(path.dirname(demo), d.segmenter.path),
        labels: path.resolve(path.dirname(demo), d.segmenter.labels),
      });
    }
    choices.push({ label: '$(file) Choose a segmenter ONNX and its labels…' });
    const pick = await vscode.window.showQuickPick(choices, { title: `Segmenter for ${path.basename(generator)}` });
    if (!pick) return undefined;
    let seg = pick.seg;
    let labels = pick.labels;
    if (!seg) {
      const s1 = await vscode.window.showOpenDialog({ title: 'Segmenter (ONNX)', filters: { ONNX: ['onnx'] } });
      if (!s1?.[0]) return undefined;
      const l1 = await vscode.window.showOpenDialog({
        title: 'Labels of the segmenter (JSON array)',
        filters: { JSON: ['json'] },
        defaultUri: vscode.Uri.file(path.dirname(s1[0].fsPath)),
      });
      if (!l1?.[0]) return undefined;
      seg = s1[0].fsPath;
      labels = l1[0].fsPath;
    }
    let target = beside;
    try {
      fs.accessSync(path.dirname(beside), fs.constants.W_OK);
    } catch {
      fs.mkdirSync(s.context.globalStorageUri.fsPath, { recursive: true });
      target = path.join(s.context.globalStorageUri.fsPath, path.basename(beside));
    }
    saveProject(target, { generator: { path: generator }, segmenter: { path: seg!, labels: labels! } });
    void vscode.window.showInformationMessage(`Wrote ${path.basename(target)} so the next open is one click.`);
    return target;
  };

  const openModel = async (arg?: string | vscode.Uri): Promise<OpenModel | undefined> => {
    let file = arg instanceof vscode.Uri ? arg.fsPath : arg;
    if (!file) {
      const demo = demoFile();
      const items: (vscode.QuickPickItem & { id: string })[] = [
        ...(demo
          ? [{ id: 'demo', label: '$(beaker) Bundled demo model', description: 'a scene GAN and its segmenter, trained by this project' }]
          : []),
        { id: 'onnx', label: '$(file-binary) Generator ONNX file…' },
        { id: 'project', label: '$(json) Project file (*.dissect.json)…' },
      ];
      const pick = await vscode.window.showQuickPick(items, { title: 'GAN Dissection: Open Model' });
      if (!pick) return undefined;
      if (pick.id === 'demo') file = demo;
      else {
        const uris = await vscode.window.showOpenDialog({
          filters: pick.id === 'onnx' ? { 'ONNX generator': ['onnx'] } : { 'Dissection project': ['json'] },
        });
        if (!uris?.[0]) return undefined;
        file = uris[0].fsPath;
      }
    }
    if (!file) return undefined;
    if (/\.onnx$/i.test(file)) {
      const project = await projectFor(file);
      if (!project) return undefined;
      file = project;
    }
    try {
      const m = await s.models.open(file);
      s.source.refresh();
      return m;
    } catch (e) {
      void vscode.window.showErrorMessage(`GAN Dissection: cannot open ${path.basename(file)}: ${(e as Error).message}`);
      return undefined;
    }
  };

  const pickModel = async (id?: string): Promise<OpenModel | undefined> => {
    if (id) return s.models.find(id) ?? (await openModel(id));
    const all = s.models.all();
    if (all.length === 0) return openModel();
    if (all.length === 1) return all[0];
    const pick = await vscode.window.showQuickPick(
      all.map((m) => ({ label: m.name, description: m.projectFile, m })),
      { title: 'Which model?' },
    );
    return pick?.m;
  };

  const progressText = (p: Progress) =>
    `${PHASE_TITLES[p.phase]} ${p.done}/${p.total} · ${p.samplesPerSecond.toFixed(1)} ${p.phase === 'render' ? 'images' : 'samples'}/s${p.phase === 'render' ? '' : ` · ETA ${Math.round(p.etaSeconds)} s`}`;

  /** Runs a dissection with a cancellable progress notification; returns the response or undefined. */
  const run = async (params: DissectParams, title: string, retried = false): Promise<DissectResponse | undefined> => {
    fs.mkdirSync(params.out, { recursive: true });
    fs.writeFileSync(path.join(params.out, 'request.json'), JSON.stringify({ ...params, resume: undefined, force: undefined }, null, 1));
    const source = new vscode.CancellationTokenSource();
    active.set(params.out, source);
    void vscode.commands.executeCommand('setContext', 'ganDissection.running', true);
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => source.cancel());
          let last = 0;
          const r = await s.engine.dissect(
            params,
            (p) => {
              const frac = p.phase === 'render' ? 1 : p.overallDone / Math.max(1, p.overallTotal);
              progress.report({ message: progressText(p), increment: Math.max(0, (frac - last) * 100) });
              last = frac;
            },
            source.token,
          );
          return r;
        },
      );
    } catch (e) {
      const err = e as EngineError;
      if (err.code === 'cancelled') {
        const choice = await vscode.window.showInformationMessage(`Dissection cancelled; the work done so far is saved.`, 'Resume');
        if (choice === 'Resume') return run({ ...params, resume: true }, title);
        return undefined;
      }
      if (err.code === 'incompatible-out') {
        const choice = await vscode.window.showWarningMessage(err.message, 'Replace It');
        if (choice === 'Replace It') return run({ ...params, force: true, resume: false }, title);
        return undefined;
      }
      s.log.appendLine(`[error] ${err.message}`);
      const resumable = fs.existsSync(path.join(params.out, 'state.bin'));
      if (err.code === 'crashed' && resumable && !retried) {
        // The engine restarts on the next request; resume once by itself (a second crash asks the user).
        void vscode.window.showWarningMessage(`GAN Dissection: ${err.message} Resuming from the last checkpoint…`);
        return run({ ...params, resume: true, force: false }, title, true);
      }
      const choice = await vscode.window.showErrorMessage(`GAN Dissection: ${err.message}`, ...(resumable ? ['Resume'] : []), 'Show Log');
      if (choice === 'Resume') return run({ ...params, resume: true }, title);
      if (choice === 'Show Log') s.log.show();
      return undefined;
    } finally {
      active.delete(params.out);
      source.dispose();
      void vscode.commands.executeCommand('setContext', 'ganDissection.running', active.size > 0);
    }
  };

  const afterRun = (r: DissectResponse, out: string, showPanel: boolean) => {
    s.status.show(r.result.provider, settings().provider);
    s.models.refresh();
    s.source.refresh();
    if (r.cached) void vscode.window.setStatusBarMessage(`GAN Dissection: reused the earlier dissection in ${path.basename(out)}`, 5000);
    if (showPanel && r.result.layers[0]) s.panels.show('layer', { runId: out, layer: r.result.layers[0].layer });
  };

  reg('ganDissection.openModel', openModel);

  reg('ganDissection.dissectLayer', async (arg?: DissectArgs | Node) => {
    const a: DissectArgs =
      arg && 'kind' in arg
        ? arg.kind === 'layer'
          ? { model: arg.model.projectFile, layers: [arg.layer.name] }
          : arg.kind === 'model'
            ? { model: arg.model.projectFile }
            : {}
        : (arg ?? {});
    const m = await pickModel(a.model);
    if (!m) return undefined;
    if (!m.project.segmenter) {
      void vscode.window.showErrorMessage(`GAN Dissection: ${m.name} has no segmenter in its project file.`);
      return undefined;
    }
    let layers = a.layers;
    if (!layers) {
      let all;
      try {
        all = await s.models.loadLayers(m);
      } catch (e) {
        void vscode.window.showErrorMessage(`GAN Dissection: ${(e as Error).message}`);
        return undefined;
      }
      const def = new Set(defaultLayers(all).map((l) => l.name));
      const picks = await vscode.window.showQuickPick(
        all
          .map((l) => ({
            label: l.name,
            description: l.shape.join('×'),
            detail: l.aliases.length ? `= ${l.aliases.join(', ')}` : undefined,
            picked: false,
            l,
            top: def.has(l.name),
          }))
          .sort((x, y) => Number(y.top) - Number(x.top)),
        { title: `Dissect layers of ${m.name}`, canPickMany: true, placeHolder: 'Pick one or more layers (they share one pass over the samples)' },
      );
      if (!picks || picks.length === 0) return undefined;
      layers = picks.map((p) => p.l.name);
    }
    const cfg = settings();
    let samples = a.samples;
    if (samples === undefined) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: `${cfg.samples} samples`, description: 'from settings (the paper uses 1000)', n: cfg.samples },
          { label: '200 samples', description: 'a quick look', n: 200 },
          { label: 'Other…', n: -1 },
        ],
        { title: `Samples (threshold mode: ${a.threshold ?? cfg.threshold})` },
      );
      if (!pick) return undefined;
      samples = pick.n;
      if (samples < 0) {
        const text = await vscode.window.showInputBox({
          prompt: 'Number of samples',
          value: String(cfg.samples),
          validateInput: (v) => (/^\d+$/.test(v) && Number(v) > 0 ? undefined : 'a positive integer'),
        });
        if (!text) return undefined;
        samples = Number(text);
      }
    }
    const threshold = a.threshold ?? cfg.threshold;
    const out = runFolder(resultsRoot(s.context), m.project.generator.path, layers, threshold, samples);
    const params: DissectParams = {
      runId: out,
      ...(m.project.dissect ?? {}),
      generator: m.project.generator,
      segmenter: m.project.segmenter,
      out,
      layers,
      samples,
      threshold,
      topk: cfg.topk,
      batch: cfg.batchSize,
      provider: cfg.provider,
      ...(cfg.threads > 0 ? { threads: cfg.threads } : {}),
      ...(cfg.statisticsThreads >= 0 ? { workers: cfg.statisticsThreads } : {}),
      resume: fs.existsSync(path.join(out, 'state.bin')),
    };
    const r = await run(params, `Dissecting ${layers.join(', ')} of ${m.name}`);
    if (!r) return undefined;
    afterRun(r, out, !a.noPanel);
    return {
      out,
      cached: r.cached,
      layers: r.result.layers.map((l) => ({ layer: l.layer, interpretable: l.summary.interpretable, units: l.summary.units })),
    };
  });

  reg('ganDissection.cancel', () => {
    for (const source of active.values()) source.cancel();
  });

  reg('ganDissection.resume', async (arg?: { out?: string }) => {
    const candidates = s.models.all().flatMap((m) => interruptedRuns(resultsRoot(s.context), m.project.generator.path));
    let out = arg?.out;
    if (!out) {
      if (candidates.length === 0) {
        void vscode.window.showInformationMessage('No interrupted dissection to resume.');
        return undefined;
      }
      const pick = await vscode.window.showQuickPick(
        candidates.map((c) => ({ label: path.basename(c), description: path.basename(path.dirname(c)), c })),
        { title: 'Resume which dissection?' },
      );
      out = pick?.c;
    }
    if (!out) return undefined;
    const params = JSON.parse(fs.readFileSync(path.join(out, 'request.json'), 'utf8')) as DissectParams;
    const r = await run({ ...params, resume: true }, `Resuming ${path.basename(out)}`);
    if (r) afterRun(r, out, true);
    return r ? { out } : undefined;
  });

  reg('ganDissection.exportReport', async (arg?: { runId?: string; format?: ExportFormat; target?: string }) => {
    let runId = arg?.runId;
    if (!runId) {
      const pick = await s.panels.pickLayer('Export which dissection?');
      runId = pick?.run.out;
    }
    if (!runId || !readRun(runId)) return undefined;
    let format = arg?.format;
    if (!format) {
      const f = await vscode.window.showQuickPick(
        [
          { label: 'HTML report', description: 'one self-contained file, images inlined', f: 'html' as const },
          { label: 'CSV', description: 'one row per unit', f: 'csv' as const },
          { label: 'JSON', description: 'dissect.json', f: 'json' as const },
        ],
        { title: 'Export format' },
      );
      format = f?.f;
    }
    if (!format) return undefined;
    let target = arg?.target;
    if (!target) {
      const uri = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? runId, `dissection.${format}`)),
        filters: { [format.toUpperCase()]: [format] },
      });
      target = uri?.fsPath;
    }
    if (!target) return undefined;
    exportRun(runId, format, target);
    void vscode.window.showInformationMessage(`Exported to ${path.basename(target)}`, 'Open').then((c) => {
      if (c === 'Open') void vscode.env.openExternal(vscode.Uri.file(target!));
    });
    return target;
  });

  reg('ganDissection.showLayer', async (arg?: { runId: string; layer: string } | Node) => {
    if (arg && 'kind' in arg) {
      if (arg.kind !== 'layer' || !arg.run) {
        void vscode.window.showInformationMessage('This layer is not dissected yet: run "GAN Dissection: Dissect Layer…".');
        return;
      }
      arg = { runId: arg.run.out, layer: arg.layer.name };
    }
    if (!arg) {
      const pick = await s.panels.pickLayer('Show which layer?');
      if (!pick) return;
      arg = { runId: pick.run.out, layer: pick.layer.layer };
    }
    s.panels.show('layer', arg);
  });

  reg('ganDissection.showUnit', (arg: { runId: string; layer: string; unit: number }) => {
    s.panels.show('unit', arg);
  });

  /** A dissected layer from a tree node, an argument, or a quick pick. */
  const dissectedLayer = async (arg: { runId: string; layer: string } | Node | undefined, title: string) => {
    if (arg && 'kind' in arg) {
      if ((arg.kind !== 'layer' && arg.kind !== 'unit') || !arg.run) {
        void vscode.window.showInformationMessage('Dissect this layer first: interventions use its dissection (rankings, insertion constants).');
        return undefined;
      }
      return { runId: arg.run.out, layer: arg.layer.name };
    }
    if (arg) return arg;
    const pick = await s.panels.pickLayer(title);
    return pick ? { runId: pick.run.out, layer: pick.layer.layer } : undefined;
  };

  reg('ganDissection.intervene', async (arg?: { runId: string; layer: string; units?: number[]; mode?: 'ablate' | 'insert' } | Node) => {
    const id = await dissectedLayer(arg, 'Intervene on which layer?');
    if (!id) return;
    const a = arg && !('kind' in arg) ? arg : undefined;
    const node = arg && 'kind' in arg && arg.kind === 'unit' ? arg : undefined;
    const units = a?.units ?? (node ? [node.unit.unit] : undefined);
    s.panels.show(
      'intervene',
      { runId: id.runId, layer: id.layer },
      units ? { units, mode: a?.mode ?? 'ablate', strength: 1, mask: null } : undefined,
    );
  });

  reg('ganDissection.causalUnits', async (arg?: { runId: string; layer: string } | Node) => {
    const id = await dissectedLayer(arg, 'Find causal units in which layer?');
    if (id) s.panels.show('causal', id);
  });

  reg('ganDissection.goToSource', async (arg?: { generator: string; layer: string } | Node) => {
    if (arg && 'kind' in arg) {
      if (arg.kind !== 'layer' && arg.kind !== 'unit') return false;
      arg = { generator: arg.model.project.generator.path, layer: arg.layer.name };
    }
    if (!arg) return false;
    return s.source.goToSource(arg.generator, arg.layer);
  });

  reg('ganDissection.filterConcept', async () => {
    const concepts = new Set<string>();
    for (const m of s.models.all())
      for (const r of s.models.runs(m)) for (const l of r.result.layers) for (const c of l.summary.concepts) concepts.add(c.label);
    const pick = await vscode.window.showQuickPick(['(all units)', ...[...concepts].sort()], { title: 'Show units labelled…' });
    if (!pick) return;
    s.tree.conceptFilter = pick === '(all units)' ? undefined : pick;
    s.tree.refresh();
  });

  reg('ganDissection.closeModel', async (n?: Node) => {
    if (n?.kind === 'model') await s.models.close(n.model);
  });

  reg('ganDissection.refresh', () => {
    s.models.refresh();
    s.source.refresh();
  });

  reg('ganDissection.listLayers', async () => {
    const m = await pickModel();
    if (!m) return;
    const layers = await s.models.loadLayers(m);
    await vscode.window.showQuickPick(
      layers.map((l) => ({ label: l.name, description: l.shape.join('×'), detail: l.tensor })),
      { title: `Layers of ${m.name}` },
    );
  });

  reg('ganDissection.openedPanels', () => s.panels.openPanels());
}
