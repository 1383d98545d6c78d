/**
 * ONNX Runtime sessions and execution providers (README: "Execution"). ORT does not fall back from a provider
 * that fails to load, so `auto` (and an explicit `cuda` or `webgpu` that cannot load) retries on the CPU
 * and says why.
 * `webgpu`: the WebGPU provider bundled in onnxruntime-node (Dawn over Vulkan on Linux), which needs no
 * download at install time. Measured on an NVIDIA H200 with the driver's Vulkan ICD and libvulkan1: the
 * demo's generator + segmenter 7.0 ms per batch of 16 vs 23.3 ms on the CPU, max |Δ| 4e-6 (image) and
 * 7.5e-5 (logits). Without a GPU adapter it fails with "No supported adapters".
 */
import * as ort from 'onnxruntime-node';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { onnx } from './proto';
import { DissectError } from '../../../shared/errors';
import type { ProviderInfo, ProviderRequest } from '../../../shared/models';

export interface SessionOptions {
  provider: ProviderRequest;
  threads?: number;
  /**
   * Whether ONNX Runtime's intra-op threads busy-wait for work between and after runs (its default: yes).
   * Off while other threads (the dissection's statistics threads) need the cores those would spin on.
   */
  spin?: boolean;
  /**
   * The folder of a model with external data (weights in files beside it, as every model over 2 GB has):
   * its sessions are created from a staged copy that finds those files (see staged()).
   */
  externalDataDir?: string;
}

export interface Session {
  ort: ort.InferenceSession;
  provider: ProviderInfo;
  inputNames: readonly string[];
  outputNames: readonly string[];
}

function baseOptions({ threads, spin }: SessionOptions): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    ...(threads && threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
    // ORT's session config entry session.intra_op.allow_spinning ("1" by default)
    ...(spin === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
  };
}

/**
 * Why CUDA cannot be used in this process, or undefined if it may be. Checked once: the CUDA provider is a
 * separate library (libonnxruntime_providers_cuda) that onnxruntime-node's install fetches only on
 * machines with an NVIDIA GPU and internet; a failed load is remembered so it is reported once.
 */
let cudaUnavailable: string | undefined | null = null;

export function cudaProblem(): string | undefined {
  if (cudaUnavailable !== null) return cudaUnavailable;
  cudaUnavailable = undefined;
  try {
    const root = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const lib = path.join(root, 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so');
    if (process.platform !== 'linux') cudaUnavailable = `no CUDA provider for ${process.platform} in onnxruntime-node`;
    else if (!fs.existsSync(lib)) {
      cudaUnavailable =
        'CUDA unavailable: onnxruntime-node was installed without its CUDA provider (reinstall it on a machine with an NVIDIA GPU and internet access)';
    }
  } catch (e) {
    cudaUnavailable = `CUDA unavailable: ${(e as Error).message}`;
  }
  return cudaUnavailable;
}

/** Creates a session on the requested provider, falling back to the CPU with the reason recorded. */
/** Inline external data up to this size (a model so staged stays under protobuf's 2 GB). */
const INLINE_MAX_BYTES = 1.5 * 2 ** 30;

/**
 * A model with external data, made loadable whatever the working directory: ONNX Runtime refuses absolute
 * locations, resolves links, and for a model given as bytes looks in the working directory. Up to
 * INLINE_MAX_BYTES the data is read into the model's bytes; beyond, the model's bytes are written beside
 * its data files (a hidden file, removed once the session holds its data) and the session made from that.
 */
export function staged(bytes: Uint8Array, dir: string, inlineMax = INLINE_MAX_BYTES): { source: Uint8Array | string; done: () => void } {
  const model = onnx.ModelProto.decode(bytes);
  const external: onnx.ITensorProto[] = [];
  const visit = (g: onnx.IGraphProto | null | undefined): void => {
    for (const t of g?.initializer ?? []) if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) external.push(t);
    for (const n of g?.node ?? []) for (const a of n.attribute ?? []) [a.g, ...(a.graphs ?? [])].forEach(visit);
  };
  visit(model.graph);
  const entry = (t: onnx.ITensorProto, key: string) => (t.externalData ?? []).find((e) => e.key === key)?.value ?? undefined;
  const fileOf = (t: onnx.ITensorProto) => {
    const f = path.resolve(dir, entry(t, 'location') ?? '');
    if (!fs.existsSync(f)) throw new DissectError('file-missing', `the model's external data file ${f} is missing (it must lie beside the model)`);
    return f;
  };
  const total = [...new Set(external.map(fileOf))].reduce((a, f) => a + fs.statSync(f).size, 0);
  if (total <= inlineMax) {
    for (const t of external) {
      const data = fs.readFileSync(fileOf(t));
      const offset = Number(entry(t, 'offset') ?? 0);
      const length = entry(t, 'length') !== undefined ? Number(entry(t, 'length')) : data.length - offset;
      t.rawData = data.subarray(offset, offset + length);
      t.externalData = [];
      t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
    }
    return { source: onnx.ModelProto.encode(model).finish(), done: () => {} };
  }
  const file = path.join(dir, `.gan-dissect-${process.pid}-${Date.now()}.onnx`);
  fs.writeFileSync(file, bytes);
  return { source: file, done: () => fs.rmSync(file, { force: true }) };
}

export async function createSession(bytes: Uint8Array, what: string, opts: SessionOptions): Promise<Session> {
  if (!opts.externalDataDir) return createSessionFrom(bytes, what, opts);
  const s = staged(bytes, opts.externalDataDir);
  try {
    return await createSessionFrom(s.source, what, opts);
  } finally {
    s.done();
  }
}

async function createSessionFrom(source: Uint8Array | string, what: string, opts: SessionOptions): Promise<Session> {
  const create = (o: ort.InferenceSession.SessionOptions) =>
    typeof source === 'string' ? ort.InferenceSession.create(source, o) : ort.InferenceSession.create(source, o);
  const wrap = (s: ort.InferenceSession, provider: ProviderInfo): Session => ({
    ort: s,
    provider,
    inputNames: s.inputNames,
    outputNames: s.outputNames,
  });
  let fallback: string | undefined;
  if (opts.provider === 'webgpu') {
    fallback = webgpuUnavailable;
    if (!fallback) {
      try {
        // nodes the WebGPU provider lacks run on the CPU provider (ORT partitions the graph)
        const s = await create({ ...baseOptions(opts), executionProviders: ['webgpu', 'cpu'] });
        return wrap(s, { name: 'webgpu', requested: opts.provider });
      } catch (e) {
        fallback = webgpuUnavailable = `WebGPU unavailable: ${webgpuReason((e as Error).message)}`;
      }
    }
  }
  if (opts.provider === 'cuda' || opts.provider === 'auto') {
    fallback = cudaProblem();
    if (!fallback) {
      try {
        const s = await create({ ...baseOptions(opts), executionProviders: ['cuda'] });
        return wrap(s, { name: 'cuda', requested: opts.provider });
      } catch (e) {
        fallback = cudaUnavailable = `CUDA unavailable: ${firstLine((e as Error).message)}`;
      }
    }
  }
  try {
    const s = await create({ ...baseOptions(opts), executionProviders: ['cpu'] });
    return wrap(s, { name: 'cpu', requested: opts.provider, ...(fallback ? { fallback } : {}) });
  } catch (e) {
    throw new DissectError('bad-model', `ONNX Runtime cannot load the ${what}: ${firstLine((e as Error).message)}`);
  }
}

/** A WebGPU failure, remembered so it is reported (and Dawn's own warnings printed) once per process. */
let webgpuUnavailable: string | undefined;

/** "…webgpu_context.cc:136 … Failed to get a WebGPU adapter: No supported adapters" → from "Failed". */
function webgpuReason(message: string): string {
  const i = message.indexOf('Failed to ');
  return firstLine(i >= 0 ? message.slice(i) : message);
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim().length > 0) ?? s;
  return line.length > 300 ? line.slice(0, 300) + '…' : line;
}

export type Feeds = Record<string, ort.Tensor>;

export function floatTensor(data: Float32Array, dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

/** Runs a session, turning ORT's errors into ones that say which model and what went wrong. */
export async function runSession(s: Session, feeds: Feeds, fetches: readonly string[], what: string): Promise<Record<string, ort.Tensor>> {
  try {
    return (await s.ort.run(feeds, fetches as string[])) as Record<string, ort.Tensor>;
  } catch (e) {
    const shapes = Object.entries(feeds)
      .map(([k, v]) => `${k}[${v.dims.join(',')}]`)
      .join(', ');
    const message = firstLine((e as Error).message);
    // ONNX Runtime's allocation failures: the batch is the knob (the results do not depend on it).
    if (/bad_alloc|out of memory|failed to allocate|cudaErrorMemoryAllocation|CUDA_ERROR_OUT_OF_MEMORY/i.test(message)) {
      const n = Object.values(feeds)[0]?.dims[0];
      throw new DissectError(
        'out-of-memory',
        `the ${what} ran out of memory on inputs ${shapes}: use a smaller --batch${n ? ` than ${n}` : ''} (${message})`,
      );
    }
    throw new DissectError('bad-shape', `the ${what} failed on inputs ${shapes}: ${message}`);
  }
}

export { ort };
