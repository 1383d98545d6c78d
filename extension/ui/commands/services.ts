/** What every command group works with: the parts activate() wires together (extension.ts). */
import * as vscode from 'vscode';
import type { EngineClient } from '../../engine-process/client';
import type { ModelRegistry } from '../models';
import type { DissectionTree } from '../tree';
import type { Panels } from '../panels/panels';
import type { SourceLinks } from '../source-links';
import type { ProviderStatus } from '../status';
import type { TrainingWatches } from '../training-watch';
import type { TrainingStatus } from '../training-status';

export interface CommandServices {
  context: vscode.ExtensionContext;
  engine: EngineClient;
  models: ModelRegistry;
  tree: DissectionTree;
  panels: Panels;
  source: SourceLinks;
  status: ProviderStatus;
  /** The training folders being watched, and their status bar item. */
  watches: TrainingWatches;
  trainingStatus: TrainingStatus;
  log: vscode.OutputChannel;
}

/** Registers a command for the extension's lifetime. */
export function register(s: CommandServices, id: string, f: (...args: never[]) => unknown): void {
  s.context.subscriptions.push(vscode.commands.registerCommand(id, f));
}
