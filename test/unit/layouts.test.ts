/**
 * The generators people train (issue 14, item 7): a small model of each layout, built with the project's
 * own graph builder — StyleGAN2-like (mapping, modulated convs, noise inputs, noise drawn in the graph, a
 * truncation input; also with a static batch of 4), BigGAN-like class-conditional (one-hot and int64),
 * fp16, channels-last, and ProGAN/DCGAN-like. For each: `layers` gives the expected names, shapes and
 * defaults; `dissect`, `intervene`, `ace` and `context` run; two identical runs give identical results;
 * a no-op intervention changes nothing.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  channelsLastMaskGenerator,
  deepGenerator,
  inputsMaskGenerator,
  maskGenerator,
  styleGan2LikeGenerator,
  tmpDir,
  toFloat16,
  writeMaskModels,
} from '../fixtures/models';
import { InterventionModel } from '../../extension/engine/intervene/edit';
import { seededLatents } from '../../extension/engine/models/latents';
import { Generator } from '../../extension/engine/models/contract';
import type { GeneratorSpec } from '../../extension/shared/models';

const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
const dir = tmpDir('gd-layouts-');
const m = writeMaskModels(dir);
const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const write = (name: string, bytes: Uint8Array) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, bytes);
  return f;
};
/** The CLI's result, for an assertion message. */
const said = (r: ReturnType<typeof cli>) => `exit ${r.status}\n${r.stderr}${r.stdout}`;

type Shape = [number, number, number];

interface Layout {
  name: string;
  /** The model options of every command (--generator … or --project …). */
  models: string[];
  /** The generator as the engine API opens it. */
  spec: GeneratorSpec;
  /** Every module output `layers` lists (by its name or an alias), with its shape; exactly these. */
  modules: Record<string, Shape>;
  /** Module outputs that are aliases of another (a block whose last tensor is its sub-module's). */
  aliases?: Record<string, string>;
  channelsLast?: string[];
  /** The layers dissected by default: all of `must`, and nothing outside `must` and `may`. */
  defaults: { must: string[]; may?: string[] };
  /** Extra dissect options (layers, …). */
  dissect?: string[];
  /** The layer intervened on, and the units. */
  layer: string;
  units: number[];
}

const seg = ['--segmenter', m.segmenter, '--labels', m.labels];
const flags = (g: string, extra: string[] = []) => ['--generator', g, ...extra, '--provider', 'cpu', '--quiet'];
const PSI = ['--input', 'truncation_psi=0.7'];

// StyleGAN2-like, the README's project file form (relative paths, the truncation among the inputs)
const sg2 = write('stylegan2.onnx', styleGan2LikeGenerator());
const sg2Project = path.join(dir, 'stylegan2.dissect.json');
fs.writeFileSync(
  sg2Project,
  JSON.stringify({
    generator: { path: 'stylegan2.onnx', latent: 'z', output: 'img', inputs: { truncation_psi: 0.7 } },
    segmenter: { path: path.basename(m.segmenter), labels: path.basename(m.labels) },
    dissect: { layers: ['synthesis.b4.conv1', 'synthesis.b8.conv1'] },
  }),
);
const sg2Fixed = write('stylegan2-batch4.onnx', styleGan2LikeGenerator({ fixedBatch: 4 }));
const SG2_MODULES: Record<string, Shape> = {
  'synthesis.b4.conv1': [12, 4, 4],
  'synthesis.b4': [3, 4, 4],
  'synthesis.b4.torgb': [3, 4, 4],
  'synthesis.b8.conv0': [8, 8, 8],
  'synthesis.b8.conv1': [8, 8, 8],
  'synthesis.b8.torgb': [3, 8, 8],
  'synthesis.b8': [3, 8, 8],
  synthesis: [3, 8, 8],
};
const SG2_ALIASES = { 'synthesis.b4.torgb': 'synthesis.b4', 'synthesis.b8': 'synthesis' };
const SG2_DEFAULTS = { must: ['synthesis.b4.conv1', 'synthesis.b8.conv1'] };
const SG2_LAYERS = ['--layer', 'synthesis.b4.conv1', '--layer', 'synthesis.b8.conv1'];

const MASK_CLASS_MODULES: Record<string, Shape> = {
  layer1: [4, 16, 16],
  'layer1.relu': [4, 16, 16],
  'layer1.noise': [4, 16, 16],
  'layer1.class': [4, 16, 16],
  embed: [4, 16, 16],
};

const layouts: Layout[] = [
  {
    name: 'StyleGAN2-like (mapping, modulated convs, noise inputs, in-graph noise, truncation; project file)',
    models: ['--project', sg2Project, '--provider', 'cpu', '--quiet'],
    spec: { path: sg2, inputs: { truncation_psi: 0.7 } },
    modules: SG2_MODULES,
    aliases: SG2_ALIASES,
    defaults: SG2_DEFAULTS,
    layer: 'synthesis.b4.conv1',
    units: [0, 1],
  },
  {
    name: 'StyleGAN2-like exported with a static batch of 4',
    models: flags(sg2Fixed, PSI),
    spec: { path: sg2Fixed, inputs: { truncation_psi: 0.7 } },
    modules: SG2_MODULES,
    aliases: SG2_ALIASES,
    defaults: SG2_DEFAULTS,
    dissect: SG2_LAYERS,
    layer: 'synthesis.b4.conv1',
    units: [0, 1],
  },
  {
    name: 'BigGAN-like: z and a one-hot class y',
    models: flags(write('class-onehot.onnx', inputsMaskGenerator({ classInput: 'onehot', classes: 5 }))),
    spec: { path: path.join(dir, 'class-onehot.onnx') },
    modules: MASK_CLASS_MODULES,
    aliases: { 'layer1.relu': 'layer1' },
    defaults: { must: ['layer1'], may: ['embed'] },
    layer: 'layer1',
    units: [0],
  },
  {
    name: 'BigGAN-like: z and an int64 class index y',
    models: flags(write('class-int64.onnx', inputsMaskGenerator({ classInput: 'int64', classes: 5 }))),
    spec: { path: path.join(dir, 'class-int64.onnx') },
    modules: MASK_CLASS_MODULES,
    aliases: { 'layer1.relu': 'layer1' },
    defaults: { must: ['layer1'], may: ['embed'] },
    layer: 'layer1',
    units: [0],
  },
  {
    // the fp32 mask model lists layer1 only (its to_rgb conv makes the image, a graph output)
    name: 'fp16 (the mask generator in half precision)',
    models: flags(write('mask-fp16.onnx', toFloat16(maskGenerator()))),
    spec: { path: path.join(dir, 'mask-fp16.onnx') },
    modules: { layer1: [4, 16, 16], 'layer1.relu': [4, 16, 16] },
    aliases: { 'layer1.relu': 'layer1' },
    defaults: { must: ['layer1'] },
    layer: 'layer1',
    units: [0],
  },
  {
    name: 'channels-last featuremaps (a Transpose before the conv)',
    models: flags(write('mask-nhwc.onnx', channelsLastMaskGenerator())),
    spec: { path: path.join(dir, 'mask-nhwc.onnx') },
    // to_rgb's Transpose output is the same layer in NCHW
    modules: { layer1: [4, 16, 16], 'layer1.relu': [4, 16, 16], to_rgb: [4, 16, 16] },
    aliases: { 'layer1.relu': 'layer1' },
    channelsLast: ['layer1'],
    defaults: { must: ['layer1'], may: ['to_rgb'] },
    layer: 'layer1',
    units: [0],
  },
  {
    name: 'ProGAN/DCGAN-like (layer1, layer2, to_rgb)',
    models: flags(write('deep.onnx', deepGenerator())),
    spec: { path: path.join(dir, 'deep.onnx') },
    modules: {
      layer1: [8, 4, 4],
      'layer1.act': [8, 4, 4],
      'layer2.up': [8, 8, 8],
      'layer2.conv': [8, 8, 8],
      layer2: [8, 8, 8],
      'layer2.act': [8, 8, 8],
      to_rgb: [3, 8, 8],
    },
    aliases: { 'layer1.act': 'layer1', 'layer2.act': 'layer2' },
    defaults: { must: ['layer1', 'layer2'], may: ['to_rgb'] },
    layer: 'layer2',
    units: [0, 1],
  },
];

interface LayerJson {
  name: string;
  tensor: string;
  aliases: string[];
  shape: number[];
  layout?: string;
}

/** The numbers of a dissection: per layer, per unit its label, IoU, threshold, IQR and concept IoUs. */
function numbers(out: string): unknown {
  const j = JSON.parse(fs.readFileSync(path.join(out, 'dissect.json'), 'utf8')) as {
    settings: { generator: { inputs?: unknown } };
    layers: { layer: string; units: { unit: number; label: string; iou: number; threshold: number; iqr: number; concepts: unknown }[] }[];
  };
  return {
    inputs: j.settings.generator.inputs,
    layers: j.layers.map((l) => [l.layer, l.units.map((u) => [u.unit, u.label, u.iou, u.threshold, u.iqr, u.concepts])]),
  };
}

const runs = new Map<string, string>();
/** The segmenter options, unless the project file names it. */
const segmenterOf = (L: Layout) => (L.models.includes('--project') ? [] : seg);

for (const [i, L] of layouts.entries()) {
  const tag = `L${i}`;
  const from = path.join(dir, `${tag}-a`);
  runs.set(L.name, from);

  test(`${L.name}: layers lists the expected modules, shapes and defaults`, () => {
    const r = cli(['layers', ...L.models, '--json']);
    assert.equal(r.status, 0, said(r));
    const j = JSON.parse(r.stdout) as { latent: { name: string }; layers: LayerJson[] };
    assert.equal(j.latent.name, 'z');
    const modules = j.layers.filter((l) => l.name !== l.tensor);
    const listed = Object.fromEntries(modules.flatMap((l) => [l.name, ...l.aliases].map((n) => [n, l.shape])));
    assert.deepEqual(listed, L.modules, 'the module outputs and their shapes');
    for (const [alias, of] of Object.entries(L.aliases ?? {}))
      assert.ok(modules.find((l) => l.name === of)?.aliases.includes(alias), `${alias} is ${of}`);
    for (const l of modules) assert.equal(l.layout === 'nhwc', (L.channelsLast ?? []).includes(l.name), `${l.name}: channels-last or not`);
    const t = cli(['layers', ...L.models]);
    assert.equal(t.status, 0, said(t));
    const defaults = [...t.stdout.matchAll(/^\* (\S+)/gm)].map((x) => x[1]);
    for (const d of L.defaults.must)
      assert.ok(defaults.includes(d), `${d} is dissected by default; the defaults: ${defaults.join(', ')}\n${t.stdout}`);
    const allowed = new Set([...L.defaults.must, ...(L.defaults.may ?? [])]);
    for (const d of defaults) assert.ok(allowed.has(d), `${d} is not dissected by default; the defaults: ${defaults.join(', ')}\n${t.stdout}`);
    for (const c of L.channelsLast ?? []) assert.match(t.stdout, new RegExp(`^\\* ${c.replace(/\./g, '\\.')} .*\\[channels-last\\]$`, 'm'));
  });

  test(`${L.name}: dissect runs, and two identical runs give identical numbers`, () => {
    const run = (out: string) => {
      const r = cli(['dissect', ...L.models, ...segmenterOf(L), ...(L.dissect ?? []), '--samples', '24', '--out', out]);
      assert.equal(r.status, 0, said(r));
      return numbers(out);
    };
    const a = run(from);
    const b = run(path.join(dir, `${tag}-b`));
    assert.deepEqual(b, a);
  });

  test(`${L.name}: intervene, ace and context run from the dissection`, () => {
    const models = [...L.models, ...segmenterOf(L), '--from', from, '--layer', L.layer];
    const units = L.units.join(',');
    const iv = path.join(dir, `${tag}-intervene`);
    const r = cli(['intervene', ...models, '--units', units, '--mode', 'insert', '--concept', 'tree', '--samples', '6', '--out', iv]);
    assert.equal(r.status, 0, said(r));
    const j = JSON.parse(fs.readFileSync(path.join(iv, 'intervention.json'), 'utf8')) as { units: number[]; samples: unknown[] };
    assert.deepEqual(j.units, L.units);
    assert.equal(j.samples.length, 6);
    assert.ok(fs.statSync(path.join(iv, 'intervention.png')).size > 0);
    const a = cli(['ace', ...models, '--concept', 'tree', '--units', units, '--samples', '24', '--json']);
    assert.equal(a.status, 0, said(a));
    const ace = JSON.parse(a.stdout) as { removed: number; added: number; ace: number; samples: number; units: number[] };
    assert.equal(ace.samples, 24);
    assert.deepEqual(ace.units, L.units);
    assert.ok([ace.removed, ace.added, ace.ace].every(Number.isFinite), a.stdout);
    const ctx = path.join(dir, `${tag}-context`);
    const c = cli(['context', ...models, '--concept', 'tree', '--count', '2', '--samples', '6', '--grid', '4', '--out', ctx]);
    assert.equal(c.status, 0, said(c));
    const cj = JSON.parse(fs.readFileSync(path.join(ctx, 'context.json'), 'utf8')) as { by_class: Record<string, number>; maps: unknown[] };
    assert.equal(cj.maps.length, 6);
    assert.ok(Object.values(cj.by_class).every(Number.isFinite));
  });

  test(`${L.name}: a no-op intervention changes nothing`, async () => {
    const model = await InterventionModel.open({
      generator: L.spec,
      segmenter: { path: m.segmenter, labels: m.labels },
      layer: L.layer,
      provider: 'cpu',
    });
    const n = 6; // not a multiple of a static batch of 4: the last chunk is padded
    const z = seededLatents(4, model.gen.latentDims).batch(0, n);
    const orig = await model.original(z, n);
    const noop = await model.edited(orig.fm, z, n, { units: [], mode: 'ablate' });
    assert.deepEqual(noop.image, orig.image, 'the same image, bit for bit');
    assert.deepEqual(noop.seg.maps, orig.seg.maps);
    // (and the render model does depend on the layer: ablating every unit changes the image)
    const every = await model.edited(orig.fm, z, n, { units: Array.from({ length: model.shape[0] }, (_, u) => u), mode: 'ablate' });
    assert.notDeepEqual(every.image, orig.image);
  });
}

test('StyleGAN2-like: every input is recorded — the truncation, a normal draw per sample for each noise map and the in-graph noise', () => {
  const j = JSON.parse(fs.readFileSync(path.join(runs.get(layouts[0].name)!, 'dissect.json'), 'utf8')) as {
    settings: { generator: { inputs: Record<string, unknown> } };
  };
  const inputs = j.settings.generator.inputs;
  assert.equal(inputs.truncation_psi, 0.7);
  assert.equal(inputs.noise0, 'normal');
  assert.equal(inputs.noise1, 'normal');
  const drawn = Object.keys(inputs).filter((k) => k.includes('RandomNormalLike'));
  assert.equal(drawn.length, 1, JSON.stringify(inputs));
  assert.equal(inputs[drawn[0]], 'normal');
});

test('StyleGAN2-like: the static-batch export dissects as the dynamic one (the same network; each sample its own noise)', () => {
  // a sample's inputs do not depend on the export's batch: its noise maps are its own in both
  const open = (file: string) => Generator.open({ path: file, inputs: { truncation_psi: 0.7 } }, { provider: 'cpu' });
  const [gd, gf] = [open(sg2), open(sg2Fixed)];
  const z = seededLatents(1, 16).batch(0, 4);
  for (const input of ['noise0', 'noise1'])
    assert.deepEqual(
      Array.from(gf.feeds(z, 4)[input].data as Float32Array),
      Array.from(gd.feeds(z, 4)[input].data as Float32Array),
      `${input} of the static-batch export (${JSON.stringify(gf.inputPlans.find((p) => p.name === input))}) is each sample's own draw, as in the dynamic one`,
    );
  // 22 samples: the last chunk of 4 is padded
  const run = (models: string[], out: string) => {
    const r = cli(['dissect', ...models, ...seg, ...SG2_LAYERS, '--samples', '22', '--out', out]);
    assert.equal(r.status, 0, said(r));
    return numbers(out);
  };
  const dynamic = run(flags(sg2, PSI), path.join(dir, 'sg2-dynamic-22'));
  const fixed = run(flags(sg2Fixed, PSI), path.join(dir, 'sg2-fixed-22'));
  assert.deepEqual(fixed, dynamic);
});

test('StyleGAN2-like: a truncation input of shape [1] (torch.tensor([ψ])) takes its value in every batch', () => {
  const g = write('stylegan2-psi1.onnx', styleGan2LikeGenerator({ psiDims: [1] }));
  const l = cli(['layers', ...flags(g, PSI), '--json']);
  assert.equal(l.status, 0, said(l));
  const out = path.join(dir, 'sg2-psi1');
  const r = cli(['dissect', ...flags(g, PSI), ...seg, ...SG2_LAYERS, '--samples', '12', '--out', out]);
  assert.equal(r.status, 0, said(r));
  const j = JSON.parse(fs.readFileSync(path.join(out, 'dissect.json'), 'utf8')) as { settings: { generator: { inputs: Record<string, unknown> } } };
  assert.equal(j.settings.generator.inputs.truncation_psi, 0.7);
});
