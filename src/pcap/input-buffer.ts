import type { ByteSource } from './byte-source.js';
import { MAX_RECORD_LEN } from './constants.js';

/** The window a reader starts with: big enough that refills are rare, small enough to ignore. */
const INITIAL_WINDOW = 1024 * 1024;
/** The window never grows past this: the largest record or block plus its record header. */
const MAX_WINDOW = MAX_RECORD_LEN + 64;

/**
 * A chunked input window shared by the pcap and pcapng readers.
 *
 * Bytes are read from the source into one reusable window; `fill()` compacts the unread tail to
 * the front and refills behind it. The window grows only when one record or block is larger than
 * it, up to `MAX_WINDOW`, so memory stays constant over a multi-gigabyte file. Readers decode in
 * place through `bytes` and `view` at `pos`, and track file offsets through `fileOffset()`.
 */
export class InputBuffer {
  /** The window; its contents move on `fill()`, so views into it are valid until then. */
  bytes: Uint8Array;
  /** A view over the whole window (replaced when the window grows). */
  view: DataView;
  /** Index in `bytes` of the first unread byte. */
  pos = 0;
  /** Index in `bytes` one past the last byte read from the source. */
  end = 0;
  private readonly source: ByteSource;
  /** File offset of `bytes[0]`. */
  private base = 0;
  private atEnd = false;

  constructor(source: ByteSource) {
    this.source = source;
    this.bytes = new Uint8Array(INITIAL_WINDOW);
    this.view = new DataView(this.bytes.buffer);
  }

  /** File offset of the byte at window index `index`. */
  fileOffset(index: number): number {
    return this.base + index;
  }

  /**
   * Makes `need` unread bytes available at `pos` if the source still has them, and returns how
   * many are available: fewer than `need` only at the end of input. May move `pos`, `bytes` and
   * `view`, so callers reload them afterwards. Callers bound `need` by `MAX_RECORD_LEN` first.
   */
  fill(need: number): number {
    const have = this.end - this.pos;
    if (have >= need || this.atEnd) return have;
    if (need > this.bytes.length) this.grow(need);
    if (this.pos + need > this.bytes.length) this.compact();
    while (this.end - this.pos < need) {
      const count = this.source.read(this.bytes, this.end, this.bytes.length - this.end);
      if (count === 0) {
        this.atEnd = true;
        break;
      }
      this.end += count;
    }
    return this.end - this.pos;
  }

  /** Moves the unread bytes to the front of the window. */
  private compact(): void {
    this.bytes.copyWithin(0, this.pos, this.end);
    this.base += this.pos;
    this.end -= this.pos;
    this.pos = 0;
  }

  /** Replaces the window by one of at least `need` bytes, keeping only the unread bytes. */
  private grow(need: number): void {
    const size = Math.min(MAX_WINDOW, Math.max(need, this.bytes.length * 2));
    const bytes = new Uint8Array(size);
    bytes.set(this.bytes.subarray(this.pos, this.end));
    this.base += this.pos;
    this.end -= this.pos;
    this.pos = 0;
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer);
  }
}
