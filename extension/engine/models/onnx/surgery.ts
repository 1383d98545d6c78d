/**
 * Graph surgery (the paper's §3.2 needs the generator cut at a layer): a capture model that also outputs chosen internal tensors, and a render
 * model in which a layer tensor is an input and the nodes that only fed it are pruned.
 */
import { onnx, cloneModel, FLOAT, type Model } from './proto';
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
