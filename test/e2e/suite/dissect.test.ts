/**
 * The user's path in a real VS Code: open the bundled demo model, dissect a layer, see its panel, link the
 * model to train.py's Generator, read a layer's summary (and its best units' images) by hovering its name in
 * train.py and in a file that imports the class, but not in strings, comments or an unrelated class with the
 * same names; follow the CodeLens and Go to Source, open a unit, export. The layer panel is left open: the harness then checks its rows and images in the webview.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'gan-dissection.gan-dissection';

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

async function positionOf(doc: vscode.TextDocument, needle: string, offset = 0): Promise<vscode.Position> {
  const i = doc.getText().indexOf(needle);
  assert.ok(i >= 0, `"${needle}" not in ${doc.fileName}`);
  return doc.positionAt(i + offset);
}

describe('dissection in VS Code', function () {
  this.timeout(240_000);
  let demo: string;
  let out: string;
  let trainPy: vscode.Uri;

  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    await ext.activate();
    demo = path.join(ext.extensionPath, 'media', 'demo', 'demo.dissect.json');
    trainPy = (await vscode.workspace.findFiles('train.py'))[0];
  });

  it('opens the bundled demo model and lists its layers', async () => {
    const m = (await vscode.commands.executeCommand('ganDissection.openModel', demo)) as { name: string; layers?: { name: string }[] };
    assert.equal(m.name, 'generator.onnx');
    assert.deepEqual(
      m.layers?.filter((l) => /^layer\d$/.test(l.name)).map((l) => l.name),
      ['layer1', 'layer2', 'layer3', 'layer4', 'layer5', 'layer6'],
    );
  });

  it('dissects layer3 and opens its panel', async () => {
    const r = (await vscode.commands.executeCommand('ganDissection.dissectLayer', { layers: ['layer3'], samples: 40, threshold: 'quantile' })) as {
      out: string;
      layers: { layer: string; units: number; interpretable: number }[];
    };
    assert.ok(r, 'the command returned no result (did the dissection fail? see the log)');
    out = r.out;
    assert.equal(r.layers[0].layer, 'layer3');
    assert.equal(r.layers[0].units, 64);
    const result = JSON.parse(fs.readFileSync(path.join(out, 'dissect.json'), 'utf8'));
    assert.equal(result.settings.samples, 40);
    assert.ok(fs.existsSync(path.join(out, 'images', 'layer3', 'unit0000.png')));
    const titles = (await vscode.commands.executeCommand('ganDissection.openedPanels')) as string[];
    assert.ok(
      titles.some((t) => t.startsWith('layer3')),
      `panels: ${titles.join(', ')}`,
    );
  });

  it('a second identical dissection reuses the result', async () => {
    const r = (await vscode.commands.executeCommand('ganDissection.dissectLayer', {
      layers: ['layer3'],
      samples: 40,
      threshold: 'quantile',
      noPanel: true,
    })) as { out: string; cached: boolean };
    assert.equal(r.out, out);
    assert.equal(r.cached, true);
  });

  it('layer3 + layer2 reuses layer3 and dissects only layer2', async () => {
    const r = (await vscode.commands.executeCommand('ganDissection.dissectLayer', {
      layers: ['layer3', 'layer2'],
      samples: 40,
      threshold: 'quantile',
      noPanel: true,
    })) as { out: string; reused?: { layer: string; out: string }[]; layers: { layer: string }[] };
    assert.deepEqual(r.reused, [{ layer: 'layer3', out }]);
    assert.deepEqual(
      r.layers.map((l) => l.layer),
      ['layer3', 'layer2'],
    );
    const result = JSON.parse(fs.readFileSync(path.join(r.out, 'dissect.json'), 'utf8'));
    assert.deepEqual(
      result.layers.map((l: { layer: string }) => l.layer),
      ['layer2'],
    );
  });

  it("links the model to train.py's Generator, kept in the workspace for the bundled demo", async () => {
    const src = (await vscode.commands.executeCommand('ganDissection.setGeneratorSource', {
      model: demo,
      file: trainPy.fsPath,
      class: 'Generator',
    })) as { file: string; class: string };
    assert.deepEqual(src, { file: trainPy.fsPath, class: 'Generator' });
    // the bundled demo's project file is not rewritten
    assert.equal(JSON.parse(fs.readFileSync(demo, 'utf8')).source, undefined);
  });

  it("hovering self.layer3 in train.py shows the layer's dissection summary", async () => {
    const doc = await vscode.workspace.openTextDocument(trainPy);
    await vscode.window.showTextDocument(doc);
    const pos = await positionOf(doc, 'x = self.layer3(x)', 'x = self.'.length + 2);
    const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, pos)) as vscode.Hover[];
    const text = hoverText(hovers);
    // names from the model are escaped Markdown (a trusted hover): generator\.onnx shows as generator.onnx
    assert.match(text, /\*\*layer3\*\* · generator\\\.onnx · `64×16×16`/);
    assert.match(text, /\d+\/64 units interpretable/);
    assert.match(text, /command:ganDissection\.showLayer/);
    // a layer that was not dissected has no such hover
    const pos4 = await positionOf(doc, 'x = self.layer4(x)', 'x = self.'.length + 2);
    const none = hoverText((await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, pos4)) as vscode.Hover[]);
    assert.doesNotMatch(none, /units interpretable/);
  });

  it("the hover shows the layer's best units as an image, with links to open them", async () => {
    const doc = await vscode.workspace.openTextDocument(trainPy);
    const pos = await positionOf(doc, 'x = self.layer3(x)', 'x = self.'.length + 2);
    const text = hoverText((await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, pos)) as vscode.Hover[]);
    const img = /<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)" width="(\d+)" height="(\d+)"/.exec(text);
    assert.ok(img, text);
    const png = Buffer.from(img[1], 'base64');
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    // one 64×64 tile a unit (the demo's images), 2 px apart, shown at a whole multiple of its size
    const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    const units = (text.match(/command:ganDissection\.showUnit/g) ?? []).length;
    assert.ok(units >= 1 && units <= 5, text);
    assert.equal(h, 64);
    assert.equal(w, units * 64 + (units - 1) * 2);
    assert.equal(Number(img[2]) % w, 0);
  });

  it('no hover in strings or comments, nor in an unrelated class with the same names; one where the class is imported', async () => {
    const doc = await vscode.workspace.openTextDocument(trainPy);
    const hoverAt = async (d: vscode.TextDocument, needle: string, offset: number) =>
      hoverText((await vscode.commands.executeCommand('vscode.executeHoverProvider', d.uri, await positionOf(d, needle, offset))) as vscode.Hover[]);
    assert.doesNotMatch(await hoverAt(doc, '"self.layer3 is', 8), /units interpretable/);
    assert.doesNotMatch(await hoverAt(doc, '# and self.layer3', 13), /units interpretable/);
    const features = await vscode.workspace.openTextDocument((await vscode.workspace.findFiles('features.py'))[0]);
    assert.doesNotMatch(await hoverAt(features, 'self.layer3(x)', 7), /units interpretable/);
    const lenses = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', features.uri, 10)) as vscode.CodeLens[];
    assert.deepEqual(
      lenses.map((l) => l.command?.title),
      [],
    );
    const sample = await vscode.workspace.openTextDocument((await vscode.workspace.findFiles('sample.py'))[0]);
    assert.match(await hoverAt(sample, 'G.layer3', 4), /\*\*layer3\*\* · generator\\\.onnx/);
  });

  it('puts a CodeLens on the line that defines layer3', async () => {
    const doc = await vscode.workspace.openTextDocument(trainPy);
    const lenses = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri, 10)) as vscode.CodeLens[];
    const lens = lenses.find((l) => l.command?.title.startsWith('layer3 ·'));
    assert.ok(lens, `lenses: ${lenses.map((l) => l.command?.title).join(' | ')}`);
    assert.equal(doc.lineAt(lens.range.start.line).text.trim().startsWith('self.layer3 = nn.Sequential('), true);
    assert.match(lens.command!.title, /units interpretable/);
  });

  it('Go to Source opens the definition of layer3', async () => {
    const ok = await vscode.commands.executeCommand('ganDissection.goToSource', {
      generator: path.join(path.dirname(demo), 'generator.onnx'),
      layer: 'layer3',
    });
    assert.equal(ok, true);
    const editor = vscode.window.activeTextEditor!;
    assert.equal(path.basename(editor.document.fileName), 'train.py');
    assert.match(editor.document.lineAt(editor.selection.start.line).text, /self\.layer3 = nn\.Sequential\(/);
  });

  it('opens a unit panel', async () => {
    await vscode.commands.executeCommand('ganDissection.showUnit', { runId: out, layer: 'layer3', unit: 5 });
    const titles = (await vscode.commands.executeCommand('ganDissection.openedPanels')) as string[];
    assert.ok(titles.includes('layer3 unit 5'), `panels: ${titles.join(', ')}`);
  });

  it('exports the run as CSV and as a self-contained HTML report', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gd-export-'));
    const csv = (await vscode.commands.executeCommand('ganDissection.exportReport', {
      runId: out,
      format: 'csv',
      target: path.join(dir, 'r.csv'),
    })) as string;
    assert.equal(fs.readFileSync(csv, 'utf8').trim().split('\n').length, 1 + 64);
    const html = (await vscode.commands.executeCommand('ganDissection.exportReport', {
      runId: out,
      format: 'html',
      target: path.join(dir, 'r.html'),
    })) as string;
    assert.match(fs.readFileSync(html, 'utf8'), /data:image\/png;base64/);
  });

  it('opens the intervention panel on layer3 and the causal panel', async () => {
    await vscode.commands.executeCommand('ganDissection.causalUnits', { runId: out, layer: 'layer3' });
    await vscode.commands.executeCommand('ganDissection.intervene', { runId: out, layer: 'layer3', units: [0, 1, 2, 3, 4, 5, 6, 7], mode: 'ablate' });
    const titles = (await vscode.commands.executeCommand('ganDissection.openedPanels')) as string[];
    assert.ok(titles.includes('layer3 · intervention'), `panels: ${titles.join(', ')}`);
    assert.ok(titles.includes('layer3 · causal units'), `panels: ${titles.join(', ')}`);
    // the engine wrote the unedited samples of the preview grid next to the dissection
    const dir = path.join(out, 'interventions', 'layer3');
    const start = Date.now();
    while (Date.now() - start < 60_000 && !(fs.existsSync(dir) && fs.readdirSync(dir).filter((f) => f.endsWith('-before.png')).length === 4))
      await new Promise((r) => setTimeout(r, 250));
    assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('-before.png')).length, 4);
  });

  it('opens the artifacts panel on layer3 from its command', async () => {
    await vscode.commands.executeCommand('ganDissection.findArtifacts', { runId: out, layer: 'layer3' });
    const titles = (await vscode.commands.executeCommand('ganDissection.openedPanels')) as string[];
    assert.ok(titles.includes('layer3 · artifact units'), `panels: ${titles.join(', ')}`);
  });

  after(async () => {
    // leave the layer panel open and the intervention panel in front, for the harness's UI checks
    await vscode.commands.executeCommand('ganDissection.showLayer', { runId: out, layer: 'layer3' });
    await vscode.commands.executeCommand('ganDissection.intervene', { runId: out, layer: 'layer3' });
  });
});
