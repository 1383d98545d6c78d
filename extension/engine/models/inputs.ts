/**
 * A value for every generator input besides the latent, per sample and reproducibly: StyleGAN2's noise
 * maps, a BigGAN-style class (one-hot float or an int64 index), a truncation scalar. Each input gets a
 * choice (shared/models.ts InputChoice), detected from its name, type and shape unless the project file
 * or `--input NAME=…` sets it:
 *   - a number or a list of numbers: that value for every sample (as before);
 *   - "normal": a fresh N(0, 1) draw per sample (noise maps);
 *   - "zeros": all zeros;
 *   - {"class": "random", "classes": K}: a class per sample, uniform over K; {"class": k}: class k for all.
 * A sample's draws are seeded by its latent (a hash of z_j): the same sample gets the same noise and class
 * in every run, batch, shard and intervention, so before and after an edit differ only by the edit.
 */
import type { onnx } from './onnx/proto';
import { elemType, valueDims, FLOAT } from './onnx/proto';
import { normalLatent, Xoshiro128 } from '../data/rng';
import { DissectError } from '../../shared/errors';
import type { InputChoice } from '../../shared/models';

const INT64 = 7;
const INT32 = 6;

/** How one input is fed: its choice and what the graph says it is. */
export interface InputPlan {
  name: string;
  choice: InputChoice;
  /** Dims without the batch (the batch dim first when `batched`). */
  dims: number[];
  batched: boolean;
  dtype: 'float32' | 'int64' | 'int32';
  /** Why the choice was made, for the log ("detected: a noise map"). */
  why: string;
}

/** The inputs' plans: each user choice checked against its input, the others detected. */
export function planInputs(
  inputs: onnx.IValueInfoProto[],
  latent: string,
  given: Record<string, InputChoice> | undefined,
  graph: onnx.IGraphProto,
  file: string,
  oneClass?: number,
  /** The latent's first dim: -1 (dynamic) or the model's fixed batch. */
  latentBatch = -1,
): InputPlan[] {
  const plans: InputPlan[] = [];
  for (const inp of inputs) {
    const name = inp.name ?? '';
    if (name === latent) continue;
    const raw = valueDims(inp) ?? [];
    const type = elemType(inp);
    const dtype = type === INT64 ? 'int64' : type === INT32 ? 'int32' : 'float32';
    if (type !== undefined && type !== FLOAT && dtype === 'float32') {
      throw new DissectError('bad-model', `${file}: the generator's input "${name}" has an element type this tool cannot feed (${type})`);
    }
    // The batch dim: dynamic, the model's fixed batch, or a 1 ahead of more dims (a noise map [1, 1, h, w]
    // broadcast over the batch). A lone [1] is a scalar such as a truncation ψ.
    const batched =
      raw.length > 0 && (raw[0] === -1 || (latentBatch > 0 && raw[0] === latentBatch) || (raw[0] === 1 && raw.length >= 2 && latentBatch <= 1));
    const dims = (batched ? raw.slice(1) : raw).map((d) => (d > 0 ? d : 1));
    const user = given?.[name];
    const detected = user === undefined ? detect(name, dtype, raw, dims, graph) : undefined;
    if (user === undefined && !detected) {
      throw new DissectError(
        'bad-model',
        `the generator's input "${name}" [${raw.join(', ')}] needs a value (project file "inputs": {"${name}": …}, or --input ${name}=VALUE|normal|zeros|class:K)`,
      );
    }
    // {"class": "random", "classes": 0} (the CLI's NAME=class): the classes from the input itself
    let choice = user !== undefined && isRandomClass(user) && user.classes === 0 ? withClasses(name, dtype, dims, graph) : (user ?? detected!.choice);
    if (user === undefined && oneClass !== undefined && isRandomClass(choice)) choice = { class: oneClass };
    checkChoice(name, choice, dtype, dims, graph);
    plans.push({ name, choice, dims, batched, dtype, why: user === undefined ? detected!.why : 'set by the user' });
  }
  return plans;
}

function isRandomClass(c: InputChoice): c is { class: 'random'; classes: number } {
  return typeof c === 'object' && !Array.isArray(c) && c.class === 'random';
}

/** A random class over the classes the input has: its one-hot length, or its embedding's rows. */
function withClasses(name: string, dtype: InputPlan['dtype'], dims: number[], graph: onnx.IGraphProto): InputChoice {
  const classes = dtype === 'float32' ? dims.reduce((a, b) => a * b, 1) : embeddingRows(name, graph);
  if (!classes || classes < 2)
    throw new DissectError('bad-model', `input "${name}": how many classes? ("inputs": {"${name}": {"class": "random", "classes": K}})`);
  return { class: 'random', classes };
}

/** What an input probably is, from its name, type and shape. */
function detect(
  name: string,
  dtype: InputPlan['dtype'],
  raw: number[],
  dims: number[],
  graph: onnx.IGraphProto,
): { choice: InputChoice; why: string } | undefined {
  const classy = /^(y|c|cls|class(es)?(_?(idx|index|id|label))?|labels?|label_?idx|targets?)$/i.test(name);
  if (dtype !== 'float32') {
    const classes = embeddingRows(name, graph);
    if (classes) return { choice: { class: 'random', classes }, why: `an integer class index (${classes} classes, from its embedding)` };
    return undefined;
  }
  if (/noise/i.test(name) || (raw.length === 4 && dims[0] === 1)) return { choice: 'normal', why: 'a noise map: a fresh normal draw per sample' };
  if (classy && dims.length === 1 && dims[0] > 1)
    return { choice: { class: 'random', classes: dims[0] }, why: `a one-hot class (${dims[0]} classes)` };
  return undefined;
}

/** The number of rows of the embedding table an integer input indexes (a Gather on an initializer). */
function embeddingRows(input: string, graph: onnx.IGraphProto): number | undefined {
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  for (const n of graph.node ?? []) {
    if (n.opType !== 'Gather' || n.input?.[1] !== input) continue;
    const table = inits.get(n.input[0] ?? '');
    const rows = table?.dims?.[0];
    if (rows !== undefined && rows !== null) return Number(rows);
  }
  return undefined;
}

function checkChoice(name: string, c: InputChoice, dtype: InputPlan['dtype'], dims: number[], graph: onnx.IGraphProto): void {
  const count = dims.reduce((a, b) => a * b, 1);
  if (typeof c === 'number') return;
  if (Array.isArray(c)) {
    if (c.length !== count)
      throw new DissectError('bad-model', `value for input "${name}" has ${c.length} numbers; its shape [${dims.join(', ')}] needs ${count}`);
    return;
  }
  if (c === 'normal' || c === 'uniform' || c === 'zeros') {
    if (dtype !== 'float32') throw new DissectError('bad-model', `input "${name}" holds integers: "${c}" fits float inputs only (use class:K)`);
    return;
  }
  const classes = c.class === 'random' ? c.classes : undefined;
  if (dtype === 'float32' && count < 2) throw new DissectError('bad-model', `input "${name}" [${dims.join(', ')}] is no one-hot class vector`);
  const K = dtype === 'float32' ? count : (classes ?? embeddingRows(name, graph));
  if (c.class === 'random' && !(Number.isInteger(c.classes) && c.classes >= 2))
    throw new DissectError('bad-model', `input "${name}": "classes" must be an integer ≥ 2`);
  if (typeof c.class === 'number' && (!Number.isInteger(c.class) || c.class < 0 || (K !== undefined && c.class >= K)))
    throw new DissectError('bad-model', `input "${name}": class ${c.class} is not one of 0…${(K ?? 1) - 1}`);
}

/** A 32-bit hash of a sample's latent (FNV-1a over its float bits): the seed of its other inputs. */
export function latentSeed(z: Float32Array): number {
  const bits = new Uint32Array(z.buffer, z.byteOffset, z.length);
  let h = 0x811c9dc5;
  for (let i = 0; i < bits.length; i++) h = Math.imul(h ^ bits[i], 0x01000193);
  return h >>> 0;
}

/** A 32-bit hash of a name (FNV-1a over its UTF-16 code units). */
function nameSeed(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The class of sample j under a choice (uniform over K from the latent's seed, or the fixed one). */
function classOf(c: Extract<InputChoice, { class: unknown }>, seed: number, input: number): number {
  if (typeof c.class === 'number') return c.class;
  return Math.floor(new Xoshiro128(seed, 1000 + input).uniform() * c.classes);
}

/** The values of `plan` for n samples whose latents are z (n × latentDims). */
export function inputValues(
  plan: InputPlan,
  index: number,
  z: Float32Array,
  n: number,
  latentDims: number,
): { data: Float32Array | BigInt64Array | Int32Array; dims: number[] } {
  const count = plan.dims.reduce((a, b) => a * b, 1);
  const c = plan.choice;
  const rows = plan.batched ? n : 1;
  const dims = plan.batched ? [n, ...plan.dims] : plan.dims;
  // An input without a batch dim is shared by the batch: seeded by its name, not by any one sample, so its
  // values do not depend on which samples share a batch.
  const seeds = plan.batched
    ? Array.from({ length: rows }, (_, j) => latentSeed(z.subarray(j * latentDims, (j + 1) * latentDims)))
    : [nameSeed(plan.name)];
  if (typeof c === 'number' || Array.isArray(c)) {
    const one = typeof c === 'number' ? new Float32Array(count).fill(c) : Float32Array.from(c);
    const out = new Float32Array(rows * count);
    for (let j = 0; j < rows; j++) out.set(one, j * count);
    return { data: plan.dtype === 'float32' ? out : toInt(out, plan.dtype), dims };
  }
  if (c === 'zeros') return { data: new Float32Array(rows * count), dims };
  if (c === 'uniform') {
    const out = new Float32Array(rows * count);
    for (let j = 0; j < rows; j++) {
      const rng = new Xoshiro128(seeds[j], 2000 + index);
      for (let i = 0; i < count; i++) out[j * count + i] = rng.uniform();
    }
    return { data: out, dims };
  }
  if (c === 'normal') {
    const out = new Float32Array(rows * count);
    for (let j = 0; j < rows; j++) normalLatent(seeds[j], 1000 + index, count, out.subarray(j * count, (j + 1) * count));
    return { data: out, dims };
  }
  if (plan.dtype === 'float32') {
    const out = new Float32Array(rows * count);
    for (let j = 0; j < rows; j++) out[j * count + classOf(c, seeds[j], index)] = 1;
    return { data: out, dims };
  }
  const idx = Float32Array.from(seeds, (s) => classOf(c, s, index));
  const out = new Float32Array(rows * count);
  for (let j = 0; j < rows; j++) out.fill(idx[j], j * count, (j + 1) * count);
  return { data: toInt(out, plan.dtype), dims };
}

function toInt(v: Float32Array, dtype: 'int64' | 'int32' | 'float32'): BigInt64Array | Int32Array {
  return dtype === 'int64' ? BigInt64Array.from(v, (x) => BigInt(Math.round(x))) : Int32Array.from(v, (x) => Math.round(x));
}

/** One line per input saying what it gets, for the log. */
export function describePlans(plans: InputPlan[]): string[] {
  return plans.map((p) => `input ${p.name}: ${JSON.stringify(p.choice)} (${p.why}; "inputs": {"${p.name}": …} or --input ${p.name}=… sets it)`);
}
