/**
 * activate(): wires the parts together and holds no logic of its own. Models never run on the extension
 * host: the engine runs in its own process, so a crashing model cannot take VS Code down.
 *
 * Where each capability lives (one hop from here):
 *   the engine process (dissection, heatmaps, interventions, artifacts)   engine-process/client.ts → engine-process/main.ts
 *   palette commands: open, dissect, cancel, resume, export               ui/commands/ (one file per group, index.ts lists them)
 *   the tree of models, layers and units                                  ui/tree.ts (models and their runs: ui/models.ts)
 *   hover and CodeLens on the training code                               ui/source-links.ts
 *   the webview panels (layer, unit, intervention, causal, artifacts,     ui/panels/
 *     training, compare)
 *   the execution provider in the status bar                              ui/status.ts
 *   watching training folders (a checkpoint series), their status bar     ui/training-watch.ts, ui/training-status.ts
 *   settings                                                              ui/config.ts
 * The engine itself (ONNX Runtime; also the CLI, cli.ts) is under engine/; what both sides read and
 * write (the run folder, result types, protocols) is under shared/.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { EngineClient } from './engine-process/client';
import { ModelRegistry } from './ui/models';
import { DissectionTree } from './ui/tree';
import { Panels } from './ui/panels/panels';
import { SourceLinks } from './ui/source-links';
import { ProviderStatus } from './ui/status';
import { TrainingWatches } from './ui/training-watch';
import { TrainingStatus } from './ui/training-status';
import { registerCommands } from './ui/commands';
import { settings } from './ui/config';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('GAN Dissection');
  const engine = new EngineClient(path.join(context.extensionPath, 'dist', 'engine.js'), (line) => log.appendLine(line));
  const models = new ModelRegistry(context, engine);
  const watches = new TrainingWatches(engine);
  const tree = new DissectionTree(models, (dir) => watches.get(dir)?.status);
  const source = new SourceLinks(models, context.workspaceState);
  const status = new ProviderStatus(settings().provider);
  const trainingStatus = new TrainingStatus(watches);
  const panels = new Panels({ context, engine, models, watches, hasSource: (g, l) => source.hasSource(g, l), flagsChanged: () => tree.refresh() });
  tree.view = vscode.window.createTreeView('ganDissection.models', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  context.subscriptions.push(
    log,
    status,
    trainingStatus,
    { dispose: () => engine.dispose() },
    watches,
    tree.view,
    vscode.languages.registerHoverProvider({ language: 'python' }, source),
    vscode.languages.registerCodeLensProvider({ language: 'python' }, source),
  );
  registerCommands({ context, engine, models, tree, panels, source, status, watches, trainingStatus, log });
}

export function deactivate(): void {}
