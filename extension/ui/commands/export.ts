/** Exporting a run: a self-contained HTML report, CSV of units, or dissect.json. */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExportFormat } from '../../shared/report/export';
import { readRun } from '../run-index';
import { register, type CommandServices } from './services';

export function registerExportCommands(s: CommandServices): void {
  register(s, 'ganDissection.exportReport', async (arg?: { runId?: string; format?: ExportFormat; target?: string }) => {
    let runId = arg?.runId;
    if (!runId) {
      // the export is of a whole run: pick a run (its layers named), not a layer
      const runs = s.models.all().flatMap((m) => s.models.runs(m).map((r) => ({ m, r })));
      if (runs.length === 0) {
        void vscode.window.showInformationMessage('No dissection to export yet: run "GAN Dissection: Dissect Layer…" first.');
        return undefined;
      }
      const pick = await vscode.window.showQuickPick(
        runs.map(({ m, r }) => ({
          label: `${m.name} · ${r.result.layers.map((l) => l.layer).join(', ')}`,
          description: `${r.result.settings.samples} samples · ${r.result.settings.threshold} · ${new Date(r.mtime).toLocaleString()}`,
          out: r.out,
        })),
        { title: 'Export which dissection? (the whole run: every layer it has)' },
      );
      runId = pick?.out;
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
      if (c === 'Open') void openExport(target!, format!);
    });
    return target;
  });
}

/**
 * Opens an export where VS Code runs, local or remote (a file:// link opens nothing under code-server or
 * Remote-SSH): the self-contained HTML report in a webview, CSV and JSON in an editor.
 */
async function openExport(target: string, format: ExportFormat): Promise<void> {
  if (format !== 'html') {
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(target));
    return;
  }
  const panel = vscode.window.createWebviewPanel('ganDissection.report', `Report · ${path.basename(target)}`, vscode.ViewColumn.Active, {
    enableScripts: true,
    localResourceRoots: [],
  });
  panel.webview.html = fs.readFileSync(target, 'utf8');
}
