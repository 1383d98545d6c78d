/** Reading and writing ONNX protobufs (via onnx-proto), with errors that name the file. */
import * as fs from 'node:fs';
import * as crypto from 'node:crypto';
import { onnx } from 'onnx-proto';
import { DissectError } from '../../../shared/errors';

export { onnx };
export type Model = onnx.ModelProto;
export type Graph = onnx.IGraphProto;
export type Node = onnx.INodeProto;

/** Long | number → number (protobufjs decodes int64 as Long objects). */
export function toNum(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof (v as { toNumber?: () => number }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

export function readBytes(file: string, what: string): Uint8Array {
  if (!fs.existsSync(file)) throw new DissectError('file-missing', `${what} not found: ${file}`);
  const st = fs.statSync(file);
  if (!st.isFile()) throw new DissectError('file-missing', `${what} is not a file: ${file}`);
  return new Uint8Array(fs.readFileSync(file));
}

export function decodeModel(bytes: Uint8Array, file: string): Model {
  let model: Model;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new DissectError('not-onnx', `${file} is not a valid ONNX file (${(e as Error).message}); is it truncated or another format?`);
  }
  if (!model.graph || !model.graph.node || model.graph.node.length === 0) {
    throw new DissectError('not-onnx', `${file} is not an ONNX model: it has no graph nodes`);
  }
  return model;
}

export function loadModel(file: string, what = 'model'): { model: Model; bytes: Uint8Array; sha256: string } {
  const bytes = readBytes(file, what);
  const model = decodeModel(bytes, file);
  return { model, bytes, sha256: sha256(bytes) };
}

export function encodeModel(model: onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

export function sha256(bytes: Uint8Array | string): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** A deep copy, so surgery never mutates the caller's model. */
export function cloneModel(model: Model): Model {
  return onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
}

/** Static dims of a value_info; -1 for symbolic or unknown dims; undefined if not a tensor. */
export function valueDims(vi: onnx.IValueInfoProto): number[] | undefined {
  const shape = vi.type?.tensorType?.shape;
  if (!shape || !shape.dim) return undefined;
  return shape.dim.map((d) => (d.dimValue !== undefined && d.dimValue !== null && toNum(d.dimValue) > 0 ? toNum(d.dimValue) : -1));
}

export function elemType(vi: onnx.IValueInfoProto): number | undefined {
  const t = vi.type?.tensorType?.elemType;
  return t === null || t === undefined ? undefined : t;
}

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;

/** An element type's name for messages ("FLOAT16"), or its number when ONNX names none. */
export function elemTypeName(t: number): string {
  return onnx.TensorProto.DataType[t] ?? String(t);
}
