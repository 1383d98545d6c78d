/**
 * activate(): wires the parts together and holds no logic of its own. Models never run on the extension
 * host: the engine runs in its own process (host/engine-client.ts), so a crashing model cannot take VS
 * Code down.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import { EngineClient } from './engine-process/client';
import { ModelRegistry } from './ui/models';
import { DissectionTree } from './ui/tree';
import { Panels } from './ui/panels/panels';
import { SourceLinks } from './ui/source-links';
import { ProviderStatus } from './ui/status';
import { registerCommands } from './ui/commands';
import { settings } from './ui/config';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('GAN Dissection');
  const engine = new EngineClient(path.join(context.extensionPath, 'dist', 'engine.js'), (line) => log.appendLine(line));
  const models = new ModelRegistry(context, engine);
  const tree = new DissectionTree(models);
  const source = new SourceLinks(models);
  const status = new ProviderStatus(settings().provider);
  const panels = new Panels({ context, engine, models, hasSource: (g, l) => source.hasSource(g, l) });
  context.subscriptions.push(
    log,
    status,
    { dispose: () => engine.dispose() },
    vscode.window.createTreeView('ganDissection.models', { treeDataProvider: tree, showCollapseAll: true }),
    vscode.languages.registerHoverProvider({ language: 'python' }, source),
    vscode.languages.registerCodeLensProvider({ language: 'python' }, source),
  );
  registerCommands({ context, engine, models, tree, panels, source, status, log });
}

export function deactivate(): void {}
