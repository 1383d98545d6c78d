/**
 * Repairing a generator (the paper's §4.2, Table 1): the ablation of chosen units baked into a new ONNX
 * file by graph surgery. Every reader of the layer's tensor reads it multiplied by a per-unit mask (0 at
 * the ablated units, 1 elsewhere), so the repaired generator's image equals the intervention's
 * r' = r ⊙ (1 − a) with a = 1 on those units everywhere.
 */
import { onnx, cloneModel, loadModel, encodeModel, FLOAT, FLOAT16, type Model } from '../models/onnx/proto';
import { Generator } from '../models/contract';
import { floatToHalf } from '../data/half';
import { renameReads } from '../models/onnx/surgery';
import { writeAtomic } from '../../shared/run/blob';
import { DissectError } from '../../shared/errors';
import type { GeneratorSpec, LayerInfo, ProviderRequest, SegmenterSpec } from '../../shared/models';
import { InterventionModel } from '../intervene/edit';
import { seededLatents } from '../models/latents';

/**
 * `model` with `units` of `layer` ablated: a Mul by a constant mask [1, C, 1, 1] (channels-last:
 * [1, 1, 1, C]) after the layer, in the layer's own element type.
 */
export function bakeAblation(model: Model, layer: LayerInfo, units: readonly number[], half: boolean): Model {
  const C = layer.shape[0];
  const bad = units.find((u) => !Number.isInteger(u) || u < 0 || u >= C);
  if (bad !== undefined) throw new DissectError('bad-usage', `unit ${bad} is not in ${layer.name} (units 0…${C - 1})`);
  const m = cloneModel(model);
  const g = m.graph as onnx.GraphProto;
  const mask = new Float32Array(C).fill(1);
  for (const u of units) mask[u] = 0;
  const maskName = `${layer.tensor}::repair_mask`;
  const repaired = `${layer.tensor}::repaired`;
  const dims = layer.layout === 'nhwc' ? [1, 1, 1, C] : [1, C, 1, 1];
  g.initializer.push(
    onnx.TensorProto.create({
      name: maskName,
      dataType: half ? FLOAT16 : FLOAT,
      dims,
      rawData: half ? new Uint8Array(floatToHalf(mask).buffer) : new Uint8Array(mask.buffer),
    }),
  );
  renameReads(g, layer.tensor, repaired);
  const at = g.node.findIndex((n) => (n.output ?? []).includes(layer.tensor));
  g.node.splice(at + 1, 0, onnx.NodeProto.create({ name: `${repaired}::Mul`, opType: 'Mul', input: [layer.tensor, maskName], output: [repaired] }));
  return m;
}

/** Writes `spec`'s generator with `units` of `layerName` ablated to `out`; returns the layer and units. */
export async function saveRepaired(
  spec: GeneratorSpec,
  layerName: string,
  units: readonly number[],
  out: string,
): Promise<{ layer: LayerInfo; units: number[] }> {
  if (units.length === 0) throw new DissectError('bad-usage', 'repair needs the units to ablate (--units, or --flagged with flags in --from)');
  const gen = Generator.open(spec, { provider: 'cpu' });
  const [layer] = await gen.resolveLayers([layerName]);
  const { model } = loadModel(spec.path, 'generator');
  writeAtomic(out, Buffer.from(encodeModel(bakeAblation(model, layer, units, gen.isHalf(layer.tensor)))));
  return { layer, units: [...units].sort((a, b) => a - b) };
}

/**
 * How far the repaired generator's images are from the intervention's (the same units ablated everywhere),
 * on n fresh samples: the largest absolute difference of any pixel (0 when the surgery is right).
 */
export async function repairDifference(
  o: { generator: GeneratorSpec; segmenter: SegmenterSpec; layer: string; provider?: ProviderRequest },
  repaired: string,
  units: readonly number[],
  n = 4,
): Promise<number> {
  const original = await InterventionModel.open(o);
  const fixed = await InterventionModel.open({ ...o, generator: { ...o.generator, path: repaired } });
  const z = seededLatents(7, original.gen.latentDims).batch(0, n);
  const before = await original.original(z, n);
  const edited = await original.edited(before.fm, z, n, { units, mode: 'ablate' });
  const out = (await fixed.original(z, n)).image;
  let worst = 0;
  for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i] - edited.image[i]));
  return worst;
}
