/**
 * Helpers for the pcap tests only (imported by `*.test.ts`, never by the library): drain a
 * reader into plain copies, feed it in odd-sized chunks, and build pcapng blocks by hand.
 */

import { type ByteSource, bytesSource } from '../pcap/byte-source.js';
import { openCapture } from '../pcap/capture.js';
import type { CaptureRecord } from '../pcap/record.js';
import { WireError } from '../wire/error.js';

/** A record copied out of the reader's shared object (its own `data`, no window). */
export type RecordCopy = Omit<CaptureRecord, 'window' | 'dataStart' | 'dataEnd'>;

/** What draining a capture gave: every record, then the error that stopped it (if any). */
export interface Drained {
  records: RecordCopy[];
  error: WireError | undefined;
  /** Calls to `nextShared()` made, the last one included. */
  calls: number;
}

/** Copies every field of a shared record. */
function copyRecord(record: CaptureRecord): RecordCopy {
  return {
    data: record.data.slice(),
    linkType: record.linkType,
    tsSec: record.tsSec,
    tsNsec: record.tsNsec,
    tsDigits: record.tsDigits,
    origLen: record.origLen,
    interfaceId: record.interfaceId,
    fileOffset: record.fileOffset,
  };
}

/**
 * Opens `bytes` (through `source` if given) and reads to the end or the first WireError;
 * anything else thrown propagates, and more than `maxCalls` calls fail the test.
 */
export function drain(
  bytes: Uint8Array,
  source: ByteSource = bytesSource(bytes),
  maxCalls = Number.POSITIVE_INFINITY,
): Drained {
  const records: RecordCopy[] = [];
  let calls = 0;
  try {
    const reader = openCapture(source);
    for (;;) {
      calls++;
      if (calls > maxCalls) throw new Error(`reader did not stop within ${maxCalls} calls`);
      const record = reader.nextShared();
      if (record === null) return { records, error: undefined, calls };
      records.push(copyRecord(record));
    }
  } catch (error) {
    if (error instanceof WireError) return { records, error, calls };
    throw error;
  }
}

/** A source that hands out at most `sizes[i % sizes.length]` bytes on its i-th read. */
export function chunkedSource(bytes: Uint8Array, sizes: readonly number[]): ByteSource {
  const inner = bytesSource(bytes);
  let reads = 0;
  return {
    read(into: Uint8Array, offset: number, length: number): number {
      const size = sizes[reads++ % sizes.length] ?? length;
      return inner.read(into, offset, Math.min(length, Math.max(1, size)));
    },
  };
}

/** Concatenates byte arrays. */
export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

/** A 32-bit field in the given byte order. */
export function u32(value: number, littleEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value >>> 0, littleEndian);
  return bytes;
}

/** A 16-bit field in the given byte order. */
export function u16(value: number, littleEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(2);
  new DataView(bytes.buffer).setUint16(0, value, littleEndian);
  return bytes;
}

/** A pcapng block written independently of the library: type, length, padded body, length. */
export function block(type: number, body: Uint8Array, littleEndian: boolean): Uint8Array {
  const padding = (4 - (body.length % 4)) % 4;
  const length = 12 + body.length + padding;
  return concat(
    u32(type, littleEndian),
    u32(length, littleEndian),
    body,
    new Uint8Array(padding),
    u32(length, littleEndian),
  );
}

/** A pcapng option (code, length, padded value). */
export function option(code: number, value: Uint8Array, littleEndian: boolean): Uint8Array {
  const padding = (4 - (value.length % 4)) % 4;
  return concat(
    u16(code, littleEndian),
    u16(value.length, littleEndian),
    value,
    new Uint8Array(padding),
  );
}

/** A DataView over `bytes`, to patch fields of a valid file. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
