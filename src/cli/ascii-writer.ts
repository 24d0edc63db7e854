import type { OutputSink } from '../io/output.js';

const CHUNK = 1 << 20;
const COLON = 0x3a;
const DOT = 0x2e;
const ZERO = 0x30;
const HEX = new TextEncoder().encode('0123456789abcdef');
const UTF8 = new TextEncoder();

/**
 * Writes ASCII text straight into a 1 MiB byte buffer and hands it to the sink when full:
 * MACs and IPv4 addresses are copied from the frame's bytes without making strings, which is
 * what lets `arpkit decode` print millions of lines a second.
 */
export class AsciiWriter {
  private readonly buffer = new Uint8Array(CHUNK);
  private pos = 0;

  constructor(private readonly sink: OutputSink) {}

  /** Makes room for `n` more bytes (`n` ≤ 1 MiB). */
  private room(n: number): void {
    if (this.pos + n > CHUNK) this.flush();
  }

  /** A literal made once with `ascii()`. */
  literal(codes: AsciiLiteral): void {
    const n = codes.length;
    this.room(n);
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buffer[pos++] = codes[i]!;
    this.pos = pos;
  }

  /** Bytes that are already encoded (UTF-8). */
  bytes(encoded: Uint8Array): void {
    if (encoded.length > CHUNK) {
      this.flush();
      this.sink.write(encoded);
      return;
    }
    this.room(encoded.length);
    this.buffer.set(encoded, this.pos);
    this.pos += encoded.length;
  }

  /** Any string; ASCII is copied byte by byte, anything else goes through UTF-8. */
  text(value: string): void {
    const n = value.length;
    if (n > 256) {
      this.long(value);
      return;
    }
    this.room(n * 3);
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < n; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) {
        this.pos = pos;
        this.bytes(UTF8.encode(value.slice(i)));
        return;
      }
      buffer[pos++] = code;
    }
    this.pos = pos;
  }

  /** A string too long to copy by hand: encoded into the buffer when it surely fits. */
  private long(value: string): void {
    // UTF-8 takes at most three bytes per UTF-16 unit.
    if (value.length * 3 > CHUNK) {
      this.bytes(UTF8.encode(value));
      return;
    }
    this.room(value.length * 3);
    this.pos += UTF8.encodeInto(value, this.buffer.subarray(this.pos)).written;
  }

  /** One byte (an ASCII character code). */
  char(code: number): void {
    this.room(1);
    this.buffer[this.pos++] = code;
  }

  /** A non-negative integer in decimal. */
  uint(value: number): void {
    if (value > 0x7fff_ffff) {
      this.text(String(value));
      return;
    }
    let width = 1;
    for (let limit = 10; value >= limit && width < 10; limit *= 10) width++;
    this.padded(value, width);
  }

  /** `value` (below 2^31) in exactly `width` decimal digits, zero-padded (a time fraction). */
  padded(value: number, width: number): void {
    this.room(width);
    const buffer = this.buffer;
    const start = this.pos;
    let rest = value | 0;
    for (let i = start + width - 1; i >= start; i--) {
      const next = (rest / 10) | 0;
      buffer[i] = ZERO + rest - next * 10;
      rest = next;
    }
    this.pos = start + width;
  }

  /** `length` bytes of `source` from `at` as colon-separated hex: a MAC when `length` is 6. */
  hexColons(source: Uint8Array, at: number, length: number): void {
    this.room(length * 3);
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < length; i++) {
      if (i > 0) buffer[pos++] = COLON;
      const b = source[at + i]!;
      buffer[pos++] = HEX[b >>> 4]!;
      buffer[pos++] = HEX[b & 15]!;
    }
    this.pos = pos;
  }

  /** A MAC held as a number (see `Mac`), as `00:11:22:aa:bb:cc`. */
  mac(value: number): void {
    this.room(17);
    const buffer = this.buffer;
    let pos = this.pos;
    const hi = Math.floor(value / 0x1_0000_0000);
    const lo = value >>> 0;
    buffer[pos] = HEX[hi >>> 12]!;
    buffer[pos + 1] = HEX[(hi >>> 8) & 15]!;
    buffer[pos + 2] = COLON;
    buffer[pos + 3] = HEX[(hi >>> 4) & 15]!;
    buffer[pos + 4] = HEX[hi & 15]!;
    pos += 5;
    for (let shift = 28; shift >= 0; shift -= 8) {
      buffer[pos] = COLON;
      buffer[pos + 1] = HEX[(lo >>> shift) & 15]!;
      buffer[pos + 2] = HEX[(lo >>> (shift - 4)) & 15]!;
      pos += 3;
    }
    this.pos = pos;
  }

  /** Four bytes of `source` from `at` as a dotted quad. */
  ipv4(source: Uint8Array, at: number): void {
    this.room(15);
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < 4; i++) {
      if (i > 0) buffer[pos++] = DOT;
      const b = source[at + i]!;
      if (b >= 100) buffer[pos++] = ZERO + Math.floor(b / 100);
      if (b >= 10) buffer[pos++] = ZERO + (Math.floor(b / 10) % 10);
      buffer[pos++] = ZERO + (b % 10);
    }
    this.pos = pos;
  }

  /** Hands everything written so far to the sink. */
  flush(): void {
    if (this.pos === 0) return;
    this.sink.write(this.buffer.subarray(0, this.pos));
    this.pos = 0;
  }
}

/**
 * A short piece of ASCII text as character codes: a plain array of small integers copies into
 * the buffer about twice as fast as a Uint8Array does.
 */
export type AsciiLiteral = readonly number[];

/** Makes an `AsciiLiteral` once, for `AsciiWriter.literal`; throws on non-ASCII text. */
export function ascii(text: string): AsciiLiteral {
  const codes = Array.from(text, (char) => char.charCodeAt(0));
  if (codes.some((code) => code >= 0x80)) throw new RangeError(`ascii(): not ASCII: ${text}`);
  return codes;
}
