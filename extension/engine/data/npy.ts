/** NumPy .npy files (version 1/2, little-endian float32/float64), so runs can be reproduced from Python. */
import * as fs from 'node:fs';
import { DissectError } from '../../shared/errors';
import { writeAtomic } from '../../shared/run/blob';

export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

export function readNpy(file: string): NpyArray {
  if (!fs.existsSync(file)) throw new DissectError('file-missing', `latents file not found: ${file}`);
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') {
    throw new DissectError('bad-latents', `${file} is not a .npy file (no NUMPY magic)`);
  }
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = buf.toString('latin1', major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new DissectError('bad-latents', `${file}: unreadable .npy header`);
  if (fortran) throw new DissectError('bad-latents', `${file}: Fortran-ordered arrays are not supported; save with np.ascontiguousarray`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = buf.subarray(start);
  let data: Float32Array;
  if (descr === '<f4') {
    if (body.length < count * 4) throw new DissectError('bad-latents', `${file} is truncated`);
    data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = body.readFloatLE(i * 4);
  } else if (descr === '<f8') {
    if (body.length < count * 8) throw new DissectError('bad-latents', `${file} is truncated`);
    data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = body.readDoubleLE(i * 8);
  } else {
    throw new DissectError('bad-latents', `${file}: dtype ${descr} is not supported (use float32)`);
  }
  return { shape, data };
}

export function writeNpy(file: string, data: Float32Array, shape: number[]): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(data.length * 4);
  for (let i = 0; i < data.length; i++) body.writeFloatLE(data[i], i * 4);
  writeAtomic(file, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}
