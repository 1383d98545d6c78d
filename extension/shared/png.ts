/** PNG encoding and decoding of RGB images (zlib from Node; no dependency needed for 8-bit truecolour): the engine writes strips and heatmaps, the host reads strips for the hover. */
import * as zlib from 'node:zlib';

/** CRC-32 tables for slicing by 4 (T[k][b]: the CRC of byte b followed by k zero bytes). */
const CRC_TABLES = (() => {
  const t = new Uint32Array(4 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) for (let k = 1; k < 4; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n] >>> 8) ^ t[t[(k - 1) * 256 + n] & 0xff];
  return t;
})();

/** CRC-32 (PNG, zlib), four bytes per step. */
export function crc32(buf: Uint8Array): number {
  const T = CRC_TABLES;
  let c = 0xffffffff;
  let i = 0;
  for (const end = buf.length - 3; i < end; i += 4) {
    c ^= buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24);
    c = T[768 + (c & 0xff)] ^ T[512 + ((c >>> 8) & 0xff)] ^ T[256 + ((c >>> 16) & 0xff)] ^ T[c >>> 24];
  }
  for (; i < buf.length; i++) c = T[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** Encodes `rgb` (height × width × 3 bytes, row-major) as a PNG. */
export function encodePng(rgb: Uint8Array, width: number, height: number, level = 6): Buffer {
  return assemble(width, height, zlib.deflateSync(scanlines(rgb, width, height, 0), { level }));
}

/**
 * The top-image strips' encoding: each row filtered by "Sub" (the difference to the pixel on its left) and
 * deflated with run-length matching only (Z_RLE). Measured on the demo's strips against plain level-1
 * deflate: 2.9 vs 4.4 ms per strip, 26% smaller files.
 */
export function encodePngFast(rgb: Uint8Array, width: number, height: number): Buffer {
  return assemble(width, height, zlib.deflateSync(scanlines(rgb, width, height, 1), { level: 1, strategy: zlib.constants.Z_RLE }));
}

/** PNG scanlines: each row prefixed by its filter type, 0 (None) or 1 (Sub: byte − the byte 3 to its left). */
function scanlines(rgb: Uint8Array, width: number, height: number, filter: 0 | 1): Buffer {
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const o = y * stride;
    const src = y * width * 3;
    raw[o] = filter;
    if (filter === 0) {
      raw.set(rgb.subarray(src, src + width * 3), o + 1);
      continue;
    }
    for (let i = 0; i < 3 && i < width * 3; i++) raw[o + 1 + i] = rgb[src + i];
    for (let i = 3; i < width * 3; i++) raw[o + 1 + i] = (rgb[src + i] - rgb[src + i - 3]) & 255;
  }
  return raw;
}

function assemble(width: number, height: number, idat: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Decodes an 8-bit RGB PNG with row filters None, Sub or Up (what encodePng / encodePngFast write). */
export function decodePng(png: Buffer): { width: number; height: number; rgb: Uint8Array } {
  let off = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('ascii', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
    } else if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const rgb = new Uint8Array(width * height * 3);
  const row = width * 3;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (row + 1)];
    const src = raw.subarray(y * (row + 1) + 1, (y + 1) * (row + 1));
    const o = y * row;
    for (let i = 0; i < row; i++) {
      const left = i >= 3 ? rgb[o + i - 3] : 0;
      const up = y > 0 ? rgb[o - row + i] : 0;
      if (filter === 0) rgb[o + i] = src[i];
      else if (filter === 1) rgb[o + i] = (src[i] + left) & 255;
      else if (filter === 2) rgb[o + i] = (src[i] + up) & 255;
      else throw new Error(`PNG row filter ${filter} is not supported here`);
    }
  }
  return { width, height, rgb };
}
