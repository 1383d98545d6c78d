/**
 * Binary files of named typed arrays with a JSON header: statistics checkpoints and result matrices.
 * Layout: "GDBLOB2\n", u32 header length, JSON header, padding to 8 bytes, then the arrays in order.
 * The header holds the arrays' total length and the CRC-32 of everything after the header, and both are
 * checked on read: a truncated or damaged file is refused with its name and what is wrong, never read
 * as numbers. (Files of the first format, "GDBLOB1\n", have neither; they are read with bounds checks.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { DissectError } from '../errors';

export type Arr = Float64Array | Float32Array | Int32Array | Uint8Array;
const CTORS = { f64: Float64Array, f32: Float32Array, i32: Int32Array, u8: Uint8Array } as const;
type DType = keyof typeof CTORS;
const MAGIC = 'GDBLOB2\n';
const MAGIC_V1 = 'GDBLOB1\n';

/** CRC-32 (IEEE, zlib's): node:zlib's where the Node has it (20.15+), else a table. */
export function crc32(data: Uint8Array): number {
  const native = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
  return native ? native(data) : crc32Table(data);
}

/** CRC-32 by a table (Nodes before 20.15 have no zlib.crc32). */
export function crc32Table(data: Uint8Array): number {
  let c = ~0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

function dtypeOf(a: Arr): DType {
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Int32Array) return 'i32';
  return 'u8';
}

interface Entry {
  name: string;
  dtype: DType;
  length: number;
  offset: number;
}

export function packBlob(meta: unknown, arrays: Record<string, Arr>): Buffer {
  const entries: Entry[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    entries.push({ name, dtype: dtypeOf(a), length: a.length, offset });
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const payload = Buffer.alloc(offset);
  for (const e of entries) {
    const a = arrays[e.name];
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(payload, e.offset);
  }
  const header = Buffer.from(JSON.stringify({ meta, arrays: entries, payloadBytes: offset, crc32: crc32(payload) }), 'utf8');
  const headLen = Math.ceil((12 + header.length) / 8) * 8;
  const out = Buffer.alloc(headLen + offset);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, 8);
  header.copy(out, 12);
  payload.copy(out, headLen);
  return out;
}

/** The arrays of a blob; a file that is not one, truncated, or damaged is refused naming `file`. */
export function unpackBlob(buf: Buffer, file: string): { meta: unknown; arrays: Record<string, Arr> } {
  const bad = (what: string) => new DissectError('corrupt-file', `${file} is damaged (${what}); delete it, or the run folder, and run again`);
  const magic = buf.length >= 12 ? buf.toString('latin1', 0, 8) : '';
  if (magic !== MAGIC && magic !== MAGIC_V1) throw new DissectError('incompatible-out', `${file} is not a statistics file`);
  const len = buf.readUInt32LE(8);
  if (12 + len > buf.length) throw bad(`its header claims ${len} bytes but the file has ${buf.length}`);
  let head: { meta: unknown; arrays: Entry[]; payloadBytes?: number; crc32?: number };
  try {
    head = JSON.parse(buf.toString('utf8', 12, 12 + len)) as typeof head;
  } catch {
    throw bad('its header is not valid JSON');
  }
  const headLen = Math.ceil((12 + len) / 8) * 8;
  if (magic === MAGIC) {
    const bytes = buf.length - headLen;
    if (head.payloadBytes !== bytes) throw bad(`${bytes} bytes of arrays where it was written with ${head.payloadBytes}: truncated or appended to`);
    if (crc32(buf.subarray(headLen)) !== head.crc32) throw bad('its checksum does not match its contents');
  }
  const arrays: Record<string, Arr> = {};
  for (const e of head.arrays) {
    const C = CTORS[e.dtype];
    if (!C || !Number.isInteger(e.length) || e.length < 0 || !Number.isInteger(e.offset) || e.offset < 0)
      throw bad(`array ${e.name} has a bad entry`);
    const bytes = e.length * C.BYTES_PER_ELEMENT;
    if (headLen + e.offset + bytes > buf.length) throw bad(`array ${e.name} ends past the end of the file`);
    const copy = new Uint8Array(bytes);
    copy.set(buf.subarray(headLen + e.offset, headLen + e.offset + bytes));
    arrays[e.name] = new C(copy.buffer);
  }
  return { meta: head.meta, arrays };
}

/**
 * mkdir -p, one level at a time from the nearest existing folder: bounded, where Node's recursive mkdir
 * loops for ever on some file systems (e.g. under /proc).
 */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  let d = path.resolve(dir);
  while (!fs.existsSync(d)) {
    missing.unshift(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const m of missing) fs.mkdirSync(m);
}

/** A file's bytes; a file-system error names the file (Node leaves the path out of some, e.g. EISDIR). */
export function readFileNamed(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const x = e as NodeJS.ErrnoException;
    if (x.code) Object.assign(x, { path: file, syscall: 'read' });
    throw e;
  }
}

/** Writes via a temporary file and rename, so a kill never leaves a half-written file. */
export function writeAtomic(file: string, data: Buffer | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    // Name the file the caller wrote, not the temporary one.
    const x = e as NodeJS.ErrnoException;
    if (x.code) Object.assign(x, { path: file, syscall: 'write' });
    // A full disk or a vanished folder: leave no temporary file behind (and report the first error).
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // (not ours to remove, e.g. a folder in the way)
    }
    throw e;
  }
}
