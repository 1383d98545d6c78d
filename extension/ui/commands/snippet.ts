/** Insert Export Snippet: the two lines that export the generator every N steps, in a Python training loop. */
import * as vscode from 'vscode';
import { EXPORT_IMPORT, exportSnippet, hasExportImport, importLine } from '../export-snippet';
import { register, type CommandServices } from './services';

export function registerSnippetCommands(s: CommandServices): void {
  register(s, 'ganDissection.insertExportSnippet', async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'python') {
      void vscode.window.showInformationMessage('GAN Dissection: Insert Export Snippet works in a Python file (your training loop).');
      return false;
    }
    const doc = editor.document;
    const line = doc.lineAt(editor.selection.active.line);
    const indent = line.text.slice(0, line.firstNonWhitespaceCharacterIndex);
    // on an empty line, in its place; else on a new line after it, at its indent
    const lines = exportSnippet(indent).replace(/\n$/, '');
    const ok = line.isEmptyOrWhitespace
      ? await editor.insertSnippet(new vscode.SnippetString(lines), line.range)
      : await editor.insertSnippet(new vscode.SnippetString(`\n${lines}`), line.range.end);
    if (ok && !hasExportImport(doc.getText())) {
      await editor.edit((e) => e.insert(new vscode.Position(importLine(doc.getText().split(/\r?\n/)), 0), EXPORT_IMPORT));
    }
    return ok;
  });
}
