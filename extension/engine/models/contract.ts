/**
 * The model contract (README: "Conventions"): a generator (latent → image) and a segmenter (image → logits) as ONNX
 * Runtime sessions, with the conventions, checks and errors that make a user's own models usable.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel, valueDims, elemType, elemTypeName, FLOAT, onnx, type Model } from './onnx/proto';
import { spatialTensors, channelsLastTensors, imageRange } from './onnx/graph';
import {
  captureModel,
  renderModel,
  labelingModel,
  labelsOutput,
  float32Boundary,
  halfLayerInput,
  nhwcLayerInput,
  randomOpsAsInputs,
  RANDOM_OPS,
} from './onnx/surgery';
import { halfToFloat } from '../data/half';
import { planInputs, inputValues, type InputPlan } from './inputs';
import { encodeModel, sha256 as hashText } from './onnx/proto';
import { createSession, runSession, floatTensor, ort, type Session, type SessionOptions } from './onnx/session';
import { DissectError, nearest } from '../../shared/errors';
import { parseLabelsText, labelSpace, type LabelSpace } from '../data/labels';
import { labelMap, quadParts } from '../data/segment';
import { segmenterInput, firstNonFinite } from '../data/image';
import type { GeneratorSpec, SegmenterSpec, LayerInfo, Range, SegmenterInputSpec, InputChoice } from '../../shared/models';
import type { SampleLabels } from '../stats/iou-tally';

export interface GeneratedBatch {
  n: number;
  image: Float32Array;
  /** [3, H, W] of one image. */
  imageShape: [number, number, number];
  layers: Map<string, Float32Array>;
}

export class Generator {
  private constructor(
    readonly file: string,
    private graphModel: Model,
    readonly sha256: string,
    readonly latent: string,
    /** Latent shape without the batch dim, e.g. [128] or [128, 1, 1]. */
    readonly latentShape: number[],
    readonly fixedBatch: number | undefined,
    readonly output: string,
    readonly range: Range,
    /** How each input besides the latent is fed (models/inputs.ts); random ops' inputs join on prepare(). */
    readonly inputPlans: InputPlan[],
    private readonly sessionOptions: SessionOptions,
    private readonly spec: GeneratorSpec,
    /** How the image range was chosen ("given", "the image is a Sigmoid's output", "the default"). */
    readonly rangeWhy = 'given',
  ) {}

  get latentDims(): number {
    return this.latentShape.reduce((a, b) => a * b, 1);
  }

  static open(spec: GeneratorSpec, sessionOptions: SessionOptions): Generator {
    const loaded = loadModel(spec.path, 'generator');
    const { sha256 } = loaded;
    // Weights in files beside the model (external data): its sessions find them there, whatever the working directory.
    if (hasExternalData(loaded.model)) sessionOptions = { ...sessionOptions, externalDataDir: path.dirname(path.resolve(spec.path)) };
    // An fp16 export runs as it is, with float32 latents in and images out (its layers are read as float32).
    const model = float32Boundary(loaded.model);
    const g = model.graph!;
    const inits = new Set((g.initializer ?? []).map((t) => t.name));
    const inputs = (g.input ?? []).filter((i) => !inits.has(i.name));
    const floats = inputs.filter((i) => elemType(i) === FLOAT);
    let latentVi;
    if (spec.latent) {
      latentVi = inputs.find((i) => i.name === spec.latent);
      if (!latentVi) {
        throw new DissectError('bad-model', `the generator has no input "${spec.latent}"; its inputs: ${inputs.map((i) => i.name).join(', ')}`);
      }
    } else if (latentCandidates(floats, spec).length === 1) {
      latentVi = latentCandidates(floats, spec)[0];
    } else if (floats.length === 0) {
      throw new DissectError(
        'bad-model',
        `${spec.path}: the generator has no float input to take the latent z (inputs: ${inputs.map((i) => `${i.name}`).join(', ') || 'none'})`,
      );
    } else {
      throw new DissectError(
        'bad-model',
        `${spec.path}: the generator has several float inputs (${floats.map((i) => i.name).join(', ')}); name the latent one (--latent-input)`,
      );
    }
    const dims = valueDims(latentVi) ?? [];
    if (dims.length < 2) throw new DissectError('bad-model', `latent input ${latentVi.name} must be [N, dims…], got [${dims.join(', ')}]`);
    const rest = dims.slice(1);
    if (rest.some((d) => d <= 0)) {
      throw new DissectError('bad-model', `latent input ${latentVi.name} has symbolic dims [${dims.join(', ')}]; export it with a fixed latent size`);
    }
    const plans = planInputs(inputs, latentVi.name!, spec.inputs, g, spec.path, spec.class, dims[0] > 0 ? dims[0] : -1);
    // A per-sample draw for an input the graph fixes at batch 1 (a shared noise map): run one sample at a time.
    const perSampleAtOne = plans.some((p) => p.batched && (valueDims(inputs.find((i) => i.name === p.name)!) ?? [])[0] === 1 && drawn(p));
    const fixedBatch = dims[0] > 0 ? dims[0] : perSampleAtOne ? 1 : undefined;
    const outputs = (g.output ?? []).map((o) => o.name!);
    const output = spec.output ?? outputs[0];
    if (!outputs.includes(output)) {
      throw new DissectError('bad-model', `the generator has no output "${output}"; its outputs: ${outputs.join(', ')}`);
    }
    // A segmenter opened as the generator: it takes an image and makes per-class logits. Say so.
    const outDims = valueDims(g.output!.find((o) => o.name === output)!) ?? [];
    if (
      rest.length === 3 &&
      rest[0] === 3 &&
      rest[1] >= 8 &&
      rest[2] >= 8 &&
      outDims.length === 4 &&
      outDims[1] > 0 &&
      outDims[1] !== 3 &&
      outDims[3] !== 3
    )
      throw new DissectError(
        'bad-model',
        `${spec.path} takes an image [N, 3, ${rest[1]}, ${rest[2]}] and outputs [N, ${outDims[1]}, …]: it looks like a segmenter, not a generator (a generator takes a latent z and outputs an image [N, 3, H, W]); open it as the segmenter`,
      );
    const outType = elemType(g.output!.find((o) => o.name === output)!);
    if (outType !== undefined && outType !== FLOAT) {
      throw new DissectError(
        'bad-model',
        `the generator's output "${output}" holds ${elemTypeName(outType)} values; expected a float (float32) image`,
      );
    }
    // The image's value range: given, or read off the op that makes it (Sigmoid [0, 1], Tanh [−1, 1], Clip), else [−1, 1].
    const detected = spec.range ? undefined : imageRange(g, output);
    const range: Range = spec.range ?? detected?.range ?? [-1, 1];
    const rangeWhy = spec.range ? 'given' : detected ? `the image is a ${detected.op}'s output` : 'the default';
    return new Generator(spec.path, model, sha256, latentVi.name!, rest, fixedBatch, output, range, plans, sessionOptions, spec, rangeWhy);
  }

  /** Feeds for a batch of latents (n × latentDims); the other inputs by their plans, per sample from each latent. */
  feeds(z: Float32Array, n: number): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = { [this.latent]: floatTensor(z, [n, ...this.latentShape]) };
    this.inputPlans.forEach((p, k) => {
      const v = inputValues(p, k, z, n, this.latentDims);
      feeds[p.name] = new ort.Tensor(p.dtype, v.data, v.dims);
    });
    return feeds;
  }

  /** The inputs' choices, as the results record them. */
  get inputChoices(): Record<string, InputChoice> {
    return Object.fromEntries(this.inputPlans.map((p) => [p.name, p.choice]));
  }

  private layerCache?: Promise<LayerInfo[]>;
  /** Layers whose tensors are float16 (an fp16 export): read as float32, fed back as float16. */
  private readonly halfTensors = new Set<string>();
  /** Layers laid out channels-last (NHWC) in the graph: read and fed as NCHW, transposed at the boundary. */
  private readonly nhwcTensors = new Set<string>();

  /** Whether a layer's tensor is float16 in the graph (an fp16 export). */
  isHalf(tensor: string): boolean {
    return this.halfTensors.has(tensor);
  }

  /** The graph as it runs: after prepare(), random ops are inputs. */
  get model(): Model {
    return this.graphModel;
  }

  private prepared?: Promise<void>;

  /**
   * Makes a graph that draws random numbers (RandomNormalLike and kin: StyleGAN2 noise drawn in the graph)
   * deterministic before any session runs: one probe finds each draw's shape, and graph surgery turns each
   * draw into an input fed, per sample, from the sample's latent (models/inputs.ts).
   */
  prepare(): Promise<void> {
    this.prepared ??= this.randomsToInputs();
    return this.prepared;
  }

  private async randomsToInputs(): Promise<void> {
    const nodes = (this.graphModel.graph?.node ?? []).filter((n) => RANDOM_OPS.has(n.opType ?? ''));
    if (nodes.length === 0) return;
    const multinomial = nodes.find((n) => n.opType === 'Multinomial');
    if (multinomial)
      throw new DissectError(
        'bad-model',
        `${this.file}: the graph samples with Multinomial (${multinomial.name}); export the sampled values as an input instead`,
      );
    const outputs = nodes.map((n) => n.output![0]);
    const n = this.fixedBatch ?? 2;
    const probe = await createSession(encodeModel(captureModel(this.graphModel, outputs)), 'generator (random ops probe)', this.sessionOptions);
    const res = await runSession(probe, this.feeds(new Float32Array(n * this.latentDims), n), outputs, 'generator');
    // A draw whose first dim is the batch gets a row per sample; one of fixed shape stays shared, as the graph has it.
    const dims = new Map(
      outputs.map((o) => [o, res[o].dims[0] === n && this.fixedBatch === undefined ? [-1, ...res[o].dims.slice(1)] : [...res[o].dims]]),
    );
    const { model, inputs } = randomOpsAsInputs(this.graphModel, dims);
    this.graphModel = model;
    for (const r of inputs) {
      const batched = dims.get(r.output)![0] === -1 || this.fixedBatch !== undefined;
      const choice = this.spec.inputs?.[r.input] ?? r.kind;
      this.inputPlans.push({
        name: r.input,
        choice,
        dims: (batched ? r.dims.slice(1) : r.dims).map((d) => (d > 0 ? d : 1)),
        batched,
        dtype: 'float32',
        why: `drawn inside the graph by ${r.op}: now an input fed from the run's seed, so runs are deterministic`,
      });
    }
  }

  /** Candidate layers: internal tensors of shape [N, C, h, w] (h, w ≥ 2), found by one probe run. */
  layers(): Promise<LayerInfo[]> {
    this.layerCache ??= this.probeLayers();
    return this.layerCache;
  }

  private async probeLayers(): Promise<LayerInfo[]> {
    await this.prepare();
    const g = this.model.graph!;
    const outputs = new Set((g.output ?? []).map((o) => o.name));
    const all = (g.node ?? []).flatMap((n) => n.output ?? []).filter((t) => t && !outputs.has(t));
    const session = await this.session(all, 'generator (probe)');
    const n = this.fixedBatch ?? 1;
    const res = await runSession(session, this.feeds(new Float32Array(n * this.latentDims), n), all, 'generator');
    const shapes = new Map<string, number[]>();
    const nhwc = channelsLastTensors(g);
    for (const t of all) {
      const v = res[t];
      if (!v || (v.type !== 'float32' && v.type !== 'float16') || v.dims.length !== 4 || v.dims[0] !== n) continue;
      // (the float16 side of the fp32 boundary is the output itself, not a layer: surgery.ts float32Boundary)
      if (t.endsWith('::f16')) continue;
      // A channels-last tensor [N, h, w, C] is the layer [C, h, w]: its units are its last axis.
      const [, a, b, c] = v.dims as number[];
      const shape = nhwc.has(t) ? [c, a, b] : [a, b, c];
      if (shape[1] < 2 || shape[2] < 2) continue;
      shapes.set(t, shape);
      if (nhwc.has(t)) this.nhwcTensors.add(t);
      if (v.type === 'float16') this.halfTensors.add(t);
    }
    return spatialTensors(g, (t) => shapes.has(t)).map((s) => ({
      name: s.modules[0] ?? s.tensor,
      tensor: s.tensor,
      aliases: s.modules.slice(1),
      shape: shapes.get(s.tensor) as [number, number, number],
      ...(this.nhwcTensors.has(s.tensor) ? { layout: 'nhwc' as const } : {}),
    }));
  }

  /** Finds layers by module path, alias or tensor name; unknown names get "did you mean". */
  async resolveLayers(names: readonly string[]): Promise<LayerInfo[]> {
    const layers = await this.layers();
    if (layers.length === 0) throw new DissectError('bad-layer', `${this.file}: the generator has no internal tensor of shape [N, C, h, w]`);
    return names.map((name) => {
      const l = layers.find((x) => x.name === name || x.tensor === name || x.aliases.includes(name));
      if (!l) {
        const names = layers.flatMap((x) => [x.name, ...x.aliases]);
        throw new DissectError(
          'bad-layer',
          `no layer "${name}" in ${this.file}; did you mean ${nearest(name, names)
            .map((s) => `"${s}"`)
            .join(', ')}? (gan-dissect layers lists them)`,
        );
      }
      return l;
    });
  }

  async session(extraOutputs: readonly string[], what = 'generator'): Promise<Session> {
    await this.prepare();
    return createSession(encodeModel(captureModel(this.model, extraOutputs)), what, this.sessionOptions);
  }

  /** The render model from a layer to the image (graph surgery), as a session; `extraOutputs`: later layers it also outputs. */
  async renderSession(layer: LayerInfo, extraOutputs: readonly string[] = []): Promise<Session> {
    await this.layers();
    const cut = renderModel(this.model, layer.tensor, layer.shape);
    const render = extraOutputs.length ? captureModel(cut, extraOutputs) : cut;
    // A float16 layer is fed as float32 (the edit is computed in float32) and cast back inside.
    let model = this.nhwcTensors.has(layer.tensor) ? nhwcLayerInput(render, layer.tensor) : render;
    if (this.halfTensors.has(layer.tensor)) model = halfLayerInput(model, layer.tensor);
    return createSession(encodeModel(model), `render model of ${layer.name}`, this.sessionOptions);
  }

  /** The layers after `layer`: those the render model from it computes (in the generator's order). */
  async laterLayers(layer: LayerInfo): Promise<LayerInfo[]> {
    const all = await this.layers();
    const produced = new Set((renderModel(this.model, layer.tensor, layer.shape).graph?.node ?? []).flatMap((n) => n.output ?? []));
    return all.filter((l) => l.tensor !== layer.tensor && produced.has(l.tensor));
  }

  /** A layer's tensor from a session's result as NCHW float32 [n, C, h, w] (a channels-last or float16 one converted). */
  layerData(t: ort.Tensor, l: LayerInfo, n: number): Float32Array {
    const data = floatData(t);
    const N = t.dims[0] as number;
    const first = N === n ? data : data.subarray(0, (data.length / N) * n);
    return this.nhwcTensors.has(l.tensor) ? nhwcToNchw(first, n, l.shape) : first;
  }

  /**
   * The image output as NCHW float32: [N, 3, H, W] as it is, or channels-last [N, H, W, 3] (a
   * TensorFlow-style export) transposed. Anything else is refused with its shape.
   */
  imageOf(t: ort.Tensor): { data: Float32Array; dims: [number, number, number, number] } {
    const d = t.dims as number[];
    if (d.length === 4 && d[1] === 3) return { data: floatData(t), dims: d as [number, number, number, number] };
    if (d.length === 4 && d[3] === 3) {
      const [N, H, W] = d;
      return { data: nhwcToNchw(floatData(t), N, [3, H, W]), dims: [N, 3, H, W] };
    }
    throw new DissectError(
      'bad-shape',
      `the generator's output "${this.output}" has shape [${d.join(', ')}]; expected an RGB image [N, 3, H, W] (or channels-last [N, H, W, 3])`,
    );
  }

  /** `run` over n latents in chunks of the model's fixed batch, the outputs put back together. */
  private async runChunks(
    session: Session,
    z: Float32Array,
    n: number,
    chunk: number,
    layers: readonly LayerInfo[],
    batchLabel: string,
    firstSample: number,
  ): Promise<GeneratedBatch> {
    const d = this.latentDims;
    const parts: GeneratedBatch[] = [];
    for (let i = 0; i < n; i += chunk) {
      const m = Math.min(chunk, n - i);
      parts.push(await this.run(session, z.subarray(i * d, (i + m) * d), m, layers, batchLabel, firstSample + i));
    }
    const join = (get: (b: GeneratedBatch) => Float32Array) => {
      const out = new Float32Array(parts.reduce((a, b) => a + get(b).length, 0));
      let o = 0;
      for (const b of parts) {
        out.set(get(b), o);
        o += get(b).length;
      }
      return out;
    };
    const out = new Map<string, Float32Array>();
    for (const l of layers)
      out.set(
        l.tensor,
        join((b) => b.layers.get(l.tensor)!),
      );
    return { n, image: join((b) => b.image), imageShape: parts[0].imageShape, layers: out };
  }

  /** Runs a capture session on latents; checks every output for NaN/Inf. */
  async run(
    session: Session,
    z: Float32Array,
    n: number,
    layers: readonly LayerInfo[],
    batchLabel: string,
    firstSample: number,
  ): Promise<GeneratedBatch> {
    const runN = this.fixedBatch ?? n;
    // A model exported with a fixed batch (e.g. StyleGAN2's official export, batch 1 or 4) runs in chunks of it.
    if (runN < n) return this.runChunks(session, z, n, runN, layers, batchLabel, firstSample);
    const zz = runN === n ? z : padBatch(z, n, runN);
    const fetches = [this.output, ...layers.map((l) => l.tensor)];
    const res = await runSession(session, this.feeds(zz, runN), fetches, 'generator');
    const img = this.imageOf(res[this.output]);
    // A padded batch (a fixed-batch model, fewer samples): only the first n samples are the batch's.
    const firstN = (data: Float32Array) => (runN === n ? data : data.subarray(0, (data.length / runN) * n));
    const image = checkFinite(firstN(img.data), n, `generator output "${this.output}"`, batchLabel, firstSample);
    const out = new Map<string, Float32Array>();
    for (const l of layers) {
      const data = checkFinite(firstN(floatData(res[l.tensor])), n, `layer ${l.name}`, batchLabel, firstSample);
      out.set(l.tensor, this.nhwcTensors.has(l.tensor) ? nhwcToNchw(data, n, l.shape) : data);
    }
    return { n, image, imageShape: [3, img.dims[2], img.dims[3]], layers: out };
  }
}

export class Segmenter {
  private constructor(
    readonly file: string,
    readonly sha256: string,
    readonly session: Session,
    readonly inputName: string,
    readonly outputs: string[],
    readonly space: LabelSpace,
    readonly labelsSha: string,
    readonly inputSpec: SegmenterInputSpec,
    /** What is suspicious in the labels file but usable (the run logs it). */
    readonly warnings: string[] = [],
    readonly labelsFile = '',
  ) {}

  static async open(spec: SegmenterSpec, sessionOptions: SessionOptions): Promise<Segmenter> {
    const loaded = loadModel(spec.path, 'segmenter');
    const { sha256 } = loaded;
    if (hasExternalData(loaded.model)) sessionOptions = { ...sessionOptions, externalDataDir: path.dirname(path.resolve(spec.path)) };
    const model = float32Boundary(loaded.model);
    if (!fs.existsSync(spec.labels)) throw new DissectError('file-missing', `labels file not found: ${spec.labels}`);
    const labelsText = fs.readFileSync(spec.labels, 'utf8');
    const warnings: string[] = [];
    const labels = parseLabelsText(labelsText, spec.labels, warnings);
    const g = model.graph!;
    const inits = new Set((g.initializer ?? []).map((t) => t.name));
    const inputs = (g.input ?? []).filter((i) => !inits.has(i.name));
    if (inputs.length !== 1) {
      throw new DissectError(
        'bad-model',
        `the segmenter must take one image input; it has ${inputs.length} (${inputs.map((i) => i.name).join(', ')})`,
      );
    }
    const inDims = valueDims(inputs[0]) ?? [];
    const size: [number, number] | undefined =
      spec.input?.size ?? (inDims.length === 4 && inDims[2] > 0 && inDims[3] > 0 ? [inDims[2], inDims[3]] : undefined);
    const allOutputs = (g.output ?? []).map((o) => o.name!);
    const outputs = spec.outputs ?? allOutputs;
    for (const o of outputs) {
      if (!allOutputs.includes(o)) throw new DissectError('bad-model', `the segmenter has no output "${o}"; its outputs: ${allOutputs.join(', ')}`);
      // The session computes each output's argmax over axis 1: an output declared as anything but float
      // [N, C, H, W] is refused here, with the message a run would give.
      const vi = g.output!.find((x) => x.name === o)!;
      const dims = valueDims(vi);
      const type = elemType(vi);
      if (dims && dims.length !== 4) {
        throw new DissectError(
          'bad-shape',
          `segmenter output "${o}" is [${dims.map((d) => (d < 0 ? '?' : d)).join(', ')}]; expected float logits [N, C, H, W]`,
        );
      }
      if (type !== undefined && type !== FLOAT) {
        throw new DissectError(
          'bad-shape',
          `segmenter output "${o}" holds ${elemTypeName(type)} values; expected float (float32) logits [N, C, H, W]`,
        );
      }
    }
    // The label maps (argmax over channels) are computed in the session (onnx/surgery.ts labelingModel).
    const session = await createSession(encodeModel(labelingModel(model, outputs)), 'segmenter', sessionOptions);
    const inputSpec: SegmenterInputSpec = {
      range: spec.input?.range ?? [-1, 1],
      channels: spec.input?.channels ?? 'RGB',
      ...(spec.input?.mean ? { mean: spec.input.mean } : {}),
      ...(spec.input?.std ? { std: spec.input.std } : {}),
      ...(size ? { size } : {}),
    };
    return new Segmenter(
      spec.path,
      sha256,
      session,
      inputs[0].name!,
      outputs,
      labelSpace(labels, spec.quad ?? []),
      hashText(labelsText),
      inputSpec,
      warnings,
      spec.labels,
    );
  }

  /**
   * Segments a batch of generated images: one label map per output (+ quad maps), per-sample category
   * presence. Checks the channel count against the labels on every call (cheap) so errors are specific.
   */
  async segment(
    image: Float32Array,
    n: number,
    shape: [number, number, number],
    from: Range,
    batchLabel: string,
    firstSample: number,
  ): Promise<SegmentedBatch> {
    const [, H, W] = shape;
    const input = segmenterInput(image, n, H, W, from, this.inputSpec);
    const fetches = [...this.outputs, ...this.outputs.map(labelsOutput)];
    const res = await runSession(this.session, { [this.inputName]: floatTensor(input.data, input.dims) }, fetches, 'segmenter');
    let offset = 0;
    let Hs = 0;
    let Ws = 0;
    const maps: Uint16Array[] = [];
    const channels: number[] = [];
    for (const o of this.outputs) {
      const t = res[o];
      if (t.dims.length !== 4 || t.dims[0] !== n) {
        throw new DissectError('bad-shape', `segmenter output "${o}" has shape [${t.dims.join(', ')}]; expected logits [N, C, H, W]`);
      }
      const [, C, h, w] = t.dims as number[];
      if (maps.length > 0 && (h !== Hs || w !== Ws)) {
        throw new DissectError('bad-shape', `segmenter outputs disagree in resolution (${Hs}×${Ws} vs ${h}×${w})`);
      }
      Hs = h;
      Ws = w;
      channels.push(C);
      checkFinite(t.data as Float32Array, n, `segmenter output "${o}"`, batchLabel, firstSample);
      maps.push(labelMap(res[labelsOutput(o)].data as Int32Array, offset));
      offset += C;
    }
    if (offset !== this.space.channels) {
      throw new DissectError(
        'bad-labels',
        `the segmenter has ${offset} channels (${this.outputs.map((o, i) => `${o}: ${channels[i]}`).join(', ')}) but the labels file ${this.labelsFile} names ${this.space.channels}: one label per channel, entry 0 unlabeled`,
      );
    }
    return new SegmentedBatch(n, Hs, Ws, maps, this.space);
  }
}

/** Label maps of a batch; `sample(i)` gives sample i's maps (with quad parts) and category presence. */
export class SegmentedBatch {
  private readonly tb: Uint16Array;
  private readonly lr: Uint16Array;
  constructor(
    readonly n: number,
    readonly H: number,
    readonly W: number,
    readonly maps: Uint16Array[],
    readonly space: LabelSpace,
  ) {
    this.tb = new Uint16Array(H * W);
    this.lr = new Uint16Array(H * W);
  }

  sample(i: number): SampleLabels {
    const P = this.H * this.W;
    const maps = this.maps.map((m) => m.subarray(i * P, (i + 1) * P));
    if (this.space.quad.length > 0) {
      quadParts(maps[0], this.H, this.W, this.space.quad, this.tb, this.lr);
      maps.push(this.tb, this.lr);
    }
    const present = new Uint8Array(this.space.categories.length);
    const seen = new Uint8Array(this.space.labels.length);
    for (const m of maps) for (let p = 0; p < P; p++) seen[m[p]] = 1;
    seen.forEach((s, l) => {
      if (s && this.space.categoryOf[l] >= 0) present[this.space.categoryOf[l]] = 1;
    });
    return { maps, categoryPresent: present };
  }
}

function checkFinite(data: Float32Array, n: number, what: string, batchLabel: string, firstSample: number): Float32Array {
  const bad = firstNonFinite(data);
  if (bad >= 0) {
    const per = data.length / Math.max(1, n);
    const s = Math.floor(bad / per);
    throw new DissectError('non-finite', `${what} is ${data[bad]} in ${batchLabel}, sample ${firstSample + s}: the model produced NaN/Inf`);
  }
  return data;
}

function padBatch(z: Float32Array, n: number, to: number): Float32Array {
  const out = new Float32Array((z.length / n) * to);
  out.set(z);
  return out;
}

/** A tensor's values as float32 (float16 tensors, as ONNX Runtime returns them, converted). */
function floatData(t: ort.Tensor): Float32Array {
  return t.type === 'float16' ? halfToFloat(t.data as Uint16Array) : (t.data as Float32Array);
}

/** n featuremaps [h, w, C] (channels-last) as [C, h, w]. */
function nhwcToNchw(data: Float32Array, n: number, [C, h, w]: [number, number, number]): Float32Array {
  const out = new Float32Array(data.length);
  const plane = h * w;
  for (let i = 0; i < n; i++) {
    const base = i * C * plane;
    for (let p = 0; p < plane; p++) for (let c = 0; c < C; c++) out[base + c * plane + p] = data[base + p * C + c];
  }
  return out;
}

/** Whether a plan draws per sample (so every sample needs its own row). */
function drawn(p: InputPlan): boolean {
  return p.choice === 'normal' || (typeof p.choice === 'object' && !Array.isArray(p.choice) && p.choice.class === 'random');
}

/**
 * The float inputs that may be the latent z: 2-D ([N, dims]), not given a value, and not named as a
 * noise map or a class (StyleGAN2's noise inputs, BigGAN's one-hot y); one named z or latent wins a tie.
 */
function latentCandidates(floats: onnx.IValueInfoProto[], spec: GeneratorSpec): onnx.IValueInfoProto[] {
  const c = floats.filter(
    (i) => (valueDims(i) ?? []).length === 2 && spec.inputs?.[i.name ?? ''] === undefined && !/noise|^(y|c|cls|class|label)/i.test(i.name ?? ''),
  );
  const named = c.filter((i) => /^(z|latents?|noise_?z)$/i.test(i.name ?? ''));
  return c.length > 1 && named.length === 1 ? named : c.length > 0 ? c : floats.length === 1 ? floats : [];
}

/** Whether a model keeps weights in external files (every model over 2 GB does). */
export function hasExternalData(model: Model): boolean {
  return (model.graph?.initializer ?? []).some((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL);
}
