/** Dissecting layers (a cancellable progress notification; cached and resumable results), cancel and resume. */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { EngineError } from '../../engine-process/client';
import type { DissectParams, DissectResponse } from '../../shared/engine-protocol';
import { PHASE_TITLES, type Progress } from '../../shared/progress';
import { defaultLayers } from '../../shared/run/layers';
import type { Node } from '../tree';
import { settings, resultsRoot } from '../config';
import { runFolder, interruptedRuns, listRuns } from '../run-index';
import { dissectedWith, reusableLayers } from '../layer-reuse';
import { RunFolder } from '../../shared/run/folder';
import { pickModel } from './models';
import { pickSamples } from './samples';
import { register, type CommandServices } from './services';

interface DissectArgs {
  model?: string;
  layers?: string[];
  samples?: number;
  threshold?: 'iqr' | 'quantile';
  /** Do not open the layer panel when done. */
  noPanel?: boolean;
}

/** The running dissections, by run folder (what "Cancel Dissection" cancels). */
const active = new Map<string, vscode.CancellationTokenSource>();

function progressText(p: Progress): string {
  return `${PHASE_TITLES[p.phase]} ${p.done}/${p.total} · ${p.samplesPerSecond.toFixed(1)} ${p.phase === 'render' ? 'images' : 'samples'}/s${p.phase === 'render' ? '' : ` · ETA ${Math.round(p.etaSeconds)} s`}`;
}

/** Runs a dissection with a cancellable progress notification; returns the response or undefined. */
async function run(s: CommandServices, params: DissectParams, title: string, retried = false): Promise<DissectResponse | undefined> {
  const folder = new RunFolder(params.out);
  folder.writeRequest({ ...params, resume: undefined, force: undefined });
  const source = new vscode.CancellationTokenSource();
  active.set(params.out, source);
  void vscode.commands.executeCommand('setContext', 'ganDissection.running', true);
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(() => source.cancel());
      let last = 0;
      // the run's log in the Output channel: what it was asked, its phases as they start, what it used and took
      const t0 = Date.now();
      const stamp = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
      s.log.appendLine(
        `[run] ${title}: ${params.layers?.join(', ')} · ${params.samples} samples · ${params.threshold} · provider ${params.provider ?? 'auto'} · batch ${params.batch ?? 'auto'} → ${params.out}${params.resume ? ' (resuming)' : ''}`,
      );
      let phase = '';
      const r = await s.engine.dissect(
        params,
        (p) => {
          if (p.phase !== phase) {
            phase = p.phase;
            s.log.appendLine(`[run]   ${stamp()}: ${PHASE_TITLES[p.phase]} (${p.total} ${p.phase === 'render' ? 'images' : 'samples'})`);
          }
          const frac = p.phase === 'render' ? 1 : p.overallDone / Math.max(1, p.overallTotal);
          progress.report({ message: progressText(p), increment: Math.max(0, (frac - last) * 100) });
          last = frac;
        },
        source.token,
      );
      s.log.appendLine(
        `[run]   ${stamp()}: ${r.cached ? 'reused the earlier result' : 'done'} on ${r.result.provider.name}${r.result.provider.fallback ? ` (${r.result.provider.fallback})` : ''}; the engine's time ${r.result.timings.seconds.toFixed(1)} s; ${r.result.layers
          .map((l) => `${l.layer} ${l.summary.interpretable}/${l.summary.units} interpretable`)
          .join(', ')}`,
      );
      return r;
    });
  } catch (e) {
    const err = e as EngineError;
    if (err.code === 'cancelled') {
      const choice = await vscode.window.showInformationMessage(`Dissection cancelled; the work done so far is saved.`, 'Resume');
      if (choice === 'Resume') return run(s, { ...params, resume: true }, title);
      return undefined;
    }
    if (err.code === 'incompatible-out') {
      const choice = await vscode.window.showWarningMessage(err.message, 'Replace It');
      if (choice === 'Replace It') return run(s, { ...params, force: true, resume: false }, title);
      return undefined;
    }
    s.log.appendLine(`[error] ${err.message}`);
    const resumable = folder.hasCheckpoint();
    if (['crashed', 'hung', 'timeout'].includes(err.code) && resumable && !retried) {
      // The engine restarts on the next request; resume once by itself (a second crash asks the user).
      void vscode.window.showWarningMessage(`GAN Dissection: ${err.message} Resuming from the last checkpoint…`);
      return run(s, { ...params, resume: true, force: false }, title, true);
    }
    const choice = await vscode.window.showErrorMessage(`GAN Dissection: ${err.message}`, ...(resumable ? ['Resume'] : []), 'Show Log');
    if (choice === 'Resume') return run(s, { ...params, resume: true }, title);
    if (choice === 'Show Log') s.log.show();
    return undefined;
  } finally {
    active.delete(params.out);
    source.dispose();
    void vscode.commands.executeCommand('setContext', 'ganDissection.running', active.size > 0);
  }
}

function afterRun(s: CommandServices, r: DissectResponse, out: string, showPanel: boolean): void {
  s.status.show(r.result.provider, settings().provider);
  s.models.refresh();
  s.source.refresh();
  if (r.cached) void vscode.window.setStatusBarMessage(`GAN Dissection: reused the earlier dissection in ${path.basename(out)}`, 5000);
  if (showPanel && r.result.layers[0]) {
    s.panels.show('layer', { runId: out, layer: r.result.layers[0].layer });
    // a multi-layer run: offer the other layers' panels
    const rest = r.result.layers.slice(1).map((l) => l.layer);
    if (rest.length)
      void vscode.window
        .showInformationMessage(`Dissected ${r.result.layers.map((l) => l.layer).join(', ')}.`, `Open ${rest.join(', ')}`)
        .then((choice) => {
          if (choice) for (const layer of rest) s.panels.show('layer', { runId: out, layer });
        });
  }
}

export function registerDissectCommands(s: CommandServices): void {
  register(s, 'ganDissection.dissectLayer', async (arg?: DissectArgs | Node) => {
    const a: DissectArgs =
      arg && 'kind' in arg
        ? arg.kind === 'layer'
          ? { model: arg.model.projectFile, layers: [arg.layer.name] }
          : arg.kind === 'model'
            ? { model: arg.model.projectFile }
            : {}
        : (arg ?? {});
    const m = await pickModel(s, a.model);
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
      const done = dissectedWith(listRuns(resultsRoot(s.context), m.project.generator.path), m.project.generator.path);
      const picks = await vscode.window.showQuickPick(
        all
          .map((l) => ({
            label: l.name,
            description: `${l.shape.join('×')}${done.has(l.name) ? ` · dissected (${done.get(l.name)!.join('; ')})` : ''}`,
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
      samples = await pickSamples(cfg.samples, `Samples (threshold mode: ${a.threshold ?? cfg.threshold})`);
      if (samples === undefined) return undefined;
    }
    const threshold = a.threshold ?? cfg.threshold;
    // a layer dissected before with these settings (in any run of this model) is reused, not redone
    const { reuse, missing } = reusableLayers(listRuns(resultsRoot(s.context), m.project.generator.path), layers, {
      generator: m.project.generator.path,
      segmenter: m.project.segmenter.path,
      threshold,
      samples,
      topk: cfg.topk,
    });
    const reused = [...reuse].map(([layer, r]) => ({ layer, r, l: r.result.layers.find((x) => x.layer === layer)! }));
    if (!a.noPanel) for (const x of reused) s.panels.show('layer', { runId: x.r.out, layer: x.layer });
    if (missing.length === 0) {
      void vscode.window.setStatusBarMessage(`GAN Dissection: ${layers.join(', ')} dissected already with these settings: reused`, 5000);
      return {
        out: reused[0].r.out,
        cached: true,
        layers: reused.map((x) => ({ layer: x.layer, interpretable: x.l.summary.interpretable, units: x.l.summary.units })),
      };
    }
    layers = missing;
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
      resume: new RunFolder(out).hasCheckpoint(),
    };
    const r = await run(
      s,
      params,
      `Dissecting ${layers.join(', ')} of ${m.name}${reused.length ? ` (${reused.map((x) => x.layer).join(', ')} reused)` : ''}`,
    );
    if (!r) return undefined;
    afterRun(s, r, out, !a.noPanel);
    return {
      out,
      cached: r.cached,
      layers: [
        ...reused.map((x) => ({ layer: x.layer, interpretable: x.l.summary.interpretable, units: x.l.summary.units })),
        ...r.result.layers.map((l) => ({ layer: l.layer, interpretable: l.summary.interpretable, units: l.summary.units })),
      ],
      ...(reused.length ? { reused: reused.map((x) => ({ layer: x.layer, out: x.r.out })) } : {}),
    };
  });

  register(s, 'ganDissection.cancel', () => {
    for (const source of active.values()) source.cancel();
  });

  register(s, 'ganDissection.resume', async (arg?: { out?: string }) => {
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
    const params = new RunFolder(out).readRequest<DissectParams>();
    const r = await run(s, { ...params, resume: true }, `Resuming ${path.basename(out)}`);
    if (r) afterRun(s, r, out, true);
    return r ? { out } : undefined;
  });
}
