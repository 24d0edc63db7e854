/**
 * A small PNG decoder for the browser tests' screenshots: 8-bit RGB or RGBA, non-interlaced,
 * filter types 0–4 (PNG spec, ISO/IEC 15948 §9–§11). Anything else is refused with a message
 * naming what was found; it is a test helper, not a general image library.
 */
import { inflateSync } from 'node:zlib';

/** A decoded image, always as RGBA (alpha 255 when the file had none), rows top to bottom. */
export interface PngImage {
  readonly width: number;
  readonly height: number;
  /** `width * height * 4` bytes: R, G, B, A per pixel. */
  readonly rgba: Uint8Array;
}

/** An RGB colour, 0–255 per channel. */
export type Rgb = readonly [r: number, g: number, b: number];

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** Bytes per pixel by IHDR colour type (§11.2.2): 2 = truecolour, 6 = truecolour with alpha. */
const CHANNELS: Readonly<Record<number, 3 | 4>> = Object.freeze({ 2: 3, 6: 4 });

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309) as PNG chunks use it, over the chunk type and data (§5.5). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The Paeth predictor (§9.4). */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes a whole PNG file; throws an Error naming the problem on anything unsupported. */
export function decodePng(file: Uint8Array): PngImage {
  if (file.length < 8 || SIGNATURE.some((byte, i) => file[i] !== byte)) {
    throw new Error('png: not a PNG file (bad signature)');
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let width = 0;
  let height = 0;
  let channels: 3 | 4 | undefined;
  const idat: Uint8Array[] = [];
  let offset = 8;
  for (;;) {
    if (offset + 12 > file.length) throw new Error(`png: truncated chunk at offset ${offset}`);
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...file.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (end > file.length)
      throw new Error(`png: ${type} chunk runs past the end (${length} bytes)`);
    const data = file.subarray(offset + 8, offset + 8 + length);
    const crc = view.getUint32(offset + 8 + length);
    if (crc32(file.subarray(offset + 4, offset + 8 + length)) !== crc) {
      throw new Error(`png: ${type} chunk at offset ${offset} has a bad CRC`);
    }
    if (type === 'IHDR') {
      if (length !== 13) throw new Error(`png: IHDR is ${length} bytes, expected 13`);
      const ihdr = new DataView(data.buffer, data.byteOffset, data.byteLength);
      width = ihdr.getUint32(0);
      height = ihdr.getUint32(4);
      const [depth, colourType, , , interlace] = data.subarray(8);
      channels = CHANNELS[colourType ?? -1];
      if (depth !== 8 || channels === undefined) {
        throw new Error(`png: bit depth ${depth} colour type ${colourType} (want 8-bit RGB/RGBA)`);
      }
      if (interlace !== 0) throw new Error('png: interlaced images are not supported');
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    offset = end;
  }
  if (channels === undefined) throw new Error('png: no IHDR chunk');
  return {
    width,
    height,
    rgba: unfilter(inflateSync(Buffer.concat(idat)), width, height, channels),
  };
}

/** Reverses the per-row filters (§9.2) and widens to RGBA. */
function unfilter(raw: Uint8Array, width: number, height: number, bpp: 3 | 4): Uint8Array {
  const stride = width * bpp;
  if (raw.length < height * (stride + 1)) {
    throw new Error(`png: image data is ${raw.length} bytes, expected ${height * (stride + 1)}`);
  }
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  let row = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const start = y * (stride + 1) + 1;
    const filter = raw[start - 1];
    for (let i = 0; i < stride; i++) {
      const x = raw[start + i] ?? 0;
      const a = i >= bpp ? (row[i - bpp] ?? 0) : 0;
      const b = prev[i] ?? 0;
      const c = i >= bpp ? (prev[i - bpp] ?? 0) : 0;
      switch (filter) {
        case 0:
          row[i] = x;
          break;
        case 1:
          row[i] = x + a;
          break;
        case 2:
          row[i] = x + b;
          break;
        case 3:
          row[i] = x + ((a + b) >> 1);
          break;
        case 4:
          row[i] = x + paeth(a, b, c);
          break;
        default:
          throw new Error(`png: row ${y} has filter type ${filter} (want 0–4)`);
      }
    }
    for (let px = 0; px < width; px++) {
      const o = (y * width + px) * 4;
      out[o] = row[px * bpp] ?? 0;
      out[o + 1] = row[px * bpp + 1] ?? 0;
      out[o + 2] = row[px * bpp + 2] ?? 0;
      out[o + 3] = bpp === 4 ? (row[px * bpp + 3] ?? 0) : 255;
    }
    [prev, row] = [row, prev];
  }
  return out;
}

/** The RGB colour of one pixel (x from the left, y from the top). */
export function pixelAt(image: PngImage, x: number, y: number): Rgb {
  const o = (y * image.width + x) * 4;
  return [image.rgba[o] ?? 0, image.rgba[o + 1] ?? 0, image.rgba[o + 2] ?? 0];
}

/** The largest per-channel difference between two colours. */
export function colourDistance(a: Rgb, b: Rgb): number {
  return Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));
}

/** `#rrggbb` as an RGB triple. */
export function parseHexColour(hex: string): Rgb {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (match === null) throw new Error(`not a #rrggbb colour: ${JSON.stringify(hex)}`);
  return [parseInt(match[1] ?? '', 16), parseInt(match[2] ?? '', 16), parseInt(match[3] ?? '', 16)];
}
