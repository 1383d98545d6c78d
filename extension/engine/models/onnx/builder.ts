/** A small builder for ONNX graphs: test models, fixtures and graph edits are written with it. */
import { onnx, encodeModel, FLOAT } from './proto';

type AttrValue = number | number[] | string | { floats: number[] } | { tensor: onnx.ITensorProto };

export class GraphBuilder {
  private nodes: onnx.INodeProto[] = [];
  private inits: onnx.ITensorProto[] = [];
  private inputs: onnx.IValueInfoProto[] = [];
  private outputs: onnx.IValueInfoProto[] = [];
  private count = 0;

  /** An input (float unless `elemType` says otherwise); -1 marks the symbolic batch dim. */
  input(name: string, dims: number[], elemType: number = FLOAT): string {
    this.inputs.push(valueInfo(name, dims, elemType));
    return name;
  }

  output(name: string, dims?: number[]): void {
    this.outputs.push(dims ? valueInfo(name, dims) : { name });
  }

  floats(name: string, data: ArrayLike<number>, dims: number[]): string {
    this.inits.push({ name, dataType: FLOAT, dims, rawData: new Uint8Array(Float32Array.from(data).buffer) });
    return name;
  }

  ints(name: string, data: number[], dims = [data.length]): string {
    this.inits.push({ name, dataType: onnx.TensorProto.DataType.INT64, dims, int64Data: data });
    return name;
  }

  /** Adds a node; `name` sets a PyTorch-style scope (`/layer1/conv/Conv`). Returns its first output. */
  node(op: string, inputs: string[], opts: { name?: string; out?: string; attrs?: Record<string, AttrValue> } = {}): string {
    const out = opts.out ?? `${(opts.name ?? op).replace(/^\//, '')}_out${this.count++}`;
    const attribute: onnx.IAttributeProto[] = Object.entries(opts.attrs ?? {}).map(([k, v]) => attr(k, v));
    this.nodes.push({ opType: op, input: inputs, output: [out], name: opts.name ?? `${op}_${this.count}`, attribute });
    return out;
  }

  build(opset = 13): Uint8Array {
    return encodeModel({
      irVersion: 8,
      producerName: 'gan-dissection-builder',
      opsetImport: [{ domain: '', version: opset }],
      graph: { name: 'g', node: this.nodes, initializer: this.inits, input: this.inputs, output: this.outputs },
    });
  }
}

function valueInfo(name: string, dims: number[], elemType: number = FLOAT): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (d < 0 ? { dimParam: 'N' } : { dimValue: d })) } } },
  };
}

function attr(name: string, v: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('floats' in v) return { name, type: T.FLOATS, floats: v.floats };
  return { name, type: T.TENSOR, t: v.tensor };
}
