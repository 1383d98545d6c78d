/**
 * Image features for the realism score (S-6.1): a d-dimensional vector per image, from a user-named ONNX
 * image model and output (an Inception-v3 export gives a true FID), or by default from the segmenter's
 * penultimate layer — the input of the classifier that makes its logits — pooled over space. Every result
 * carries a label that says which: "Fréchet distance in the segmenter's features" is not FID.
 */
import * as path from 'node:path';
import { onnx, loadModel, encodeModel, valueDims, type Model } from '../models/onnx/proto';
import { float32Boundary } from '../models/onnx/surgery';
import { createSession, runSession, floatTensor, type Session, type SessionOptions } from '../models/onnx/session';
import { segmenterInput, firstNonFinite } from '../data/image';
import { hasExternalData } from '../models/contract';
import { DissectError } from '../../shared/errors';
import type { Range, SegmenterInputSpec, SegmenterSpec } from '../../shared/models';
import type { FeatureSpec } from './options';
import type { ArtifactsResult } from '../../shared/run/schema';

/** Ops between the segmenter's features and its logits that keep the features' meaning (a resize, a softmax). */
const PASS_THROUGH = new Set(['Resize', 'Upsample', 'Softmax', 'LogSoftmax', 'Identity', 'Cast', 'Sigmoid']);
/** The classifier ops whose input is the penultimate layer. */
const CLASSIFIERS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

/**
 * The segmenter's penultimate tensor: walking back from `output` through pass-through ops to the classifier
 * that makes the logits, its data input — unless that is the image itself (a one-layer segmenter), then none.
 */
export function penultimateTensor(model: Model, output: string): string | undefined {
  const g = model.graph!;
  const inputs = new Set((g.input ?? []).map((i) => i.name));
  const producer = new Map<string, onnx.INodeProto>();
  for (const n of g.node ?? []) for (const o of n.output ?? []) producer.set(o, n);
  let t = output;
  for (let step = 0; step < 32; step++) {
    const n = producer.get(t);
    if (!n) return undefined;
    if (PASS_THROUGH.has(n.opType ?? '')) t = n.input![0];
    else if (CLASSIFIERS.has(n.opType ?? '')) return inputs.has(n.input![0]) ? undefined : n.input![0];
    else return undefined;
  }
  return undefined;
}

export class FeatureExtractor {
  private constructor(
    private readonly session: Session,
    private readonly inputName: string,
    private readonly output: string,
    private readonly input: SegmenterInputSpec,
    /** The model's fixed batch, if its input declares one. */
    private readonly fixedBatch: number | undefined,
    readonly dims: number,
    readonly describe: ArtifactsResult['features'],
  ) {}

  /**
   * The extractor for a feature spec: the user's model, or the segmenter's penultimate layer (or a tensor
   * of it named by `output`; its logits when it has no layer before them).
   */
  static async open(
    spec: FeatureSpec | undefined,
    segmenter: SegmenterSpec,
    imageSize: readonly [number, number],
    sessionOptions: SessionOptions,
  ): Promise<FeatureExtractor> {
    const own = !spec?.path;
    const file = spec?.path ?? segmenter.path;
    const loaded = loadModel(file, own ? 'segmenter' : 'feature model');
    if (hasExternalData(loaded.model)) sessionOptions = { ...sessionOptions, externalDataDir: path.dirname(path.resolve(file)) };
    const model = float32Boundary(loaded.model);
    const g = model.graph!;
    const inits = new Set((g.initializer ?? []).map((t) => t.name));
    const inputs = (g.input ?? []).filter((i) => !inits.has(i.name));
    if (inputs.length !== 1)
      throw new DissectError(
        'bad-model',
        `${file}: a feature model takes one image input; it has ${inputs.length} (${inputs.map((i) => i.name).join(', ')})`,
      );
    const outputs = (g.output ?? []).map((o) => o.name!);
    const produced = new Set((g.node ?? []).flatMap((n) => n.output ?? []));
    let output = spec?.output;
    if (output !== undefined && !outputs.includes(output) && !produced.has(output))
      throw new DissectError('bad-model', `${file} has no output or tensor "${output}"; its outputs: ${outputs.join(', ')}`);
    output ??= own ? (penultimateTensor(model, (segmenter.outputs ?? outputs)[0]) ?? (segmenter.outputs ?? outputs)[0]) : outputs[0];
    g.output = [onnx.ValueInfoProto.create({ name: output })];
    const session = await createSession(encodeModel(model), own ? 'segmenter (features)' : 'feature model', sessionOptions);
    const inDims = valueDims(inputs[0]) ?? [];
    const size: [number, number] | undefined =
      (own ? segmenter.input?.size : undefined) ?? (inDims.length === 4 && inDims[2] > 0 && inDims[3] > 0 ? [inDims[2], inDims[3]] : undefined);
    const input: SegmenterInputSpec = own
      ? {
          range: segmenter.input?.range ?? [-1, 1],
          channels: segmenter.input?.channels ?? 'RGB',
          ...(segmenter.input?.mean ? { mean: segmenter.input.mean } : {}),
          ...(segmenter.input?.std ? { std: segmenter.input.std } : {}),
          ...(size ? { size } : {}),
        }
      : { range: spec?.range ?? [-1, 1], channels: 'RGB', ...(size ? { size } : {}) };
    const fixedBatch = inDims[0] > 0 ? inDims[0] : undefined;
    // the feature size: one probe image of the generator's size
    const [H, W] = imageSize;
    const probe = await runOnce(session, inputs[0].name!, output, input, fixedBatch, new Float32Array(3 * H * W), 1, [3, H, W], [-1, 1]);
    const dims = probe.length;
    const base = path.basename(file);
    const label = own
      ? `Fréchet distance in the segmenter's features (${output}, ${dims}-D, pooled over space)`
      : /inception/i.test(base)
        ? `FID: Fréchet distance in ${base}'s ${output} features (${dims}-D)`
        : `Fréchet distance in ${base}'s ${output} features (${dims}-D)`;
    return new FeatureExtractor(session, inputs[0].name!, output, input, fixedBatch, dims, {
      kind: own ? 'segmenter' : 'model',
      model: file,
      output,
      dims,
      label,
    });
  }

  /** Features of n images (NCHW, in `range`): n × dims, row-major. */
  async features(image: Float32Array, n: number, shape: readonly [number, number, number], range: Range): Promise<Float32Array> {
    const out = await runOnce(this.session, this.inputName, this.output, this.input, this.fixedBatch, image, n, shape, range);
    if (out.length !== n * this.dims)
      throw new DissectError('bad-shape', `feature output "${this.output}" gave ${out.length / n} values per image, not ${this.dims}`);
    const bad = firstNonFinite(out);
    if (bad >= 0) throw new DissectError('non-finite', `feature output "${this.output}" is ${out[bad]} for image ${Math.floor(bad / this.dims)}`);
    return out;
  }
}

/** Runs the feature model on n images (in chunks of its fixed batch, the last padded) and pools 4-D outputs over space. */
async function runOnce(
  session: Session,
  inputName: string,
  output: string,
  input: SegmenterInputSpec,
  fixedBatch: number | undefined,
  image: Float32Array,
  n: number,
  shape: readonly [number, number, number],
  range: Range,
): Promise<Float32Array> {
  const [, H, W] = shape;
  const x = segmenterInput(image, n, H, W, range, input);
  const per = x.data.length / n;
  const chunk = fixedBatch ?? n;
  const parts: Float32Array[] = [];
  for (let i = 0; i < n; i += chunk) {
    const m = Math.min(chunk, n - i);
    const data = new Float32Array(per * chunk);
    data.set(x.data.subarray(i * per, (i + m) * per));
    const res = await runSession(session, { [inputName]: floatTensor(data, [chunk, ...x.dims.slice(1)]) }, [output], 'feature model');
    const t = res[output];
    const dims = t.dims as number[];
    const values = t.data as Float32Array;
    if (dims[0] !== chunk)
      throw new DissectError('bad-shape', `feature output "${output}" has shape [${dims.join(', ')}]; expected [N, d] or [N, C, h, w]`);
    parts.push(pool(values, chunk, dims).subarray(0, (values.length / chunk / spatial(dims)) * m));
  }
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** h·w of a [N, C, h, w] output; 1 for [N, d] (and [N, d, 1, 1]). */
function spatial(dims: readonly number[]): number {
  return dims.length === 4 ? dims[2] * dims[3] : 1;
}

/** A [N, C, h, w] output averaged over space (N × C); anything else flattened per image. */
function pool(values: Float32Array, n: number, dims: readonly number[]): Float32Array {
  if (dims.length !== 4) return values;
  const [, C, h, w] = dims;
  const plane = h * w;
  const out = new Float32Array(n * C);
  for (let i = 0; i < n * C; i++) {
    let s = 0;
    for (let p = 0; p < plane; p++) s += values[i * plane + p];
    out[i] = s / plane;
  }
  return out;
}
