/**
 * Watching a training folder in a real VS Code: a model is opened (the mask generator and segmenter of
 * test/fixtures/models.ts), its settings are used to watch a folder into which the test then writes
 * checkpoints of a series whose planted units go from noise to the masks; each checkpoint appears in the
 * tree under the series, the status bar says what is going on, the Training panel opens, two checkpoints
 * are compared, and the watch is stopped. Runs before the demo's tests (they expect the demo to be the only
 * model open): the mask model is closed at the end.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { seriesGenerator, writeMaskModels } from '../../fixtures/models';

const EXTENSION_ID = 'gan-dissection.gan-dissection';

interface Shown {
  label: string;
  description: string;
  contextValue: string;
  children: { label: string; description: string; contextValue: string }[];
}

async function until<T>(what: string, ms: number, get: () => Promise<T | undefined>): Promise<T> {
  const t0 = Date.now();
  let last: T | undefined;
  for (;;) {
    last = await get();
    if (last !== undefined) return last;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Writes a checkpoint as a training loop would (a temporary name, then renamed), dated a while ago so the first look takes it. */
function land(dir: string, step: number, alpha: number): void {
  const f = path.join(dir, `G_${step}.onnx`);
  fs.writeFileSync(`${f}.tmp`, seriesGenerator(alpha));
  fs.renameSync(`${f}.tmp`, f);
  const past = new Date(Date.now() - 5000);
  fs.utimesSync(f, past, past);
}

describe('watching a training folder', function () {
  this.timeout(180_000);
  let root: string;
  let ckpt: string;
  let project: string;
  let model: unknown;
  let out: string;
  let display: string;

  const series = async (): Promise<Shown | undefined> => {
    const items = (await vscode.commands.executeCommand('ganDissection.treeItems')) as Shown[];
    return items.find((n) => n.contextValue.startsWith('series') && n.label === display);
  };

  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
    root = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.gd-e2e-training');
    ckpt = path.join(root, 'ckpt');
    fs.mkdirSync(ckpt, { recursive: true });
    const m = writeMaskModels(root);
    project = path.join(root, 'mask.dissect.json');
    fs.writeFileSync(
      project,
      JSON.stringify({
        generator: { path: path.basename(m.generator) },
        segmenter: { path: path.basename(m.segmenter), labels: path.basename(m.labels) },
      }),
    );
    model = await vscode.commands.executeCommand('ganDissection.openModel', project);
    assert.ok(model, 'the mask model opened');
  });

  it('watches the folder with the model’s settings and shows each checkpoint in the tree as it lands', async () => {
    const started = (await vscode.commands.executeCommand('ganDissection.watchTraining', {
      pattern: ckpt,
      model: project,
      layers: ['layer1'],
      samples: 24,
      pollMs: 200,
    })) as { out: string; display: string };
    assert.ok(started, 'the watch started');
    ({ out, display } = started);
    assert.equal(display, '.gd-e2e-training/ckpt/');
    const status = () => vscode.commands.executeCommand('ganDissection.trainingStatusText') as Thenable<string>;
    assert.match(await status(), /watching \.gd-e2e-training\/ckpt\/ · 0 checkpoints/);
    const titles = (await vscode.commands.executeCommand('ganDissection.openedPanels')) as string[];
    assert.ok(titles.includes('training · .gd-e2e-training/ckpt/'), `panels: ${titles.join(', ')}`);

    land(ckpt, 0, 0);
    const first = await until('step 0 in the tree', 60_000, async () => {
      const s = await series();
      return s?.children.some((c) => c.label === 'step 0') ? s : undefined;
    });
    assert.match(first.description, /^series · 1 checkpoint · watching$/);
    assert.equal(first.contextValue, 'series.watching');
    assert.deepEqual(first.children, [{ label: 'step 0', description: '0/4 interpretable', contextValue: 'checkpoint' }]);
    await until('the status bar', 10_000, async () => (/watching .* · 1 checkpoint$/.test(await status()) ? true : undefined));

    land(ckpt, 1000, 1);
    const second = await until('step 1000 in the tree', 60_000, async () => {
      const s = await series();
      return s && s.children.length === 2 ? s : undefined;
    });
    // the masks: units 0 and 1 are tree and sky
    assert.deepEqual(
      second.children.map((c) => [c.label, c.description]),
      [
        ['step 0', '0/4 interpretable'],
        ['step 1000', '2/4 interpretable'],
      ],
    );
    const onDisk = JSON.parse(fs.readFileSync(path.join(out, 'series.json'), 'utf8')) as { checkpoints: { step: number; run: string }[] };
    assert.deepEqual(
      onDisk.checkpoints.map((c) => c.step),
      [0, 1000],
    );
  });

  it('compares the two checkpoints side by side', async () => {
    const items = [0, 1000].map((step) => ({ runId: path.join(out, `step-${step}`), layer: 'layer1' }));
    await vscode.commands.executeCommand('ganDissection.compareRuns', { items });
    const titles = (await vscode.commands.executeCommand('ganDissection.openedPanels')) as string[];
    assert.ok(titles.includes('compare 2 runs · layer1'), `panels: ${titles.join(', ')}`);
  });

  it('stops the watch: the series stays in the tree, no longer watched', async () => {
    const summary = (await vscode.commands.executeCommand('ganDissection.stopWatching', { out })) as { checkpoints: { step: number }[] };
    assert.deepEqual(
      summary.checkpoints.map((c) => c.step),
      [0, 1000],
    );
    assert.equal(await vscode.commands.executeCommand('ganDissection.trainingStatusText'), '');
    const s = await until('the series, not watched', 10_000, async () => {
      const x = await series();
      return x && x.contextValue === 'series' ? x : undefined;
    });
    assert.equal(s.description, 'series · 2 checkpoints');
  });

  after(async () => {
    if (out && (await vscode.commands.executeCommand('ganDissection.trainingStatusText')))
      await vscode.commands.executeCommand('ganDissection.stopWatching', { out });
    if (model) await vscode.commands.executeCommand('ganDissection.closeModel', { kind: 'model', model });
  });
});
