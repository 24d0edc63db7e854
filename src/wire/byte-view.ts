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

  /** Points this view at `bytes[offset, offset + length)` without checking anything. */
  protected point(bytes: Uint8Array, offset: number, length: number): void {
    if (bytes !== this.array) {
      this.array = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    this.start = offset;
    this.size = length;
  }
}
