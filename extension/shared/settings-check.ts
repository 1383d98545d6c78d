/**
 * One schema for what users and the host hand the engine: a project file's "generator", "segmenter" and
 * "dissect" sections, and the engine process's dissection request. Types, ranges and allowed keys; every
 * message names the file (or request) and the key, and suggests the nearest known key for a typo.
 *
 * Hand-written rather than a validator library (zod, ajv, valibot): the schema is some thirty keys, the
 * messages must read "FILE: "dissect.topk" must be an integer from 1 to 10000, got "abc"", and this
 * module is bundled into the extension host, where every dependency is weight.
 */
import { DissectError, nearest } from './errors';
import type { GeneratorSpec, SegmenterSpec } from './models';
import type { DissectJob, DissectSettings } from './run/schema';

/** Says what is wrong with a value (a nested object: each of its problems), or undefined when it fits. */
type Check = (v: unknown) => string | string[] | undefined;

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
};

export const int =
  (lo: number, hi: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? undefined : `must be an integer from ${lo} to ${hi}, got ${show(v)}`;

const num =
  (lo: number, hi: number, open = false): Check =>
  (v) =>
    typeof v === 'number' && Number.isFinite(v) && (open ? v > lo && v < hi : v >= lo && v <= hi)
      ? undefined
      : `must be a number ${open ? 'strictly ' : ''}between ${lo} and ${hi}, got ${show(v)}`;

export const str: Check = (v) => (typeof v === 'string' && v.length > 0 ? undefined : `must be a non-empty string, got ${show(v)}`);
const bool: Check = (v) => (typeof v === 'boolean' ? undefined : `must be true or false, got ${show(v)}`);

const oneOf =
  (...values: string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? undefined : `must be one of ${values.map((x) => `"${x}"`).join(', ')}, got ${show(v)}`;

/** A list of distinct non-empty strings (e.g. layer names). */
const names: Check = (v) => {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.length === 0)) return `must be a list of names, got ${show(v)}`;
  const dup = v.find((x, i) => v.indexOf(x) !== i);
  return dup === undefined ? undefined : `names ${show(dup)} twice`;
};

/** A value range [lo, hi] with lo < hi, both finite. */
const range: Check = (v) =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x)) && v[0] < v[1]
    ? undefined
    : `must be [lo, hi] with lo < hi, got ${show(v)}`;

const triple =
  (positive: boolean): Check =>
  (v) =>
    Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0))
      ? undefined
      : `must be three ${positive ? 'positive ' : ''}numbers (R, G, B), got ${show(v)}`;

const size: Check = (v) =>
  Array.isArray(v) && v.length === 2 && v.every((x) => Number.isInteger(x) && x >= 1 && x <= 8192)
    ? undefined
    : `must be [height, width], integers from 1 to 8192, got ${show(v)}`;

/** Values for other generator inputs (shared/models.ts InputChoice): a number, a list, "normal", "zeros" or a class. */
const inputs: Check = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return `must be an object of input names to values, got ${show(v)}`;
  for (const [k, x] of Object.entries(v)) {
    const ok = (n: unknown) => typeof n === 'number' && Number.isFinite(n);
    const cls = x as { class?: unknown; classes?: unknown };
    const isClass =
      typeof x === 'object' &&
      x !== null &&
      !Array.isArray(x) &&
      ((cls.class === 'random' && Number.isInteger(cls.classes) && (cls.classes as number) >= 2) ||
        (Number.isInteger(cls.class) && (cls.class as number) >= 0));
    if (!(ok(x) || (Array.isArray(x) && x.length > 0 && x.every(ok)) || x === 'normal' || x === 'zeros' || isClass))
      return `"${k}" must be a finite number, a list of them, "normal", "zeros", {"class": "random", "classes": K} or {"class": k}, got ${show(x)}`;
  }
  return undefined;
};

const quad: Check = (v) => (v === 'all' || names(v) === undefined ? undefined : `must be "all" or a list of concept names, got ${show(v)}`);

/** A nested object checked against its own schema (messages get the nested key). */
export const object =
  <T>(schema: Schema<T>, required: (keyof T & string)[] = []): Check =>
  (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return `must be an object, got ${show(v)}`;
    const found = problems(v as Record<string, unknown>, schema, required);
    return found.length > 0 ? found : undefined;
  };

type Schema<T> = { [K in keyof T]-?: Check };

/** What is wrong with `o` under `schema`, each as `"key" problem` (empty when nothing is). */
function problems<T>(o: Record<string, unknown>, schema: Schema<T>, required: (keyof T & string)[]): string[] {
  const known = Object.keys(schema);
  const out: string[] = [];
  for (const k of required) if (o[k] === undefined) out.push(`"${k}" is required`);
  for (const [k, v] of Object.entries(o)) {
    if (!known.includes(k)) {
      out.push(`"${k}" is not a known key (did you mean "${nearest(k, known, 1)[0]}"?)`);
      continue;
    }
    if (v === undefined) continue;
    const p = (schema as Record<string, Check>)[k](v);
    // A nested object's problems already start with their keys: join the paths ("input"."range" → "input.range").
    for (const q of p === undefined ? [] : Array.isArray(p) ? p : [p]) out.push(q.startsWith('"') ? `"${k}.${q.slice(1)}` : `"${k}" ${q}`);
  }
  return out;
}

export const DISSECT_SETTINGS: Schema<DissectSettings> = {
  layers: names,
  samples: int(1, 100_000_000),
  seed: int(-(2 ** 31), 2 ** 31 - 1),
  latents: str,
  thresholdSamples: int(1, 100_000_000),
  thresholdSeed: int(-(2 ** 31), 2 ** 31 - 1),
  thresholdLatents: str,
  threshold: oneOf('iqr', 'quantile'),
  quantile: num(0, 1, true),
  topk: int(1, 10_000),
  iouMin: num(0, 1),
  iqrMin: num(0, 1),
};

export const GENERATOR_SPEC: Schema<GeneratorSpec> = { path: str, latent: str, inputs, class: int(0, 1_000_000), output: str, range };

export const SEGMENTER_SPEC: Schema<SegmenterSpec> = {
  path: str,
  labels: str,
  outputs: names,
  input: object<NonNullable<SegmenterSpec['input']>>({ range, mean: triple(false), std: triple(true), channels: oneOf('RGB', 'BGR'), size }),
  quad,
};

export const DISSECT_JOB: Schema<DissectJob> = {
  ...DISSECT_SETTINGS,
  generator: object(GENERATOR_SPEC, ['path']),
  segmenter: object(SEGMENTER_SPEC, ['path', 'labels']),
  out: str,
  batch: int(1, 4096),
  provider: oneOf('auto', 'cpu', 'cuda', 'webgpu'),
  threads: int(0, 1024),
  workers: int(0, 1024),
  resume: bool,
  force: bool,
};

/**
 * Checks `value` against `schema`; throws `bad-usage` naming `where` (a file, a request) and, for
 * nested sections, `section`, with every problem found.
 */
export function checkSection<T>(value: unknown, schema: Schema<T>, where: string, section?: string, required: (keyof T & string)[] = []): T {
  const at = section ? `"${section}"` : 'it';
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DissectError('bad-usage', `${where}: ${at} must be an object, got ${show(value)}`);
  const found = problems(value as Record<string, unknown>, schema, required).map((p) => (section ? `"${section}.${p.slice(1)}` : p));
  if (found.length > 0) throw new DissectError('bad-usage', `${where}: ${found.join('; ')}`);
  return value as T;
}
