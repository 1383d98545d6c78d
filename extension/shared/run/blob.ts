/**
 * Binary files of named typed arrays with a JSON header: statistics checkpoints and result matrices.
 * Layout: "GDBLOB1\n", u32 header length, JSON header, padding to 8 bytes, then the arrays in order.
 */
import * as fs from 'node:fs';
import { DissectError } from '../errors';

export type Arr = Float64Array | Float32Array | Int32Array | Uint8Array;
const CTORS = { f64: Float64Array, f32: Float32Array, i32: Int32Array, u8: Uint8Array } as const;
type DType = keyof typeof CTORS;
const MAGIC = 'GDBLOB1\n';

function dtypeOf(a: Arr): DType {
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Int32Array) return 'i32';
  return 'u8';
}

export function packBlob(meta: unknown, arrays: Record<string, Arr>): Buffer {
  const entries: { name: string; dtype: DType; length: number; offset: number }[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    entries.push({ name, dtype: dtypeOf(a), length: a.length, offset });
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const header = Buffer.from(JSON.stringify({ meta, arrays: entries }), 'utf8');
  const headLen = Math.ceil((12 + header.length) / 8) * 8;
  const out = Buffer.alloc(headLen + offset);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, 8);
  header.copy(out, 12);
  for (const e of entries) {
    const a = arrays[e.name];
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, headLen + e.offset);
  }
  return out;
}

export function unpackBlob(buf: Buffer, file: string): { meta: unknown; arrays: Record<string, Arr> } {
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) throw new DissectError('incompatible-out', `${file} is not a statistics file`);
  const len = buf.readUInt32LE(8);
  const head = JSON.parse(buf.toString('utf8', 12, 12 + len)) as {
    meta: unknown;
    arrays: { name: string; dtype: DType; length: number; offset: number }[];
  };
  const headLen = Math.ceil((12 + len) / 8) * 8;
  const arrays: Record<string, Arr> = {};
  for (const e of head.arrays) {
    const C = CTORS[e.dtype];
    const bytes = e.length * C.BYTES_PER_ELEMENT;
    const copy = new Uint8Array(bytes);
    copy.set(buf.subarray(headLen + e.offset, headLen + e.offset + bytes));
    arrays[e.name] = new C(copy.buffer);
  }
  return { meta: head.meta, arrays };
}

/** Writes via a temporary file and rename, so a kill never leaves a half-written file. */
export function writeAtomic(file: string, data: Buffer | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
