/**
 * Reading a generator's graph as a network of modules: which node produces which tensor, and which
 * PyTorch module path (`layer4.conv`) a tensor is the output of.
 */
import type { Graph, Node } from './proto';

/**
 * Module scopes of a node, outermost first, from PyTorch's exported node names:
 * `/layer4/conv/Conv` → [`layer4`, `layer4.conv`]; `/layer1/layer1.0/conv1/Conv` →
 * [`layer1`, `layer1.0`, `layer1.0.conv1`] (newer exporters repeat the full path in each scope);
 * `/module/layer4/conv/Conv` (DataParallel) → [`layer4`, `layer4.conv`].
 */
export function moduleScopes(nodeName: string | null | undefined): string[] {
  if (!nodeName || !nodeName.startsWith('/')) return [];
  const parts = nodeName.split('/').filter((p) => p.length > 0);
  parts.pop(); // the op's own name, e.g. "Conv" or "Conv_1"
  const scopes: string[] = [];
  let path = '';
  for (const p of parts) {
    path = path === '' || p.startsWith(path + '.') ? p : `${path}.${p}`;
    scopes.push(path);
  }
  // A model wrapped in DataParallel / DistributedDataParallel is exported under `module`: its modules are
  // named as the training code names them, without that prefix.
  if (scopes[0] === 'module') return scopes.slice(1).map((s) => s.slice('module.'.length));
  return scopes;
}

/** Every tensor a node in the graph (or a subgraph of it) reads. */
function nodeInputs(node: Node): string[] {
  const names = [...(node.input ?? [])];
  for (const attr of node.attribute ?? []) {
    const graphs = [attr.g, ...(attr.graphs ?? [])].filter((g): g is Graph => !!g);
    for (const g of graphs) for (const n of g.node ?? []) names.push(...nodeInputs(n));
  }
  return names.filter((n) => n !== '');
}

/** Indices of the nodes needed to compute `targets`, treating `cut` tensors as given. */
export function neededNodes(graph: Graph, targets: readonly string[], cut: ReadonlySet<string> = new Set()): Set<number> {
  const producer = new Map<string, number>();
  (graph.node ?? []).forEach((n, i) => (n.output ?? []).forEach((o) => o && producer.set(o, i)));
  const needed = new Set<number>();
  const stack = targets.filter((t) => !cut.has(t));
  const seen = new Set<string>(stack);
  while (stack.length > 0) {
    const t = stack.pop() as string;
    const p = producer.get(t);
    if (p === undefined || needed.has(p)) continue;
    needed.add(p);
    for (const inp of nodeInputs((graph.node ?? [])[p])) {
      if (!seen.has(inp) && !cut.has(inp)) {
        seen.add(inp);
        stack.push(inp);
      }
    }
  }
  return needed;
}

/** Every tensor the given nodes read. */
export function tensorsRead(graph: Graph, nodes: Iterable<number>): Set<string> {
  const read = new Set<string>();
  const all = graph.node ?? [];
  for (const i of nodes) for (const t of nodeInputs(all[i])) read.add(t);
  return read;
}

export interface TensorSite {
  tensor: string;
  /** Index of the producing node (graphs are topologically sorted). */
  node: number;
  /** Module paths whose output this tensor is (the last spatial tensor produced in that scope). */
  modules: string[];
}

/**
 * The internal tensors with a spatial shape, each with the module paths it is the output of.
 * `isSpatial(t)` says whether tensor t has shape [N, C, h, w].
 */
export function spatialTensors(graph: Graph, isSpatial: (t: string) => boolean): TensorSite[] {
  const outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const sites = new Map<string, TensorSite>();
  const lastOfScope = new Map<string, string>();
  (graph.node ?? []).forEach((node, i) => {
    for (const t of node.output ?? []) {
      if (!t || outputs.has(t) || !isSpatial(t)) continue;
      sites.set(t, { tensor: t, node: i, modules: [] });
      for (const scope of moduleScopes(node.name)) lastOfScope.set(scope, t);
    }
  });
  for (const [scope, t] of lastOfScope) sites.get(t)?.modules.push(scope);
  for (const s of sites.values()) s.modules.sort((a, b) => a.split('.').length - b.split('.').length || a.localeCompare(b));
  return [...sites.values()].sort((a, b) => a.node - b.node);
}

/** Ops that keep their input's layout (elementwise, or normalising over a kept axis). */
const LAYOUT_PRESERVING = new Set([
  'Relu',
  'LeakyRelu',
  'PRelu',
  'Elu',
  'Selu',
  'Sigmoid',
  'Tanh',
  'HardSigmoid',
  'HardSwish',
  'Softplus',
  'Mish',
  'Gelu',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Sqrt',
  'Neg',
  'Abs',
  'Clip',
  'Identity',
  'Dropout',
  'Cast',
  'Where',
  'Max',
  'Min',
]);

function perm(node: Node): number[] | undefined {
  const a = (node.attribute ?? []).find((x) => x.name === 'perm');
  return a?.ints?.map(Number);
}

const same = (a: number[] | undefined, b: number[]) => !!a && a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The tensors laid out channels-last (NHWC): those a Transpose(perm = [0, 2, 3, 1]) produces, those a
 * Transpose(perm = [0, 3, 1, 2]) reads (to turn them back into NCHW for a Conv), and what layout-keeping
 * ops (activations, elementwise arithmetic) make from them. TensorFlow-converted and hand-permuted
 * generators look like this; a plain PyTorch export (even with channels_last memory) does not.
 */
export function channelsLastTensors(graph: Graph): Set<string> {
  const nhwc = new Set<string>();
  const nodes = graph.node ?? [];
  const constants = new Set([
    ...(graph.initializer ?? []).map((t) => t.name ?? ''),
    ...nodes.filter((n) => n.opType === 'Constant').flatMap((n) => n.output ?? []),
  ]);
  for (const n of nodes) {
    if (n.opType === 'Transpose' && same(perm(n), [0, 2, 3, 1])) for (const o of n.output ?? []) nhwc.add(o);
    if (n.opType === 'Transpose' && same(perm(n), [0, 3, 1, 2])) for (const i of n.input ?? []) nhwc.add(i);
  }
  // forward through layout-keeping ops (graphs are topologically sorted); back through those with one varying input
  for (let pass = 0; pass < 2; pass++) {
    for (const n of nodes) {
      if (LAYOUT_PRESERVING.has(n.opType ?? '') && (n.input ?? []).some((i) => nhwc.has(i))) for (const o of n.output ?? []) nhwc.add(o);
    }
    for (let k = nodes.length - 1; k >= 0; k--) {
      const n = nodes[k];
      // (a bias or a scalar beside it does not count: `x - cut` keeps x's layout)
      const inputs = (n.input ?? []).filter((i) => i !== '' && !constants.has(i));
      if (LAYOUT_PRESERVING.has(n.opType ?? '') && inputs.length === 1 && (n.output ?? []).some((o) => nhwc.has(o))) nhwc.add(inputs[0]);
    }
  }
  return nhwc;
}

/** Ops an image passes through unchanged in value on its way out (layout, type, copies). */
const VALUE_KEEPING = new Set(['Transpose', 'Identity', 'Reshape', 'Cast', 'Squeeze', 'Unsqueeze', 'Flatten']);

/**
 * The value range of the image output, from the op that makes it: a Sigmoid's [0, 1], a Tanh's [−1, 1],
 * a Clip's bounds when they are constants; undefined when the graph does not say.
 */
export function imageRange(graph: Graph, output: string): { range: [number, number]; op: string } | undefined {
  const producer = new Map<string, Node>();
  for (const n of graph.node ?? []) for (const o of n.output ?? []) producer.set(o, n);
  const constant = (name: string | undefined): number | undefined => {
    if (!name) return undefined;
    const t = (graph.initializer ?? []).find((x) => x.name === name);
    if (t?.floatData?.length === 1) return t.floatData[0];
    if (t?.rawData && t.rawData.length === 4) return new Float32Array(Uint8Array.from(t.rawData).buffer)[0];
    return undefined;
  };
  let t = output;
  for (let depth = 0; depth < 16; depth++) {
    const n = producer.get(t);
    if (!n) return undefined;
    if (n.opType === 'Sigmoid') return { range: [0, 1], op: 'Sigmoid' };
    if (n.opType === 'Tanh') return { range: [-1, 1], op: 'Tanh' };
    if (n.opType === 'Clip') {
      const lo = constant(n.input?.[1] ?? undefined);
      const hi = constant(n.input?.[2] ?? undefined);
      return lo !== undefined && hi !== undefined && lo < hi ? { range: [lo, hi], op: 'Clip' } : undefined;
    }
    if (!VALUE_KEEPING.has(n.opType ?? '')) return undefined;
    t = n.input?.[0] ?? '';
  }
  return undefined;
}
