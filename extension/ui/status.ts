/** The status bar item: which ONNX Runtime provider runs the models, and why not CUDA when it fell back. */
import * as vscode from 'vscode';
import type { ProviderInfo } from '../shared/models';

export class ProviderStatus {
  private readonly item = vscode.window.createStatusBarItem('ganDissection.provider', vscode.StatusBarAlignment.Right, 100);

  constructor(requested: string) {
    this.item.name = 'GAN Dissection: ONNX Runtime provider';
    this.item.command = { command: 'workbench.action.openSettings', title: 'Provider setting', arguments: ['ganDissection.provider'] };
    this.show(undefined, requested);
  }

  show(p: ProviderInfo | undefined, requested: string): void {
    if (!p) {
      this.item.text = `$(circuit-board) ONNX: ${requested}`;
      this.item.tooltip = `ONNX Runtime provider: ${requested} (decided at the first run)`;
    } else {
      this.item.text = `$(circuit-board) ONNX: ${p.name.toUpperCase()}${p.fallback ? ' $(warning)' : ''}`;
      this.item.tooltip = p.fallback
        ? `Running on the CPU: ${p.fallback}`
        : `ONNX Runtime runs on ${p.name.toUpperCase()} (requested: ${p.requested})`;
    }
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}
