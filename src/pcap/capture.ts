import { WireError } from '../wire/error.js';
import type { ByteSource } from './byte-source.js';
import { BlockType } from './constants.js';
import { InputBuffer } from './input-buffer.js';
import { hex32, isPcapMagic, PcapReader } from './pcap-reader.js';
import { PcapngReader } from './pcapng-reader.js';
import type { CaptureReader, CaptureRecord } from './record.js';

/** Bytes that tell a classic pcap file from a pcapng one. */
const MAGIC_LEN = 4;

/**
 * Opens a capture by its first four bytes: one of the four classic pcap magics or a pcapng
 * Section Header Block. Throws a WireError: `truncated` for an empty or shorter-than-magic
 * input, `unsupported` naming the magic in hex for anything else, or whatever the file header
 * of the chosen format fails with.
 */
export function openCapture(source: ByteSource): PcapReader | PcapngReader {
  const input = new InputBuffer(source);
  const have = input.fill(MAGIC_LEN);
  if (have === 0) {
    throw new WireError(
      { kind: 'truncated', layer: 'pcap', offset: 0, got: '0 bytes' },
      'empty file',
    );
  }
  if (have < MAGIC_LEN) {
    throw new WireError(
      {
        kind: 'truncated',
        layer: 'pcap',
        offset: 0,
        got: `${have} bytes`,
        expected: `${MAGIC_LEN}`,
      },
      'magic',
    );
  }
  const magic = input.view.getUint32(input.pos, false);
  if (magic === BlockType.SECTION_HEADER) return new PcapngReader(input);
  if (isPcapMagic(magic)) return new PcapReader(input);
  throw new WireError(
    { kind: 'unsupported', layer: 'pcap', offset: 0, got: hex32(magic) },
    'magic: not a pcap or pcapng file',
  );
}

/**
 * Yields every record of `reader` until a clean end; each yielded record is the reader's shared
 * object, overwritten when the next one is pulled. A fault throws from the loop that iterates.
 */
export function* recordsShared(reader: CaptureReader): Generator<CaptureRecord, void, undefined> {
  for (let record = reader.nextShared(); record !== null; record = reader.nextShared()) {
    yield record;
  }
}
