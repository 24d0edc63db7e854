import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { colourDistance, crc32, decodePng, parseHexColour, pixelAt } from './png.js';

/** One PNG chunk: length, type, data, CRC over type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** The Paeth predictor, written out again so the encoder does not share the decoder's. */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

interface EncodeOptions {
  /** Filter type of each row, cycled. */
  readonly filters: readonly number[];
  /** IHDR overrides: bit depth, colour type, interlace method. */
  readonly depth?: number;
  readonly colourType?: number;
  readonly interlace?: number;
  /** Split the image data into IDAT chunks of this many bytes. */
  readonly idatSize?: number;
}

/** A tiny PNG encoder: `pixels` holds rows of RGB or RGBA, filtered as `options.filters` says. */
function encodePng(
  width: number,
  height: number,
  channels: 3 | 4,
  pixels: Uint8Array,
  options: EncodeOptions,
): Uint8Array {
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const filter = options.filters[y % options.filters.length] ?? 0;
    raw[y * (stride + 1)] = filter;
    for (let i = 0; i < stride; i++) {
      const at = (yy: number, ii: number) =>
        yy < 0 || ii < 0 ? 0 : (pixels[yy * stride + ii] ?? 0);
      const [x, a, b, c] = [at(y, i), at(y, i - channels), at(y - 1, i), at(y - 1, i - channels)];
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter] ?? 0;
      raw[y * (stride + 1) + 1 + i] = (x - predictor) & 0xff;
    }
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set(
    [
      options.depth ?? 8,
      options.colourType ?? (channels === 4 ? 6 : 2),
      0,
      0,
      options.interlace ?? 0,
    ],
    8,
  );
  const data = deflateSync(raw);
  const size = options.idatSize ?? data.length;
  const idats: Uint8Array[] = [];
  for (let o = 0; o < data.length; o += size) idats.push(chunk('IDAT', data.subarray(o, o + size)));
  const signature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
  const text = chunk('tEXt', Buffer.from('Comment\0skipped', 'latin1'));
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    text,
    ...idats,
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Deterministic noise, so every filter sees varied neighbours. */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** The pixels as RGBA, the way the decoder returns them. */
function toRgba(pixels: Uint8Array, channels: 3 | 4): Uint8Array {
  if (channels === 4) return pixels;
  const out = new Uint8Array((pixels.length / 3) * 4);
  for (let p = 0; p < pixels.length / 3; p++)
    out.set([pixels[p * 3] ?? 0, pixels[p * 3 + 1] ?? 0, pixels[p * 3 + 2] ?? 0, 255], p * 4);
  return out;
}

describe('decodePng', () => {
  for (const channels of [3, 4] as const) {
    for (const filter of [0, 1, 2, 3, 4]) {
      test(`decodes ${channels === 3 ? 'RGB' : 'RGBA'} rows with filter type ${filter}`, () => {
        const [width, height] = [7, 5];
        const pixels = noise(width * height * channels, filter * 31 + channels);
        const image = decodePng(encodePng(width, height, channels, pixels, { filters: [filter] }));
        assert.equal(image.width, width);
        assert.equal(image.height, height);
        assert.deepEqual(image.rgba, toRgba(pixels, channels));
      });
    }
  }

  test('decodes rows with mixed filters over several IDAT chunks', () => {
    const [width, height] = [33, 17];
    const pixels = noise(width * height * 3, 7);
    const png = encodePng(width, height, 3, pixels, { filters: [4, 0, 3, 1, 2], idatSize: 50 });
    const image = decodePng(png);
    assert.deepEqual(image.rgba, toRgba(pixels, 3));
    assert.deepEqual(pixelAt(image, 32, 16), [...pixels.subarray(-3)]);
    assert.deepEqual(pixelAt(image, 1, 0), [...pixels.subarray(3, 6)]);
  });

  test('refuses what it does not support, naming it', () => {
    const pixels = noise(4 * 4 * 3, 1);
    const good = encodePng(4, 4, 3, pixels, { filters: [1] });
    const cases: [string, Uint8Array, RegExp][] = [
      ['signature', Uint8Array.of(1, 2, 3), /bad signature/],
      [
        '16-bit',
        encodePng(4, 4, 3, pixels, { filters: [0], depth: 16 }),
        /bit depth 16 colour type 2/,
      ],
      ['palette', encodePng(4, 4, 3, pixels, { filters: [0], colourType: 3 }), /colour type 3/],
      ['interlaced', encodePng(4, 4, 3, pixels, { filters: [0], interlace: 1 }), /interlaced/],
      ['filter 5', encodePng(4, 4, 3, pixels, { filters: [5] }), /row 0 has filter type 5/],
      ['truncated', good.subarray(0, good.length - 20), /truncated|past the end/],
    ];
    const corrupt = Uint8Array.from(good);
    corrupt[20] = (corrupt[20] ?? 0) ^ 0xff; // inside IHDR's data
    cases.push(['crc', corrupt, /IHDR chunk at offset 8 has a bad CRC/]);
    for (const [name, png, message] of cases) assert.throws(() => decodePng(png), message, name);
  });
});

describe('colours', () => {
  test('parse and compare', () => {
    assert.deepEqual(parseHexColour('#1C64b4'), [0x1c, 0x64, 0xb4]);
    assert.throws(() => parseHexColour('blue'), /not a #rrggbb colour: "blue"/);
    assert.equal(colourDistance([10, 20, 30], [13, 18, 30]), 3);
  });

  test('crc32 matches the check value of ISO 3309', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  });
});
