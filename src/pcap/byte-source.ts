/**
 * Where capture readers pull bytes from and writers push them to. Both ends are synchronous and
 * do no I/O here: the file-descriptor implementations live outside `pcap/`.
 */

/** Where a reader pulls bytes from; synchronous; returns 0 at end of input. */
export interface ByteSource {
  /** Copies up to `length` bytes into `into` at `offset`; returns how many (0 only at the end). */
  read(into: Uint8Array, offset: number, length: number): number;
}

/** Where a writer pushes bytes. */
export interface ByteSink {
  /** Consumes `bytes`; a view into the writer's reused buffer, so copy it before keeping it. */
  write(bytes: Uint8Array): void;
}

/** A source over bytes already in memory, for tests and in-memory use; copies nothing up front. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  let position = 0;
  return {
    read(into: Uint8Array, offset: number, length: number): number {
      const count = Math.min(length, bytes.length - position);
      into.set(bytes.subarray(position, position + count), offset);
      position += count;
      return count;
    },
  };
}

/** A sink that keeps a copy of everything written, for tests and in-memory use. */
export class MemorySink implements ByteSink {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  write(bytes: Uint8Array): void {
    this.chunks.push(bytes.slice());
    this.length += bytes.length;
  }

  /** Everything written so far, joined into one new array. */
  bytes(): Uint8Array {
    const all = new Uint8Array(this.length);
    let at = 0;
    for (const chunk of this.chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    return all;
  }
}

/** Bytes a writer collects before pushing them to its sink in one `write`. */
const BATCH_LEN = 256 * 1024;

/**
 * A writer's reusable output window: records are encoded in place and pushed to the sink in
 * batches, so writing a million small records costs a few hundred `write` calls, not a million.
 */
export class OutputBuffer {
  /** The window; valid from `reserve()` until the next `reserve()` or `flush()`. */
  bytes: Uint8Array;
  /** A view over `bytes`, for multi-byte fields. */
  view: DataView;
  /** Where the next reserved bytes start. */
  pos = 0;
  private readonly sink: ByteSink;

  constructor(sink: ByteSink) {
    this.sink = sink;
    this.bytes = new Uint8Array(BATCH_LEN);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Makes room for `length` bytes at `pos` (flushing or growing) and returns `pos`. */
  reserve(length: number): number {
    if (this.pos + length > this.bytes.length) {
      this.flush();
      if (length > this.bytes.length) {
        this.bytes = new Uint8Array(length);
        this.view = new DataView(this.bytes.buffer);
      }
    }
    return this.pos;
  }

  /** Pushes everything encoded so far to the sink. */
  flush(): void {
    if (this.pos > 0) this.sink.write(this.bytes.subarray(0, this.pos));
    this.pos = 0;
  }
}
