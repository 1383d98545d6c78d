/**
 * The Python helper (python/gan_dissect_export, issue 16 "From PyTorch in one line") with Debian's
 * python3-torch: a small DCGAN-like generator written in Python, exported in one call, opened through its
 * project file, listed and dissected by the CLI; its layer names are the module names in its Python source
 * (so hover and CodeLens find them). Skipped, and said so, where /usr/bin/python3 has no torch.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadProject } from '../../extension/shared/project';
import { stepOf } from '../../extension/engine/series/checkpoints';
import { analyzePython } from '../../extension/ui/python/classes';
import { attributeReferences, referenceAt, refersTo } from '../../extension/ui/python/references';
import { classModules, findDefinition } from '../../extension/ui/python/modules';
import { importsClass, moduleOf } from '../../extension/ui/python/imports';
import { tmpDir } from '../fixtures/models';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const DEMO = path.join(ROOT, 'media', 'demo');
// Debian's torch is for the system Python, not whichever python3 comes first on PATH.
const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
const skip = hasTorch ? false : 'python3-torch is not installed';

/** A DCGAN-like generator (64×64, as the demo segmenter expects), optionally class-conditional (y one-hot). */
const GENERATOR_PY = `import torch
import torch.nn as nn


class Generator(nn.Module):
    def __init__(self, z_dim=32, classes=0, width=16):
        super().__init__()
        self.z_dim = z_dim
        w = width
        self.layer1 = nn.Sequential(nn.ConvTranspose2d(z_dim + classes, w * 8, 4, 1, 0), nn.BatchNorm2d(w * 8), nn.ReLU())
        self.layer2 = nn.Sequential(nn.ConvTranspose2d(w * 8, w * 4, 4, 2, 1), nn.BatchNorm2d(w * 4), nn.ReLU())
        self.layer3 = nn.Sequential(nn.ConvTranspose2d(w * 4, w * 2, 4, 2, 1), nn.BatchNorm2d(w * 2), nn.ReLU())
        self.layer4 = nn.Sequential(nn.Conv2d(w * 2, w, 3, 1, 1), nn.BatchNorm2d(w), nn.ReLU(), nn.Upsample(scale_factor=2))
        self.to_rgb = nn.Sequential(nn.ConvTranspose2d(w, 3, 4, 2, 1), nn.Tanh())

    def forward(self, z, y=None):
        if y is not None:
            z = torch.cat([z, y], 1)
        x = self.layer1(z.view(z.shape[0], -1, 1, 1))
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        return self.to_rgb(x)
`;

/** Exports G (train mode, with a step and the demo segmenter) and a class-conditional C; prints what it saw. */
const EXPORT_PY = `import json, os, sys, warnings
import torch
from gan_dissect_export import export_generator
from generator import Generator

out = sys.argv[1]
seg, labels = sys.argv[2], sys.argv[3]
torch.manual_seed(0)
G = Generator().train()
G.layer2[1].eval()  # one module in another mode than its parent: each module's own mode comes back
stats = G.layer1[1].running_mean.clone()
C = Generator(classes=10)
# A project file from before, edited by hand: its dissect settings stay.
os.makedirs(out, exist_ok=True)
with open(out + "/G_latest.dissect.json", "w") as f:
    json.dump({"generator": {"path": "old.onnx", "range": [0, 1]}, "dissect": {"samples": 500, "threshold": "iqr"}}, f)
torch.manual_seed(7)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    g = export_generator(G, out + "/G_latest.onnx", 32, step=1200, segmenter=seg, labels=labels)
    c = export_generator(C, out + "/conditional/C.onnx", extra_inputs={"y": torch.eye(10)[:2]},
                         segmenter={"path": seg, "input": {"range": [-1, 1], "channels": "RGB"}}, labels=labels)
after = torch.rand(1).item()


class Fixed(Generator):
    def forward(self, z, y=None):
        return super().forward(z.view(len(z), -1), y)  # len(): the trace fixes the batch size


with warnings.catch_warnings(record=True) as fixed:
    warnings.simplefilter("always")
    export_generator(Fixed(), os.path.dirname(out) + "/fixed/F.onnx", 32, project=False)
torch.manual_seed(7)
print(json.dumps({
    "g": g._asdict(), "c": c._asdict(),
    "modes": [G.training, G.layer1.training, G.layer2[1].training, G.to_rgb[0].training],
    "stats_kept": bool(torch.equal(stats, G.layer1[1].running_mean)),
    "rng_kept": after == torch.rand(1).item(),
    # Warnings that name this file's lines (the helper's own name its caller's): none for G and C.
    "warnings": [str(w.message) for w in caught if w.filename == __file__],
    "fixed_warnings": [str(w.message) for w in fixed if w.filename == __file__],
}))
`;

interface Exported {
  dir: string;
  source: string;
  g: { onnx: string; project: string; sidecar: string };
  c: { onnx: string; project: string; sidecar: null };
  modes: boolean[];
  stats_kept: boolean;
  rng_kept: boolean;
  warnings: string[];
  fixed_warnings: string[];
}

let exported: Exported | undefined;
/** Writes the generator and runs the export once, for every test that needs it. */
function exportOnce(): Exported {
  if (exported) return exported;
  const dir = tmpDir('gd-pyexport-');
  const source = path.join(dir, 'generator.py');
  fs.writeFileSync(source, GENERATOR_PY);
  fs.writeFileSync(path.join(dir, 'export.py'), EXPORT_PY);
  const out = path.join(dir, 'checkpoints');
  const r = spawnSync(PYTHON, [path.join(dir, 'export.py'), out, path.join(DEMO, 'segmenter.onnx'), path.join(DEMO, 'labels.json')], {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, PYTHONPATH: [path.join(ROOT, 'python'), dir].join(path.delimiter), PYTHONDONTWRITEBYTECODE: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  exported = { dir, source, ...JSON.parse(r.stdout.trim().split('\n').pop()!) } as Exported;
  return exported;
}

function cli(args: string[]) {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing (npm run build)`);
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

interface Layer {
  name: string;
  tensor: string;
  aliases: string[];
  shape: number[];
}

function layers(project: string): { latent: { name: string }; layers: Layer[] } {
  const r = cli(['layers', '--project', project, '--json', '--provider', 'cpu']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('export_generator writes the ONNX file, a project file loadProject accepts, and the step sidecar', { skip }, () => {
  const e = exportOnce();
  const folder = path.dirname(e.g.onnx);
  assert.equal(e.g.project, path.join(folder, 'G_latest.dissect.json'));
  assert.equal(e.g.sidecar, path.join(folder, 'G_latest.onnx.json'));
  // Written to temporary names and renamed into place: none is left behind.
  assert.deepEqual(fs.readdirSync(folder).sort(), ['G_latest.dissect.json', 'G_latest.onnx', 'G_latest.onnx.json', 'conditional']);

  const p = loadProject(e.g.project);
  assert.equal(p.generator.path, e.g.onnx);
  assert.equal(p.generator.latent, 'z');
  assert.equal(p.generator.output, 'image');
  assert.deepEqual(p.generator.range, [-1, 1]);
  assert.equal(p.segmenter?.path, path.join(DEMO, 'segmenter.onnx'));
  assert.equal(p.segmenter?.labels, path.join(DEMO, 'labels.json'));
  assert.deepEqual(p.dissect, { samples: 500, threshold: 'iqr' }, "an existing project file's other sections are kept");
  // Paths in the file are relative to it, so the folder can move with its models.
  const raw = JSON.parse(fs.readFileSync(e.g.project, 'utf8'));
  assert.equal(raw.generator.path, 'G_latest.onnx');
  assert.ok(!path.isAbsolute(raw.segmenter.path), raw.segmenter.path);

  // The checkpoint series reads the step from the sidecar (the file name has no number).
  assert.deepEqual(JSON.parse(fs.readFileSync(e.g.sidecar, 'utf8')), { step: 1200 });
  assert.deepEqual(stepOf(e.g.onnx), { step: 1200, stepFrom: 'sidecar' });
});

test('the generator is exported in eval mode without touching its state, and comes back as it was', { skip }, () => {
  const e = exportOnce();
  assert.deepEqual(e.modes, [true, true, false, true]);
  assert.equal(e.stats_kept, true, 'BatchNorm running stats changed by the export');
  assert.equal(e.rng_kept, true, "the export moved the training's random stream");
  assert.deepEqual(e.warnings, []);
});

test('a generator whose trace fixes the batch size (len(z)) is exported with a warning that says so', { skip }, () => {
  const e = exportOnce();
  // torch's own TracerWarning (it names the line with len()), then the helper's, which says what it means.
  assert.ok(
    e.fixed_warnings.some((m) => /Using len to get tensor shape/.test(m)),
    e.fixed_warnings.join('\n'),
  );
  const ours = e.fixed_warnings.filter((m) => /tracer warned/.test(m));
  assert.equal(ours.length, 1, e.fixed_warnings.join('\n'));
  assert.match(ours[0], /batch 2\)\. A batch size read with len\(x\)/);
});

test("the CLI's layer names are the module names in the Python source, as hover and CodeLens find them", { skip }, () => {
  const e = exportOnce();
  // the project file names the generator's class and its file (relative to it)
  const project = loadProject(e.g.project);
  assert.deepEqual(project.source, { file: e.source, class: 'Generator' });
  const l = layers(e.g.project);
  assert.equal(l.latent.name, 'z');
  const modules = l.layers.filter((x) => x.name !== x.tensor);
  assert.ok(modules.length > 0, 'no layer named by a module path');
  const text = fs.readFileSync(e.source, 'utf8');
  const py = analyzePython(text);
  const defs = classModules(py, 'Generator')!;
  const tops = [...new Set(modules.map((x) => x.name.split('.')[0]))];
  assert.deepEqual(tops, ['layer1', 'layer2', 'layer3', 'layer4', 'to_rgb']);
  // Every module path of the graph is a definition in the class, exactly: blocks and their Sequential children.
  for (const x of modules) {
    const found = findDefinition(defs, { name: x.name, aliases: x.aliases });
    assert.ok(found?.exact, `${x.name} is not defined in generator.py (${defs.map((d) => d.name).join(', ')})`);
  }
  // Each block is one layer by its own name (its last output), with its parts below it.
  const byName = new Map(l.layers.map((x) => [x.name, x]));
  assert.deepEqual(byName.get('layer2')?.shape, [64, 8, 8]);
  assert.deepEqual(byName.get('layer4')?.shape, [16, 32, 32]);
  assert.match(byName.get('layer2')!.tensor, /^\/layer2\/layer2\.2\/Relu/);

  // CodeLens: the definition of each block is its `self.X = nn.Sequential(` line, at the name.
  const lines = text.split('\n');
  for (const layer of ['layer2', 'to_rgb']) {
    const d = findDefinition(defs, { name: layer })!.def;
    assert.equal(lines[d.line].slice(d.start, d.end), layer);
    assert.match(lines[d.line], new RegExp(`self\\.${layer} = nn\\.Sequential`));
  }
  // Hover: a use in forward() refers to the layer; the export script, which imports the class, is linked.
  const use = text.indexOf('self.layer3(x)') + 'self.la'.length;
  const ref = referenceAt(attributeReferences(py), use);
  assert.ok(ref && refersTo(ref.path, { name: 'layer3' }), JSON.stringify(ref));
  const script = analyzePython(fs.readFileSync(path.join(e.dir, 'export.py'), 'utf8'));
  assert.ok(importsClass(script, moduleOf('generator.py'), 'Generator'));
});

test('the exported generator dissects with the demo segmenter', { skip }, () => {
  const e = exportOnce();
  const out = path.join(e.dir, 'run');
  const r = cli([
    'dissect',
    '--project',
    e.g.project,
    '--segmenter',
    path.join(DEMO, 'segmenter.onnx'),
    '--labels',
    path.join(DEMO, 'labels.json'),
    '--samples',
    '20',
    '--layer',
    'layer2',
    '--provider',
    'cpu',
    '--out',
    out,
  ]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(fs.readFileSync(path.join(out, 'dissect.json'), 'utf8'));
  assert.deepEqual(
    j.layers.map((x: { layer: string }) => x.layer),
    ['layer2'],
  );
  assert.equal(j.layers[0].units.length, 64);
});

test('a class-conditional generator: the extra input y is declared, detected as a class, and dissected', { skip }, () => {
  const e = exportOnce();
  assert.equal(e.c.sidecar, null);
  assert.equal(e.c.project, path.join(path.dirname(e.c.onnx), 'C.dissect.json'));
  const p = loadProject(e.c.project);
  assert.equal(p.generator.path, e.c.onnx);
  assert.deepEqual(p.segmenter?.input, { range: [-1, 1], channels: 'RGB' });
  assert.equal(p.segmenter?.path, path.join(DEMO, 'segmenter.onnx'));
  const l = layers(e.c.project);
  assert.equal(l.latent.name, 'z');
  assert.deepEqual(l.layers.find((x) => x.name === 'layer1')?.shape, [128, 4, 4]);

  const out = path.join(e.dir, 'run-conditional');
  const r = cli(['dissect', '--project', e.c.project, '--samples', '20', '--layer', 'layer3', '--provider', 'cpu', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(fs.readFileSync(path.join(out, 'dissect.json'), 'utf8'));
  assert.deepEqual(j.settings.generator.inputs, { y: { class: 'random', classes: 10 } });
  assert.equal(j.layers[0].layer, 'layer3');
});
