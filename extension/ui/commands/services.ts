/** What every command group works with: the parts activate() wires together (extension.ts). */
import * as vscode from 'vscode';
import type { EngineClient } from '../../engine-process/client';
import type { ModelRegistry } from '../models';
import type { DissectionTree } from '../tree';
import type { Panels } from '../panels/panels';
import type { SourceLinks } from '../source-links';
import type { ProviderStatus } from '../status';

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

/** Registers a command for the extension's lifetime. */
export function register(s: CommandServices, id: string, f: (...args: never[]) => unknown): void {
  s.context.subscriptions.push(vscode.commands.registerCommand(id, f));
}
