/**
 * Inside the training code: hovering a layer's name (`self.layer4`, `G.layer4`, `layer4 = nn.…`) shows
 * that layer's dissection; a CodeLens sits on the line defining a dissected module; Go to Source opens it.
 */
import { escapeMarkdown } from '../shared/markdown';
import * as vscode from 'vscode';
import * as path from 'node:path';
import { moduleDefinitions, bestDefinition, identifierAt, topModule, type ModuleDefinition } from './python-source';
import type { ModelRegistry } from './models';
import { latestLayer, layerSummaryLine, type RunInfo } from './run-index';
import type { LayerResult } from '../shared/run/schema';
import { describeLabel } from '../shared/run/describe';

const EXCLUDE = '**/{node_modules,.git,.venv,venv,env,__pycache__,site-packages}/**';

export class SourceLinks implements vscode.HoverProvider, vscode.CodeLensProvider {
  private cache = new Map<string, { version: number; defs: ModuleDefinition[] }>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;

  constructor(private readonly models: ModelRegistry) {
    models.onDidChange(() => this.lensesChanged.fire());
  }

  refresh(): void {
    this.lensesChanged.fire();
  }

  private async defsOf(uri: vscode.Uri): Promise<ModuleDefinition[]> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const version = open ? open.version : -1;
    const hit = this.cache.get(uri.toString());
    if (hit && open && hit.version === version) return hit.defs;
    const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const defs = moduleDefinitions(text);
    this.cache.set(uri.toString(), { version, defs });
    return defs;
  }

  /** The dissected layers of the open models, each with its newest run. */
  private dissected(): { run: RunInfo; layer: LayerResult; generator: string; layerNames: string[] }[] {
    const out = [];
    for (const m of this.models.all()) {
      const runs = this.models.runs(m);
      const names = m.layers?.map((l) => l.name) ?? [...new Set(runs.flatMap((r) => r.result.layers.map((l) => l.layer)))];
      const seen = new Set<string>();
      for (const run of runs) {
        for (const l of run.result.layers) {
          if (seen.has(l.layer)) continue;
          seen.add(l.layer);
          const found = latestLayer(runs, l.layer);
          if (found) out.push({ run: found.run, layer: found.layer, generator: m.project.generator.path, layerNames: names });
        }
      }
    }
    return out;
  }

  /** Where a model's layer is defined in the workspace's Python files. */
  async definition(generator: string, layer: string): Promise<vscode.Location | undefined> {
    const m = this.models.find(generator);
    const names = m?.layers?.map((l) => l.name) ?? [layer];
    const files = await vscode.workspace.findFiles('**/*.py', EXCLUDE, 2000);
    const scanned = await Promise.all(files.map(async (f) => ({ file: f.fsPath, defs: await this.defsOf(f) })));
    const best = bestDefinition(scanned, names, layer);
    if (!best) return undefined;
    return new vscode.Location(vscode.Uri.file(best.file), new vscode.Range(best.def.line, best.def.start, best.def.line, best.def.end));
  }

  async goToSource(generator: string, layer: string): Promise<boolean> {
    const loc = await this.definition(generator, layer);
    if (!loc) {
      void vscode.window.showInformationMessage(
        `No Python file in the workspace defines \`${topModule(layer)}\` (looked for "self.${topModule(layer)} = …").`,
      );
      return false;
    }
    const editor = await vscode.window.showTextDocument(loc.uri, { selection: loc.range });
    editor.revealRange(loc.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return true;
  }

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const id = identifierAt(doc.lineAt(pos.line).text, pos.character);
    if (!id) return undefined;
    const matches = this.dissected().filter((d) => d.layer.layer === id.name);
    if (matches.length === 0) return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['ganDissection.showLayer', 'ganDissection.goToSource'] };
    for (const d of matches) {
      const s = d.layer.summary;
      md.appendMarkdown(`**${escapeMarkdown(d.layer.layer)}** · ${escapeMarkdown(path.basename(d.generator))} · \`${d.layer.shape.join('×')}\`\n\n`);
      md.appendMarkdown(
        `${s.interpretable}/${s.units} units interpretable (${d.run.result.settings.threshold}, ${d.run.result.settings.samples} samples)\n\n`,
      );
      if (s.concepts.length > 0) {
        md.appendMarkdown(
          s.concepts
            .slice(0, 8)
            .map((c) => `${escapeMarkdown(c.label)} ${c.count}`)
            .join(' · ') + '\n\n',
        );
        const cats = Object.entries(s.categories)
          .map(([c, n]) => `${escapeMarkdown(c)} ${n}`)
          .join(' · ');
        md.appendMarkdown(`_${cats}_\n\n`);
        const best = d.layer.units
          .filter((u) => u.interpretable)
          .sort((a, b) => b.iou - a.iou || a.unit - b.unit)
          .slice(0, 5);
        md.appendMarkdown(best.map((u) => `- unit ${u.unit}: ${escapeMarkdown(describeLabel(u))}`).join('\n') + '\n\n');
      }
      const args = encodeURIComponent(JSON.stringify([{ runId: d.run.out, layer: d.layer.layer }]));
      md.appendMarkdown(`[Open layer panel](command:ganDissection.showLayer?${args})\n\n`);
    }
    return new vscode.Hover(md, new vscode.Range(pos.line, id.start, pos.line, id.end));
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const dissected = this.dissected();
    if (dissected.length === 0) return [];
    const defs = moduleDefinitions(doc.getText());
    const lenses: vscode.CodeLens[] = [];
    for (const def of defs) {
      for (const d of dissected.filter((x) => x.layer.layer === def.name)) {
        lenses.push(
          new vscode.CodeLens(new vscode.Range(def.line, def.start, def.line, def.end), {
            title: `${d.layer.layer} · ${layerSummaryLine(d.layer)}`,
            tooltip: `Dissection of ${path.basename(d.generator)}: open the layer panel`,
            command: 'ganDissection.showLayer',
            arguments: [{ runId: d.run.out, layer: d.layer.layer }],
          }),
        );
      }
    }
    return lenses;
  }

  async hasSource(generator: string, layer: string): Promise<boolean> {
    return !!(await this.definition(generator, layer));
  }
}
