/**
 * activate(): wires the parts together. Models never run on the extension host: the engine runs in a
 * child process (here the bundled CLI), so a crashing model cannot take VS Code down.
 */
import * as vscode from 'vscode';
import { execFile } from 'node:child_process';
import * as path from 'node:path';

interface LayersJson {
  layers: { name: string; tensor: string; shape: number[]; aliases: string[] }[];
}

function runCli(context: vscode.ExtensionContext, args: string[]): Promise<string> {
  const cli = path.join(context.extensionPath, 'dist', 'cli.js');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(stderr.trim().split('\n').find((l) => l.includes('error')) ?? stderr.trim() ?? err.message));
      else resolve(stdout);
    });
  });
}

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('ganDissection.listLayers', async () => {
      const pick = await vscode.window.showOpenDialog({ filters: { 'ONNX generator': ['onnx'] }, canSelectMany: false });
      if (!pick || pick.length === 0) return;
      try {
        const json = JSON.parse(await runCli(context, ['layers', '--generator', pick[0].fsPath, '--json'])) as LayersJson;
        const chosen = await vscode.window.showQuickPick(
          json.layers.map((l) => ({ label: l.name, description: l.shape.join('×'), detail: l.tensor })),
          { title: `Layers of ${path.basename(pick[0].fsPath)}` },
        );
        if (chosen) await vscode.env.clipboard.writeText(chosen.label);
      } catch (e) {
        void vscode.window.showErrorMessage(`GAN Dissection: ${(e as Error).message}`);
      }
    }),
  );
}

export function deactivate(): void {}
