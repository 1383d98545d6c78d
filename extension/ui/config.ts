/** The extension's settings (contributes.configuration), read in one place. */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { ProviderRequest } from '../shared/models';

export interface Settings {
  samples: number;
  threshold: 'iqr' | 'quantile';
  provider: ProviderRequest;
  threads: number;
  /** Statistics threads of a dissection; −1: automatic. */
  statisticsThreads: number;
  batchSize: number;
  topk: number;
  resultsFolder: string;
}

export function settings(): Settings {
  const c = vscode.workspace.getConfiguration('ganDissection');
  return {
    samples: c.get<number>('samples', 1000),
    threshold: c.get<'iqr' | 'quantile'>('threshold', 'iqr'),
    provider: c.get<ProviderRequest>('provider', 'auto'),
    threads: c.get<number>('threads', 0),
    statisticsThreads: c.get<number>('statisticsThreads', -1),
    batchSize: c.get<number>('batchSize', 16),
    topk: c.get<number>('topk', 20),
    resultsFolder: c.get<string>('resultsFolder', ''),
  };
}

/** Where runs are kept: the setting (relative to the first workspace folder), else workspace storage. */
export function resultsRoot(context: vscode.ExtensionContext): string {
  const configured = settings().resultsFolder;
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (configured) return path.isAbsolute(configured) ? configured : path.join(ws ?? process.cwd(), configured);
  return (context.storageUri ?? context.globalStorageUri).fsPath;
}
