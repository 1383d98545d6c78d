/**
 * Inside the training code (issue 18, item 1): each model is linked to the Python class that defines its
 * generator (the project file's "source": file and class; offered the first time the model opens). Then
 * - a CodeLens sits on that class's definitions of dissected layers (`self.layer4 = …`, `self.features[3] = …`,
 *   `add_module("layer4", …)`, a ModuleDict key), and nowhere else;
 * - hovering an attribute reference to a dissected layer (`self.layer4`, `G.layer4.conv`, `G.module.layer4`)
 *   shows its dissection, with its best units' top images, in that file and in files that import the class;
 *   never in a string or a comment (python/tokens.ts tokenizes);
 * - Go to Source opens the definition.
 */
import { escapeMarkdown } from '../shared/markdown';
import * as vscode from 'vscode';
import * as path from 'node:path';
import { analyzePython, type PyFile } from './python/classes';
import { classModules, findDefinition, type LayerName } from './python/modules';
import { attributeReferences, referenceAt, refersTo, type Reference } from './python/references';
import { importsClass, moduleOf } from './python/imports';
import { candidateClasses } from './python/candidates';
import type { ModelRegistry, OpenModel } from './models';
import { latestLayer, layerSummaryLine, type RunInfo } from './run-index';
import type { LayerResult } from '../shared/run/schema';
import { describeLabel } from '../shared/run/describe';
import type { GeneratorSource } from '../shared/project';
import { hoverStrip } from './hover-strip';

const EXCLUDE = '**/{node_modules,.git,.venv,venv,env,__pycache__,site-packages}/**';
/** Models whose "link to source" offer the user declined ("Not now"), per workspace. */
const DECLINED_KEY = 'ganDissection.sourceOfferDeclined';
/** Units in the hover's image strip. */
const HOVER_UNITS = 5;

interface Dissected {
  run: RunInfo;
  layer: LayerResult;
  model: OpenModel;
}

const samePath = (a: string, b: string) => path.resolve(a) === path.resolve(b);

export class SourceLinks implements vscode.HoverProvider, vscode.CodeLensProvider {
  private readonly files = new Map<string, { key: string; py: PyFile; refs?: Reference[] }>();
  private readonly strips = new Map<string, string>();
  private readonly offered = new Set<string>();
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;

  constructor(
    private readonly models: ModelRegistry,
    private readonly state?: vscode.Memento,
  ) {
    models.onDidChange(() => this.lensesChanged.fire());
  }

  refresh(): void {
    this.lensesChanged.fire();
  }

  // ------------------------------------------------------------------------------------- reading files

  private analyzed(file: string, key: string, text: () => string): { py: PyFile; refs: () => Reference[] } {
    let hit = this.files.get(file);
    if (!hit || hit.key !== key) {
      hit = { key, py: analyzePython(text()) };
      this.files.set(file, hit);
    }
    const entry = hit;
    return { py: entry.py, refs: () => (entry.refs ??= attributeReferences(entry.py)) };
  }

  private ofDocument(doc: vscode.TextDocument) {
    return this.analyzed(doc.uri.fsPath, `v${doc.version}`, () => doc.getText());
  }

  private async ofFile(file: string): Promise<PyFile> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && samePath(d.uri.fsPath, file));
    if (open) return this.ofDocument(open).py;
    const uri = vscode.Uri.file(file);
    const stat = await vscode.workspace.fs.stat(uri);
    const bytes = this.files.get(file)?.key === `m${stat.mtime}:${stat.size}` ? undefined : await vscode.workspace.fs.readFile(uri);
    return this.analyzed(file, `m${stat.mtime}:${stat.size}`, () => new TextDecoder().decode(bytes)).py;
  }

  // ---------------------------------------------------------------------------------------- the models

  /** A layer by its name and the model's other names for its tensor. */
  private layerName(m: OpenModel, layer: string): LayerName {
    return { name: layer, aliases: m.layers?.find((l) => l.name === layer)?.aliases ?? [] };
  }

  /** The model's layers (its own list, else those of its runs), for matching classes to it. */
  private layerNames(m: OpenModel): LayerName[] {
    if (m.layers) return m.layers.map((l) => ({ name: l.name, aliases: l.aliases }));
    const names = new Set(this.models.runs(m).flatMap((r) => r.result.layers.map((l) => l.layer)));
    return [...names].map((name) => ({ name }));
  }

  /** A model's dissected layers, each with its newest run. */
  private dissected(m: OpenModel): Dissected[] {
    const runs = this.models.runs(m);
    const out: Dissected[] = [];
    for (const name of new Set(runs.flatMap((r) => r.result.layers.map((l) => l.layer)))) {
      const found = latestLayer(runs, name);
      if (found) out.push({ run: found.run, layer: found.layer, model: m });
    }
    return out;
  }

  /** Whether hovers in `doc` may name `m`'s layers: it is the source file, or it imports the source class. */
  private linkedTo(doc: vscode.TextDocument, py: PyFile, src: GeneratorSource): boolean {
    if (samePath(doc.uri.fsPath, src.file)) return true;
    return importsClass(py, moduleOf(vscode.workspace.asRelativePath(vscode.Uri.file(src.file), false)), src.class);
  }

  // ------------------------------------------------------------------------------- choosing the source

  /** The workspace's torch module classes that define the model's modules, best first. */
  private async candidates(m: OpenModel) {
    const files = await vscode.workspace.findFiles('**/*.py', EXCLUDE, 2000);
    const read = await Promise.all(
      files.map(async (f) => {
        try {
          return { file: f.fsPath, py: await this.ofFile(f.fsPath) };
        } catch {
          return undefined; // unreadable: not a candidate
        }
      }),
    );
    return candidateClasses(
      read.filter((x) => x !== undefined),
      this.layerNames(m),
    );
  }

  /** Asks which class defines the model (a quick pick of the candidates) and links it. */
  async chooseSource(m: OpenModel): Promise<GeneratorSource | undefined> {
    const found = await this.candidates(m);
    if (found.length === 0) {
      const tops = [...new Set(this.layerNames(m).map((l) => l.name.split('.')[0]))].slice(0, 6).join(', ');
      void vscode.window.showInformationMessage(
        `GAN Dissection: no torch module class in this workspace's Python files defines ${m.name}'s modules (${tops}). ` +
          'Open the folder with the training code, or export with gan_dissect_export, which records the class.',
      );
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      found.map((c) => ({
        label: `$(symbol-class) ${c.class}`,
        description: vscode.workspace.asRelativePath(c.file, false),
        detail: `defines ${c.matched.length} of the model's ${c.of} top-level modules (${c.matched.slice(0, 6).join(', ')}${c.matched.length > 6 ? ', …' : ''}), ${c.exact} layers by their exact path`,
        c,
      })),
      { title: `Which class defines ${m.name}?`, placeHolder: 'Hover and CodeLens then show its units in that class and where it is imported' },
    );
    if (!pick) return undefined;
    return this.link(m, { file: pick.c.file, class: pick.c.class });
  }

  /** Links the model to a class, and says where the link was kept. */
  async link(m: OpenModel, source: GeneratorSource): Promise<GeneratorSource> {
    const where = await this.models.setSource(m, source);
    this.lensesChanged.fire();
    void vscode.window.setStatusBarMessage(
      `GAN Dissection: ${m.name} → ${source.class} in ${path.basename(source.file)} (${where === 'project' ? 'saved in its project file' : 'kept in this workspace'})`,
      5000,
    );
    return source;
  }

  /**
   * The first time a model without a source is opened: offers the best candidate class, once a session,
   * and not again once declined.
   */
  async offerSource(m: OpenModel): Promise<void> {
    if (this.models.source(m) || this.offered.has(m.projectFile)) return;
    if (this.state?.get<string[]>(DECLINED_KEY, []).includes(m.projectFile)) return;
    this.offered.add(m.projectFile);
    const found = await this.candidates(m);
    if (found.length === 0) return;
    const best = found[0];
    const rel = vscode.workspace.asRelativePath(best.file, false);
    const choice = await vscode.window.showInformationMessage(
      `GAN Dissection: link ${m.name} to its Python source, class ${best.class} in ${rel}? Hover and CodeLens then show its units there.`,
      'Link',
      'Choose Another…',
      'Not Now',
    );
    if (choice === 'Link') await this.link(m, { file: best.file, class: best.class });
    else if (choice === 'Choose Another…') await this.chooseSource(m);
    else if (choice === 'Not Now' && this.state)
      await this.state.update(DECLINED_KEY, [...this.state.get<string[]>(DECLINED_KEY, []), m.projectFile]);
  }

  // ------------------------------------------------------------------------------------- definitions

  /** Where a model's layer is defined in its source class (or the module that holds it). */
  async definition(generator: string, layer: string): Promise<vscode.Location | undefined> {
    const m = this.models.find(generator);
    const src = m && this.models.source(m);
    if (!m || !src) return undefined;
    let py: PyFile;
    try {
      py = await this.ofFile(src.file);
    } catch {
      return undefined;
    }
    const found = findDefinition(classModules(py, src.class) ?? [], this.layerName(m, layer));
    if (!found) return undefined;
    const d = found.def;
    return new vscode.Location(vscode.Uri.file(src.file), new vscode.Range(d.line, d.start, d.line, d.end));
  }

  async goToSource(generator: string, layer: string): Promise<boolean> {
    const m = this.models.find(generator);
    if (!m) {
      void vscode.window.showWarningMessage(`GAN Dissection: ${path.basename(generator)} is not open; open its model first.`);
      return false;
    }
    let src = this.models.source(m);
    if (!src) src = await this.chooseSource(m);
    if (!src) return false;
    const loc = await this.definition(generator, layer);
    if (!loc) {
      const again = await vscode.window.showWarningMessage(
        `GAN Dissection: class ${src.class} in ${path.basename(src.file)} defines no module ${layer} (nor one that holds it).`,
        'Choose Another Class…',
      );
      if (again && (await this.chooseSource(m))) return this.goToSource(generator, layer);
      return false;
    }
    const editor = await vscode.window.showTextDocument(loc.uri, { selection: loc.range });
    editor.revealRange(loc.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return true;
  }

  /** Whether Go to Source can do something for the layer: a linked source, or a model not linked yet (it asks). */
  async hasSource(generator: string, layer: string): Promise<boolean> {
    const m = this.models.find(generator);
    if (!m) return false;
    return !this.models.source(m) || !!(await this.definition(generator, layer));
  }

  // ------------------------------------------------------------------------------ hover and CodeLens

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const models = this.models.all().filter((m) => this.models.source(m));
    if (models.length === 0) return undefined;
    const { py, refs } = this.ofDocument(doc);
    const ref = referenceAt(refs(), doc.offsetAt(pos));
    if (!ref) return undefined;
    const matches: Dissected[] = [];
    for (const m of models) {
      if (!this.linkedTo(doc, py, this.models.source(m)!)) continue;
      for (const d of this.dissected(m)) if (refersTo(ref.path, this.layerName(m, d.layer.layer))) matches.push(d);
    }
    if (matches.length === 0) return undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.supportHtml = true;
    md.isTrusted = { enabledCommands: ['ganDissection.showLayer', 'ganDissection.showUnit', 'ganDissection.goToSource'] };
    for (const d of matches) this.describe(md, d);
    return new vscode.Hover(md, new vscode.Range(ref.line, ref.col, ref.line, ref.endCol));
  }

  /** A layer's hover: its summary, its best units' top images with their labels and IoU, links to open them. */
  private describe(md: vscode.MarkdownString, d: Dissected): void {
    const s = d.layer.summary;
    md.appendMarkdown(`**${escapeMarkdown(d.layer.layer)}** · ${escapeMarkdown(d.model.name)} · \`${d.layer.shape.join('×')}\`\n\n`);
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
    }
    const best = d.layer.units
      .filter((u) => u.interpretable)
      .sort((a, b) => b.iou - a.iou || a.unit - b.unit)
      .slice(0, HOVER_UNITS);
    if (best.length > 0) {
      const strip = this.strip(
        d,
        best.map((u) => u.unit),
      );
      if (strip) md.appendMarkdown(`${strip}\n\n`);
      md.appendMarkdown(
        best
          .map((u) => {
            const args = encodeURIComponent(JSON.stringify([{ runId: d.run.out, layer: d.layer.layer, unit: u.unit }]));
            return `- [unit ${u.unit}](command:ganDissection.showUnit?${args}): ${escapeMarkdown(describeLabel(u))}`;
          })
          .join('\n') + '\n\n',
      );
    }
    const args = encodeURIComponent(JSON.stringify([{ runId: d.run.out, layer: d.layer.layer }]));
    md.appendMarkdown(`[Open layer panel](command:ganDissection.showLayer?${args})\n\n`);
  }

  /** The `<img>` of the units' first top images (a data URI; cached per run, layer and units). */
  private strip(d: Dissected, units: number[]): string | undefined {
    const key = `${d.run.out}\0${d.run.mtime}\0${d.layer.layer}\0${units.join(',')}`;
    let html = this.strips.get(key);
    if (html === undefined) {
      const s = hoverStrip(d.run.out, d.layer.layer, units, d.run.result.image);
      // at twice its size up to 96 px high: GAN images are small, and a hover has room for a row
      const scale = s ? Math.max(1, Math.floor(96 / s.height)) : 1;
      html = s
        ? `<img src="${s.uri}" width="${s.width * scale}" height="${s.height * scale}" alt="top images of units ${s.units.join(', ')}" title="units ${s.units.join(', ')}, left to right">`
        : '';
      if (this.strips.size > 64) this.strips.clear();
      this.strips.set(key, html);
    }
    return html || undefined;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const lenses: vscode.CodeLens[] = [];
    for (const m of this.models.all()) {
      const src = this.models.source(m);
      if (!src || !samePath(src.file, doc.uri.fsPath)) continue;
      const defs = classModules(this.ofDocument(doc).py, src.class) ?? [];
      for (const d of this.dissected(m)) {
        const found = findDefinition(defs, this.layerName(m, d.layer.layer));
        if (!found) continue;
        const def = found.def;
        lenses.push(
          new vscode.CodeLens(new vscode.Range(def.line, def.start, def.line, def.end), {
            title: `${d.layer.layer}${found.exact ? '' : ` (in ${def.name})`} · ${layerSummaryLine(d.layer)}`,
            tooltip: `Dissection of ${m.name}: open the layer panel`,
            command: 'ganDissection.showLayer',
            arguments: [{ runId: d.run.out, layer: d.layer.layer }],
          }),
        );
      }
    }
    return lenses;
  }
}
