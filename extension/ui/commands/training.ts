/**
 * Watching a training folder (the paper's S-6.6): pick a folder or type a glob, the model whose settings every
 * checkpoint is dissected with, its layers and samples; the engine process dissects each checkpoint as it
 * lands into a series folder where the runs go. Stop it, show its Training panel, and the status bar item's
 * menu.
 */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SeriesWatchParams } from '../../shared/engine-protocol';
import { defaultLayers } from '../../shared/run/layers';
import type { SeriesResult } from '../../shared/run/schema';
import type { Node } from '../tree';
import type { OpenModel } from '../models';
import { settings, resultsRoot } from '../config';
import { patternDisplay, seriesFolder } from '../series-index';
import { pickModel } from './models';
import { pickSamples } from './samples';
import { register, type CommandServices } from './services';

interface WatchArgs {
  /** A folder (its .onnx files), a glob over one folder's file names, or one file; relative to the workspace folder. */
  pattern?: string;
  model?: string;
  layers?: string[];
  samples?: number;
  threshold?: 'iqr' | 'quantile';
  /** Milliseconds between looks at the folder. */
  pollMs?: number;
  /** Do not open the Training panel. */
  noPanel?: boolean;
}

function workspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/** Why a pattern cannot be watched, or undefined. */
function patternProblem(pattern: string): string | undefined {
  const wild = /[*?]/.test(pattern);
  const dir = wild ? path.dirname(pattern) : pattern;
  if (wild && /[*?]/.test(dir)) return `${pattern}: wildcards go in the file name only, not in folders`;
  if (!fs.existsSync(dir)) return `${wild ? 'no folder' : 'no checkpoint or folder'} ${dir}`;
  return undefined;
}

/** A folder picked, or a glob typed (relative to the workspace folder); absolute. */
async function pickPattern(ws: string | undefined): Promise<string | undefined> {
  const how = await vscode.window.showQuickPick(
    [
      { id: 'folder', label: '$(folder) Choose a folder…', description: 'every .onnx file in it' },
      { id: 'glob', label: '$(regex) Type a glob…', description: 'e.g. checkpoints/G_*.onnx' },
    ],
    { title: 'Watch which checkpoints?' },
  );
  if (!how) return undefined;
  if (how.id === 'folder') {
    const uris = await vscode.window.showOpenDialog({
      title: 'Folder the training writes its ONNX checkpoints to',
      canSelectFolders: true,
      canSelectFiles: false,
      ...(ws ? { defaultUri: vscode.Uri.file(ws) } : {}),
    });
    return uris?.[0]?.fsPath;
  }
  const text = await vscode.window.showInputBox({
    title: 'Watch which checkpoints?',
    prompt: 'A glob over one folder’s file names (* and ?), relative to the workspace folder',
    value: 'checkpoints/*.onnx',
    validateInput: (v) => (v.trim() ? patternProblem(path.resolve(ws ?? process.cwd(), v.trim())) : 'a glob such as checkpoints/G_*.onnx'),
  });
  return text?.trim() ? path.resolve(ws ?? process.cwd(), text.trim()) : undefined;
}

/** The layers to dissect: the model's default layers offered first, picked. */
async function pickLayers(s: CommandServices, m: OpenModel): Promise<string[] | undefined> {
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
      .map((l) => ({ label: l.name, description: `${l.shape.join('×')}${def.has(l.name) ? ' · default' : ''}`, picked: def.has(l.name), l }))
      .sort((x, y) => Number(y.picked) - Number(x.picked)),
    { title: `Layers of every checkpoint (the settings of ${m.name})`, canPickMany: true, placeHolder: 'The model’s default layers are picked' },
  );
  if (!picks || picks.length === 0) return undefined;
  return picks.map((p) => p.l.name);
}

/** The series folder a stop command means: a tree node's, the argument's, the only watch's, or one picked. */
async function watchedFolder(s: CommandServices, arg?: { out?: string } | Node): Promise<string | undefined> {
  if (arg && 'kind' in arg) return arg.kind === 'series' ? arg.series.dir : arg.kind === 'checkpoint' ? arg.series.dir : undefined;
  if (arg?.out) return arg.out;
  const all = s.watches.all();
  if (all.length <= 1) return all[0]?.out;
  const pick = await vscode.window.showQuickPick(
    all.map((w) => ({ label: w.display, description: w.out, w })),
    { title: 'Stop watching which training folder?' },
  );
  return pick?.w.out;
}

export function registerTrainingCommands(s: CommandServices): void {
  s.context.subscriptions.push(
    s.watches.onDidFail(({ watch, error }) => {
      s.log.appendLine(`[error] watching ${watch.display}: ${error.message}`);
      void vscode.window
        .showErrorMessage(`GAN Dissection: the watch of ${watch.display} stopped: ${error.message}`, 'Restart Watch', 'Show Log')
        .then((c) => {
          // a restart redoes no finished checkpoint, and resumes an interrupted one from its checkpoint
          if (c === 'Restart Watch') s.watches.start(watch.params, watch.display, watch.model);
          if (c === 'Show Log') s.log.show();
        });
    }),
    // the tree shows each series' checkpoints as they come, and whether it is watched
    s.watches.onDidChange(({ what }) => {
      if (what === 'progress') return;
      s.tree.refresh();
      void vscode.commands.executeCommand('setContext', 'ganDissection.watching', s.watches.all().length > 0);
    }),
  );

  register(s, 'ganDissection.watchTraining', async (arg?: WatchArgs | vscode.Uri) => {
    const a: WatchArgs = arg instanceof vscode.Uri ? { pattern: arg.fsPath } : (arg ?? {});
    const ws = workspaceFolder();
    const pattern = a.pattern ? path.resolve(ws ?? process.cwd(), a.pattern) : await pickPattern(ws);
    if (!pattern) return undefined;
    const problem = patternProblem(pattern);
    if (problem) {
      void vscode.window.showErrorMessage(`GAN Dissection: ${problem}.`);
      return undefined;
    }
    const m = await pickModel(s, a.model);
    if (!m) return undefined;
    if (!m.project.segmenter) {
      void vscode.window.showErrorMessage(`GAN Dissection: ${m.name} has no segmenter in its project file.`);
      return undefined;
    }
    const layers = a.layers ?? (await pickLayers(s, m));
    if (!layers) return undefined;
    const cfg = settings();
    const samples = a.samples ?? (await pickSamples(m.project.dissect?.samples ?? cfg.samples, 'Samples per checkpoint'));
    if (samples === undefined) return undefined;
    const threshold = a.threshold ?? m.project.dissect?.threshold ?? cfg.threshold;
    const out = seriesFolder(resultsRoot(s.context), pattern, layers, threshold, samples);
    const params: SeriesWatchParams = {
      watchId: out,
      pattern,
      out,
      dissect: {
        ...(m.project.dissect ?? {}),
        generator: m.project.generator,
        segmenter: m.project.segmenter,
        layers,
        samples,
        threshold,
        topk: cfg.topk,
        batch: cfg.batchSize,
        provider: cfg.provider,
        ...(cfg.threads > 0 ? { threads: cfg.threads } : {}),
        ...(cfg.statisticsThreads >= 0 ? { workers: cfg.statisticsThreads } : {}),
      },
      ...(a.pollMs !== undefined ? { pollMs: a.pollMs } : {}),
    };
    const watch = s.watches.start(params, patternDisplay(pattern, ws), m.name);
    if (!a.noPanel) s.panels.show('training', { runId: out, layer: '' });
    return { out, display: watch.display };
  });

  register(s, 'ganDissection.stopWatching', async (arg?: { out?: string } | Node): Promise<SeriesResult | undefined> => {
    const out = await watchedFolder(s, arg);
    const w = out ? s.watches.get(out) : undefined;
    if (!out || !w) {
      void vscode.window.showInformationMessage('No training folder is being watched.');
      return undefined;
    }
    const summary = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Stopping the watch of ${w.display}…` }, () =>
      s.watches.stop(out),
    );
    const n = summary?.checkpoints.length ?? 0;
    void vscode.window.showInformationMessage(`Stopped watching ${w.display}: ${n} checkpoint${n === 1 ? '' : 's'} dissected.`);
    return summary;
  });

  register(s, 'ganDissection.showTraining', async (arg?: { seriesId?: string } | Node) => {
    let dir = arg && 'kind' in arg ? (arg.kind === 'series' || arg.kind === 'checkpoint' ? arg.series.dir : undefined) : arg?.seriesId;
    if (!dir) {
      const watched = s.watches.all().map((w) => ({ label: w.display, description: 'watching', dir: w.out }));
      const onDisk = s.models
        .series()
        .filter((x) => !watched.some((w) => w.dir === x.dir))
        .map((x) => ({
          label: patternDisplay(x.summary.pattern, workspaceFolder()),
          description: `${x.summary.checkpoints.length} checkpoints`,
          dir: x.dir,
        }));
      const all = [...watched, ...onDisk];
      if (all.length === 0) {
        void vscode.window.showInformationMessage('No checkpoint series yet: run "GAN Dissection: Watch Training Folder…".');
        return;
      }
      dir = all.length === 1 ? all[0].dir : (await vscode.window.showQuickPick(all, { title: 'Show which series?' }))?.dir;
    }
    if (dir) s.panels.show('training', { runId: dir, layer: '' });
  });

  // the status bar item's menu
  register(s, 'ganDissection.trainingStatus', async () => {
    const items = s.watches.all().flatMap((w) => [
      { label: `$(debug-stop) Stop watching ${w.display}`, run: () => vscode.commands.executeCommand('ganDissection.stopWatching', { out: w.out }) },
      {
        label: `$(pulse) Show Training Panel`,
        description: w.display,
        run: () => vscode.commands.executeCommand('ganDissection.showTraining', { seriesId: w.out }),
      },
    ]);
    if (items.length === 0) return;
    const pick = await vscode.window.showQuickPick(items, { title: 'GAN Dissection: training folder watch' });
    await pick?.run();
  });

  // the status bar's text (the tests read it)
  register(s, 'ganDissection.trainingStatusText', () => s.trainingStatus.text);
}
