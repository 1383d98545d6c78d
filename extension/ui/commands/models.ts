/** Opening and closing models, their project files, the tree's concept filter, and listing a model's layers. */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { saveProject, demoProjectFile } from '../../shared/project';
import type { OpenModel } from '../models';
import type { Node } from '../tree';
import { register, type CommandServices } from './services';

function demoFile(): string | undefined {
  try {
    return demoProjectFile();
  } catch {
    return undefined;
  }
}

/** A project file for a generator: beside it if writable, else in the extension's storage. */
async function projectFor(s: CommandServices, generator: string): Promise<string | undefined> {
  const beside = generator.replace(/\.onnx$/i, '') + '.dissect.json';
  if (fs.existsSync(beside)) return beside;
  const demo = demoFile();
  const choices: (vscode.QuickPickItem & { seg?: string; labels?: string })[] = [];
  if (demo) {
    const d = JSON.parse(fs.readFileSync(demo, 'utf8')) as { segmenter: { path: string; labels: string } };
    choices.push({
      label: '$(beaker) The bundled demo segmenter',
      description: 'outdoor scene labels',
      seg: path.resolve(path.dirname(demo), d.segmenter.path),
      labels: path.resolve(path.dirname(demo), d.segmenter.labels),
    });
  }
  choices.push({ label: '$(file) Choose a segmenter ONNX and its labels…' });
  const pick = await vscode.window.showQuickPick(choices, { title: `Segmenter for ${path.basename(generator)}` });
  if (!pick) return undefined;
  let seg = pick.seg;
  let labels = pick.labels;
  if (!seg) {
    const s1 = await vscode.window.showOpenDialog({ title: 'Segmenter (ONNX)', filters: { ONNX: ['onnx'] } });
    if (!s1?.[0]) return undefined;
    const l1 = await vscode.window.showOpenDialog({
      title: 'Labels of the segmenter (JSON array)',
      filters: { JSON: ['json'] },
      defaultUri: vscode.Uri.file(path.dirname(s1[0].fsPath)),
    });
    if (!l1?.[0]) return undefined;
    seg = s1[0].fsPath;
    labels = l1[0].fsPath;
  }
  let target = beside;
  try {
    fs.accessSync(path.dirname(beside), fs.constants.W_OK);
  } catch {
    fs.mkdirSync(s.context.globalStorageUri.fsPath, { recursive: true });
    target = path.join(s.context.globalStorageUri.fsPath, path.basename(beside));
  }
  saveProject(target, { generator: { path: generator }, segmenter: { path: seg!, labels: labels! } });
  void vscode.window.showInformationMessage(`Wrote ${path.basename(target)} so the next open is one click.`);
  return target;
}

/** Opens a model: the demo, a generator ONNX (a project file is made for it) or a project file. */
export async function openModel(s: CommandServices, arg?: string | vscode.Uri): Promise<OpenModel | undefined> {
  let file = arg instanceof vscode.Uri ? arg.fsPath : arg;
  if (!file) {
    const demo = demoFile();
    const items: (vscode.QuickPickItem & { id: string })[] = [
      ...(demo ? [{ id: 'demo', label: '$(beaker) Bundled demo model', description: 'a scene GAN and its segmenter, trained by this project' }] : []),
      { id: 'onnx', label: '$(file-binary) Generator ONNX file…' },
      { id: 'project', label: '$(json) Project file (*.dissect.json)…' },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: 'GAN Dissection: Open Model' });
    if (!pick) return undefined;
    if (pick.id === 'demo') file = demo;
    else {
      const uris = await vscode.window.showOpenDialog({
        filters: pick.id === 'onnx' ? { 'ONNX generator': ['onnx'] } : { 'Dissection project': ['json'] },
      });
      if (!uris?.[0]) return undefined;
      file = uris[0].fsPath;
    }
  }
  if (!file) return undefined;
  if (/\.onnx$/i.test(file)) {
    const project = await projectFor(s, file);
    if (!project) return undefined;
    file = project;
  }
  try {
    const m = await s.models.open(file);
    s.source.refresh();
    // show it: the view revealed, the model selected and expanded, and a word that it worked
    void s.tree.reveal(m);
    void vscode.window.setStatusBarMessage(`GAN Dissection: opened ${m.name}`, 4000);
    // the first time: which Python class defines it (for hover and CodeLens)
    void s.source.offerSource(m);
    return m;
  } catch (e) {
    void vscode.window.showErrorMessage(`GAN Dissection: cannot open ${path.basename(file)}: ${(e as Error).message}`);
    return undefined;
  }
}

/** The model a command works on: named, the only one open, or picked. */
export async function pickModel(s: CommandServices, id?: string): Promise<OpenModel | undefined> {
  if (id) return s.models.find(id) ?? (await openModel(s, id));
  const all = s.models.all();
  if (all.length === 0) return openModel(s);
  if (all.length === 1) return all[0];
  const pick = await vscode.window.showQuickPick(
    all.map((m) => ({ label: m.name, description: m.projectFile, m })),
    { title: 'Which model?' },
  );
  return pick?.m;
}

export function registerModelCommands(s: CommandServices): void {
  register(s, 'ganDissection.openModel', (arg?: string | vscode.Uri) => openModel(s, arg));

  // Link a model to the Python class that defines it: given (file and class), or picked among the workspace's classes.
  register(s, 'ganDissection.setGeneratorSource', async (arg?: { model?: string; file?: string; class?: string }) => {
    const m = await pickModel(s, arg?.model);
    if (!m) return undefined;
    if (arg?.file && arg.class) return s.source.link(m, { file: path.resolve(arg.file), class: arg.class });
    return s.source.chooseSource(m);
  });

  register(s, 'ganDissection.filterConcept', async () => {
    const concepts = new Set<string>();
    for (const m of s.models.all())
      for (const r of s.models.runs(m)) for (const l of r.result.layers) for (const c of l.summary.concepts) concepts.add(c.label);
    const pick = await vscode.window.showQuickPick(['(all units)', ...[...concepts].sort()], { title: 'Show units labelled…' });
    if (!pick) return;
    s.tree.setFilter(pick === '(all units)' ? undefined : pick);
  });

  register(s, 'ganDissection.closeModel', async (n?: Node) => {
    if (n?.kind === 'model') await s.models.close(n.model);
  });

  register(s, 'ganDissection.refresh', () => {
    s.models.refresh();
    s.source.refresh();
  });

  // the tree's top nodes and their children as the tree shows them (the tests read it)
  register(s, 'ganDissection.treeItems', async () => {
    const shown = (n: Node) => {
      const item = s.tree.getTreeItem(n);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      return { label, description: typeof item.description === 'string' ? item.description : '', contextValue: item.contextValue ?? '' };
    };
    const top = await s.tree.getChildren();
    return Promise.all(top.map(async (n) => ({ ...shown(n), children: (await s.tree.getChildren(n)).map(shown) })));
  });

  register(s, 'ganDissection.listLayers', async () => {
    const m = await pickModel(s);
    if (!m) return;
    const layers = await s.models.loadLayers(m);
    await vscode.window.showQuickPick(
      layers.map((l) => ({ label: l.name, description: l.shape.join('×'), detail: l.tensor })),
      { title: `Layers of ${m.name}` },
    );
  });
}
