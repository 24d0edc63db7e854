import { needBytes, WireError } from './error.js';

const EMPTY = new Uint8Array(0);
const EMPTY_VIEW = new DataView(EMPTY.buffer);

/**
 * What every protocol view shares: the array it points into, where its layer starts, how many
 * bytes from there belong to it (payload and padding included), and a DataView over the array.
 *
 * A view can be re-pointed at the next frame (`rebindShared` in each subclass) so a capture loop
 * decodes millions of frames without allocating: such a view aliases the caller's buffer and is
 * only valid until it is re-pointed. The DataView is rebuilt only when the array changes.
 */
export abstract class ByteView {
  protected constructor() {}

  private array: Uint8Array = EMPTY;
  private start = 0;
  private size = 0;
  /** Reads and writes fields; indexes are absolute in `bytes`, so add `offset`. */
  protected view: DataView = EMPTY_VIEW;

  /** The whole array this view points into (not only this layer's bytes). */
  get bytes(): Uint8Array {
    return this.array;
  }

  /** Index in `bytes` where this layer starts. */
  get offset(): number {
    return this.start;
  }

  /** Bytes from `offset` that belong to this layer and what it carries. */
  get length(): number {
    return this.size;
  }

  /** Index in `bytes` one past this layer's last byte. */
  get end(): number {
    return this.start + this.size;
  }

  /**
   * Throws unless `bytes[offset, offset + length)` lies inside `bytes` (`truncated` for `layer`,
   * `malformed` for a negative or fractional bound). Every `checked`, `unchecked` and
   * `rebindShared` calls it before reading a byte; what the layer's own fields need is theirs.
   */
  protected checkBounds(layer: string, bytes: Uint8Array, offset: number, length: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0) {
      throw new WireError(
        {
          kind: 'malformed',
          layer,
          offset,
          got: `length ${length}`,
          expected: 'non-negative integers',
        },
        'view bounds',
      );
    }
    needBytes(layer, 0, bytes.length - offset, length);
  }

  /** Points this view at `bytes[offset, offset + length)`; `checkBounds` has passed. */
  protected point(bytes: Uint8Array, offset: number, length: number): void {
    if (bytes !== this.array) {
      this.array = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    this.start = offset;
    this.size = length;
  }
}
