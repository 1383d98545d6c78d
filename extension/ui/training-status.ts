/**
 * The status bar item of the training folders being watched: what the watch is doing ("dissecting step
 * 12000 · 3 of 5", "watching ckpt/ · 5 checkpoints"); clicking it offers Stop and Show Training Panel
 * (ganDissection.trainingStatus). Hidden while nothing is watched.
 */
import * as vscode from 'vscode';
import { watchStatusText } from '../shared/webview/training';
import type { ActiveWatch, TrainingWatches } from './training-watch';

/** The item's text for the watches: the one that changed last first, and how many others run. */
export function trainingStatusText(shown: ActiveWatch, others: number): string {
  const icon = shown.status.state === 'dissecting' ? '$(sync~spin)' : '$(eye)';
  const pct = shown.status.state === 'dissecting' && shown.status.done ? ` (${Math.round(shown.status.done * 100)}%)` : '';
  return `${icon} ${watchStatusText(shown.status, shown.display)}${pct}${others > 0 ? ` · +${others}` : ''}`;
}

export class TrainingStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('ganDissection.training', vscode.StatusBarAlignment.Left, 50);
  private readonly sub: vscode.Disposable;
  private shown: string | undefined;

  constructor(private readonly watches: TrainingWatches) {
    this.item.name = 'GAN Dissection: training folder watch';
    this.item.command = 'ganDissection.trainingStatus';
    this.sub = watches.onDidChange(({ watch, what }) => {
      if (what !== 'stopped') this.shown = watch.out;
      this.update();
    });
  }

  private update(): void {
    const all = this.watches.all();
    const shown = all.find((w) => w.out === this.shown) ?? all[0];
    if (!shown) {
      this.item.hide();
      return;
    }
    this.item.text = trainingStatusText(shown, all.length - 1);
    this.item.tooltip = `GAN Dissection: ${watchStatusText(shown.status, shown.display)}, with the settings of ${shown.model}.\nResults: ${shown.out}\nClick to stop or show the Training panel.`;
    this.item.show();
  }

  /** The item's text now ('' when hidden): the tests read it. */
  get text(): string {
    return this.watches.all().length > 0 ? this.item.text : '';
  }

  dispose(): void {
    this.sub.dispose();
    this.item.dispose();
  }
}
