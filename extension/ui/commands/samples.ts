/** Asking how many samples a dissection uses: the setting, a quick look, or a number typed in. */
import * as vscode from 'vscode';

/** The samples picked (the setting's `configured`, 200, or another number), or undefined when the user backs out. */
export async function pickSamples(configured: number, title: string): Promise<number | undefined> {
  const pick = await vscode.window.showQuickPick(
    [
      { label: `${configured} samples`, description: 'from settings (the paper uses 1000)', n: configured },
      { label: '200 samples', description: 'a quick look', n: 200 },
      { label: 'Other…', n: -1 },
    ],
    { title },
  );
  if (!pick) return undefined;
  if (pick.n > 0) return pick.n;
  const text = await vscode.window.showInputBox({
    prompt: 'Number of samples',
    value: String(configured),
    validateInput: (v) => (/^\d+$/.test(v) && Number(v) > 0 ? undefined : 'a positive integer'),
  });
  return text ? Number(text) : undefined;
}
