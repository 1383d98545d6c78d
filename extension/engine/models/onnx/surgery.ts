/**
 * Graph surgery (the paper's §3.2 needs the generator cut at a layer): a capture model that also outputs chosen internal tensors, and a render
 * model in which a layer tensor is an input and the nodes that only fed it are pruned.
 */
import { onnx, cloneModel, FLOAT, FLOAT16, type Model } from './proto';
import { neededNodes, tensorsRead } from './graph';
import { DissectError } from '../../../shared/errors';

/** The generator with `tensors` added to its outputs (name-only entries: ORT accepts them). */
export function captureModel(model: Model, tensors: readonly string[]): Model {
  const m = cloneModel(model);
  const g = m.graph as onnx.GraphProto;
  const have = new Set(g.output.map((o) => o.name));
  for (const t of tensors) {
    if (!have.has(t)) {
      g.output.push(onnx.ValueInfoProto.create({ name: t }));
      have.add(t);
    }
  }
  return m;
}

/** Name of the label-map output `labelingModel` adds for logits output `o`. */
export function labelsOutput(o: string): string {
  return `${o}::argmax`;
}

/**
 * The segmenter with, for each logits output o ([N, C, H, W]), an output `labelsOutput(o)`: its argmax
 * over channels as int32 [N, H, W] (ArgMax takes the first of equal maxima, like a strict > scan). The
 * label maps are then computed by ONNX Runtime's threads instead of a JavaScript loop over N·C·H·W logits.
 */
export function labelingModel(model: Model, outputs: readonly string[]): Model {
  const m = cloneModel(model);
  const g = m.graph as onnx.GraphProto;
  for (const o of outputs) {
    const arg = `${o}::argmax64`;
    g.node.push(
      onnx.NodeProto.create({
        name: `${o}::ArgMax`,
        opType: 'ArgMax',
        input: [o],
        output: [arg],
        attribute: [
          { name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 },
          { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 },
        ],
      }),
      onnx.NodeProto.create({
        name: `${o}::Cast`,
        opType: 'Cast',
        input: [arg],
        output: [labelsOutput(o)],
        attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: onnx.TensorProto.DataType.INT32 }],
      }),
    );
    g.output.push(onnx.ValueInfoProto.create({ name: labelsOutput(o) }));
  }
  return m;
}

/**
 * The generator from layer tensor `layer` (an input of shape [N, ...dims]) to its outputs. Inputs still
 * read by the remaining nodes (e.g. z fed to later layers) stay inputs.
 */
export function renderModel(model: Model, layer: string, dims: readonly number[]): Model {
  const m = cloneModel(model);
  const g = m.graph as onnx.GraphProto;
  const outputs = g.output.map((o) => o.name ?? '');
  if (outputs.includes(layer)) throw new DissectError('bad-layer', `${layer} is a graph output, not an internal layer`);
  const keep = neededNodes(g, outputs, new Set([layer]));
  const read = tensorsRead(g, keep);
  if (!read.has(layer)) throw new DissectError('bad-layer', `the outputs do not depend on ${layer}`);
  g.node = g.node.filter((_, i) => keep.has(i));
  const produced = new Set(g.node.flatMap((n) => n.output));
  const layerInput = onnx.ValueInfoProto.create({
    name: layer,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: [{ dimParam: 'N' }, ...dims.map((d) => ({ dimValue: d }))] },
      },
    },
  });
  g.input = [layerInput, ...g.input.filter((i) => read.has(i.name ?? ''))];
  g.initializer = g.initializer.filter((t) => read.has(t.name ?? ''));
  g.valueInfo = g.valueInfo.filter((v) => produced.has(v.name ?? ''));
  return m;
}

/** A Cast node from `input` to `output` as element type `to`. */
function castNode(input: string, output: string, to: number): onnx.NodeProto {
  return onnx.NodeProto.create({
    name: `${output}::BoundaryCast`,
    opType: 'Cast',
    input: [input],
    output: [output],
    attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: to }],
  });
}

/** Renames every read of tensor `from` in the graph's nodes (subgraphs included) to `to`. */
export function renameReads(g: onnx.IGraphProto, from: string, to: string): void {
  for (const n of g.node ?? []) {
    n.input = (n.input ?? []).map((x) => (x === from ? to : x));
    for (const a of n.attribute ?? []) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) renameReads(sub, from, to);
  }
}

/**
 * An fp16 model with float32 at its boundary, under the same names (a model exported with `.half()`):
 * each float16 graph input becomes a float32 input cast to float16 inside, and each float16 graph output
 * is cast to float32. Its internal tensors stay float16 (read them with data/half.ts). A model without
 * float16 inputs or outputs is returned as it is.
 */
export function float32Boundary(model: Model): Model {
  const g0 = model.graph!;
  const inits = new Set((g0.initializer ?? []).map((t) => t.name));
  const isHalf = (vi: onnx.IValueInfoProto) => vi.type?.tensorType?.elemType === FLOAT16;
  if (!(g0.input ?? []).some((i) => !inits.has(i.name) && isHalf(i)) && !(g0.output ?? []).some(isHalf)) return model;
  const m = cloneModel(model);
  const g = m.graph as onnx.GraphProto;
  const front: onnx.NodeProto[] = [];
  for (const inp of g.input) {
    const name = inp.name ?? '';
    if (inits.has(name) || !isHalf(inp)) continue;
    const inner = `${name}::f16`;
    renameReads(g, name, inner);
    front.push(castNode(name, inner, FLOAT16));
    inp.type!.tensorType!.elemType = FLOAT;
  }
  for (const out of g.output) {
    const name = out.name ?? '';
    if (!isHalf(out)) continue;
    const inner = `${name}::f16`;
    for (const n of g.node) n.output = (n.output ?? []).map((x) => (x === name ? inner : x));
    renameReads(g, name, inner);
    g.node.push(castNode(inner, name, FLOAT));
    out.type!.tensorType!.elemType = FLOAT;
  }
  g.node = [...front, ...g.node];
  return m;
}

/**
 * The render model's layer input converted at the boundary: every reader of `layer` reads `node`'s output
 * instead, `node` (made from the input's name and that output's) reading the input itself.
 */
function convertLayerInput(model: Model, layer: string, suffix: string, node: (input: string, output: string) => onnx.NodeProto): Model {
  const m = cloneModel(model);
  const g = m.graph as onnx.GraphProto;
  const inner = `${layer}::${suffix}`;
  renameReads(g, layer, inner);
  g.node = [node(layer, inner), ...g.node];
  return m;
}

/** The render model's layer input for a float16 layer: float32 outside, cast to float16 inside. */
export function halfLayerInput(model: Model, layer: string): Model {
  return convertLayerInput(model, layer, 'f16', (i, o) => castNode(i, o, FLOAT16));
}

/** The render model's layer input for a channels-last layer: NCHW outside (as the edits), NHWC inside. */
export function nhwcLayerInput(model: Model, layer: string): Model {
  return convertLayerInput(model, layer, 'nhwc', (i, o) =>
    onnx.NodeProto.create({
      name: `${o}::Transpose`,
      opType: 'Transpose',
      input: [i],
      output: [o],
      attribute: [{ name: 'perm', type: onnx.AttributeProto.AttributeType.INTS, ints: [0, 2, 3, 1] }],
    }),
  );
}

/** The ops that draw random numbers inside a graph (ONNX's RandomNormal, RandomUniform and their *Like). */
export const RANDOM_OPS = new Set(['RandomNormal', 'RandomNormalLike', 'RandomUniform', 'RandomUniformLike', 'Multinomial']);

export interface RandomInput {
  /** The new graph input. */
  input: string;
  /** The random op's output, now computed from the input (the same name, so its readers are unchanged). */
  output: string;
  op: string;
  kind: 'normal' | 'uniform';
  /** [N or a fixed batch, …] of the input. */
  dims: number[];
}

function floatAttr(node: onnx.INodeProto, name: string, dflt: number): number {
  const a = (node.attribute ?? []).find((x) => x.name === name);
  const T = onnx.AttributeProto.AttributeType;
  return a?.type === T.FLOAT ? (a.f ?? dflt) : a?.type === T.INT ? Number(a.i) : dflt;
}

/**
 * Each random op replaced by a graph input of the same values' shape (`dims`, the batch first where it has
 * one), scaled to the op's distribution: mean + scale·x for RandomNormal*, low + (high − low)·x for
 * RandomUniform*, x being N(0, 1) or U[0, 1) fed from the run's seed. The run is then deterministic.
 */
export function randomOpsAsInputs(model: Model, dims: Map<string, number[]>): { model: Model; inputs: RandomInput[] } {
  const m = cloneModel(model);
  const g = m.graph as onnx.GraphProto;
  const inputs: RandomInput[] = [];
  const nodes: onnx.INodeProto[] = [];
  for (const n of g.node) {
    if (!RANDOM_OPS.has(n.opType ?? '') || n.opType === 'Multinomial') {
      nodes.push(n);
      continue;
    }
    const output = (n.output ?? [])[0] ?? '';
    const kind = n.opType!.startsWith('RandomNormal') ? 'normal' : 'uniform';
    const [shift, scale] =
      kind === 'normal'
        ? [floatAttr(n, 'mean', 0), floatAttr(n, 'scale', 1)]
        : [floatAttr(n, 'low', 0), floatAttr(n, 'high', 1) - floatAttr(n, 'low', 0)];
    const input = shift === 0 && scale === 1 ? output : `${output}::draw`;
    const d = dims.get(output);
    if (!d) throw new DissectError('bad-model', `the shape of ${n.opType} ${n.name ?? output} could not be found`);
    g.input.push(
      onnx.ValueInfoProto.create({
        name: input,
        type: { tensorType: { elemType: FLOAT, shape: { dim: d.map((x) => (x < 0 ? { dimParam: 'N' } : { dimValue: x })) } } },
      }),
    );
    if (input !== output) {
      const s = `${output}::scale`;
      const o = `${output}::shift`;
      g.initializer.push(
        onnx.TensorProto.create({ name: s, dataType: FLOAT, dims: [], floatData: [scale] }),
        onnx.TensorProto.create({ name: o, dataType: FLOAT, dims: [], floatData: [shift] }),
      );
      nodes.push(
        onnx.NodeProto.create({ name: `${output}::Mul`, opType: 'Mul', input: [input, s], output: [`${output}::scaled`] }),
        onnx.NodeProto.create({ name: `${output}::Add`, opType: 'Add', input: [`${output}::scaled`, o], output: [output] }),
      );
    }
    inputs.push({ input, output, op: n.opType!, kind, dims: d });
  }
  g.node = nodes as onnx.NodeProto[];
  return { model: m, inputs };
}
