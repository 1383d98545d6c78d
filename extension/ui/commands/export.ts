/** Exporting a run: a self-contained HTML report, CSV of units, or dissect.json. */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { ExportFormat } from '../../shared/report/export';
import { readRun } from '../run-index';
import { register, type CommandServices } from './services';

export function registerExportCommands(s: CommandServices): void {
  register(s, 'ganDissection.exportReport', async (arg?: { runId?: string; format?: ExportFormat; target?: string }) => {
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
    try {
      await s.engine.exportRun({ out: runId, format, target });
    } catch (e) {
      void vscode.window.showErrorMessage(`GAN Dissection: cannot export: ${(e as Error).message}`);
      return undefined;
    }
    void vscode.window.showInformationMessage(`Exported to ${path.basename(target)}`, 'Open').then((c) => {
      if (c === 'Open') void vscode.env.openExternal(vscode.Uri.file(target!));
    });
    return target;
  });
}
