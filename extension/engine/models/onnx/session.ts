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
export async function createSession(bytes: Uint8Array, what: string, opts: SessionOptions): Promise<Session> {
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
        const s = await ort.InferenceSession.create(bytes, { ...baseOptions(opts), executionProviders: ['webgpu', 'cpu'] });
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
        const s = await ort.InferenceSession.create(bytes, { ...baseOptions(opts), executionProviders: ['cuda'] });
        return wrap(s, { name: 'cuda', requested: opts.provider });
      } catch (e) {
        fallback = cudaUnavailable = `CUDA unavailable: ${firstLine((e as Error).message)}`;
      }
    }
  }
  try {
    const s = await ort.InferenceSession.create(bytes, { ...baseOptions(opts), executionProviders: ['cpu'] });
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
