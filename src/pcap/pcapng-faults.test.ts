import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hex } from '../testing/bytes.js';
import { block, concat, drain, option, u16, u32, viewOf } from '../testing/pcap-kit.js';
import { bytesSource, MemorySink } from './byte-source.js';
import { BlockType, OptionCode } from './constants.js';
import { InputBuffer } from './input-buffer.js';
import { PcapngReader } from './pcapng-reader.js';
import { PcapngWriter } from './pcapng-writer.js';

/** A valid file: SHB at 0, IDB at 28 (32 bytes), EPB at 60 and 96 (36 bytes each), little-endian. */
function valid(): Uint8Array {
  const sink = new MemorySink();
  const writer = new PcapngWriter(sink);
  const id = writer.addInterface({ linkType: 1, tsresol: 9 });
  writer.writePacket(id, hex('aabbccdd'), 1_700_000_000, 5);
  writer.writePacket(id, hex('01020304'), 1_700_000_001, 6);
  writer.flush();
  return sink.bytes();
}

const SHB = valid().subarray(0, 28);
const IDB_AT = 28;
const EPB_AT = 60;
const EPB2_AT = 96;

type Case = readonly [
  name: string,
  patch: (v: DataView) => void,
  kind: string,
  offset: number,
  records: number,
];

const PATCHES: readonly Case[] = [
  ['block length 0', (v) => v.setUint32(IDB_AT + 4, 0, true), 'malformed', IDB_AT + 4, 0],
  ['block length 7', (v) => v.setUint32(IDB_AT + 4, 7, true), 'malformed', IDB_AT + 4, 0],
  [
    'block length not a multiple of 4',
    (v) => v.setUint32(IDB_AT + 4, 34, true),
    'malformed',
    IDB_AT + 4,
    0,
  ],
  [
    'block length above 16 MiB',
    (v) => v.setUint32(EPB_AT + 4, 0x7fff_fffc, true),
    'malformed',
    EPB_AT + 4,
    0,
  ],
  [
    'block length of all ones',
    (v) => v.setUint32(EPB2_AT + 4, 0xffff_ffff, true),
    'malformed',
    EPB2_AT + 4,
    1,
  ],
  [
    'trailing length differs',
    (v) => v.setUint32(IDB_AT + 28, 36, true),
    'malformed',
    IDB_AT + 28,
    0,
  ],
  [
    'EPB trailing length differs',
    (v) => v.setUint32(EPB2_AT + 32, 32, true),
    'malformed',
    EPB2_AT + 32,
    1,
  ],
  ['unknown interface id', (v) => v.setUint32(EPB_AT + 8, 1, true), 'malformed', EPB_AT + 8, 0],
  [
    'EPB caplen beyond its block',
    (v) => v.setUint32(EPB_AT + 20, 5, true),
    'malformed',
    EPB_AT + 20,
    0,
  ],
  [
    'EPB caplen above origLen',
    (v) => v.setUint32(EPB2_AT + 24, 3, true),
    'malformed',
    EPB2_AT + 20,
    1,
  ],
  ['bad byte-order magic', (v) => v.setUint32(8, 0x1a2b3c4e, true), 'malformed', 8, 0],
  ['section major version 2', (v) => v.setUint16(12, 2, true), 'unsupported', 12, 0],
  ['bad file magic', (v) => v.setUint32(0, 0x0a0d0d0b, true), 'unsupported', 0, 0],
];

function assertFault(bytes: Uint8Array, kind: string, offset: number, records: number): void {
  const result = drain(bytes);
  assert.equal(result.records.length, records, 'records before the fault');
  assert.ok(result.error, 'expected a WireError');
  assert.equal(result.error.kind, kind, result.error.message);
  assert.equal(result.error.offset, offset, result.error.message);
}

/** SHB, then `blocks`, little-endian. */
function file(...blocks: Uint8Array[]): Uint8Array {
  return concat(SHB, ...blocks);
}

function idb(...options: Uint8Array[]): Uint8Array {
  return block(
    BlockType.INTERFACE_DESCRIPTION,
    concat(hex('0100 0000 00000000'), ...options),
    true,
  );
}

describe('pcapng reader faults', () => {
  test('the valid file reads', () => {
    assert.equal(drain(valid()).records.length, 2);
    assert.equal(drain(valid()).error, undefined);
  });

  for (const [name, patch, kind, offset, records] of PATCHES) {
    test(name, () => {
      const bytes = valid();
      patch(viewOf(bytes));
      assertFault(bytes, kind, offset, records);
      assert.equal(drain(bytes).error?.layer, offset === 0 ? 'pcap' : 'pcapng');
    });
  }

  test('IDB shorter than its fixed fields', () => {
    assertFault(
      file(block(BlockType.INTERFACE_DESCRIPTION, hex('01000000'), true)),
      'malformed',
      32,
      0,
    );
  });

  test('EPB shorter than its fixed fields', () => {
    assertFault(
      file(idb(), block(BlockType.ENHANCED_PACKET, hex('00000000'), true)),
      'malformed',
      28 + 20 + 4,
      0,
    );
  });

  test('an option running past its block', () => {
    const overrun = concat(u16(OptionCode.IF_TSRESOL, true), u16(200, true), hex('06000000'));
    assertFault(file(idb(overrun)), 'malformed', 28 + 16, 0);
  });

  test('a simple packet before any interface', () => {
    assertFault(file(block(BlockType.SIMPLE_PACKET, hex('01000000 aa'), true)), 'malformed', 28, 0);
  });

  test('seconds beyond 2^53 (if_tsresol 10^0 with a 2^63 stamp)', () => {
    const iface = idb(option(OptionCode.IF_TSRESOL, hex('00'), true), u32(0, true));
    const body = concat(
      u32(0, true),
      u32(0x8000_0000, true),
      u32(0, true),
      u32(0, true),
      u32(0, true),
    );
    assertFault(
      file(iface, block(BlockType.ENHANCED_PACKET, body, true)),
      'unsupported',
      28 + iface.length + 12,
      0,
    );
  });

  test('a block before any section header, read directly', () => {
    const reader = new PcapngReader(new InputBuffer(bytesSource(idb())));
    assert.throws(
      () => reader.nextShared(),
      (e: unknown) => e instanceof Error && 'kind' in e && e.kind === 'malformed',
    );
  });

  test('an if_tsoffset beyond 2^53 seconds', () => {
    const offset = option(OptionCode.IF_TSOFFSET, hex('00000000 00000001'), true);
    assertFault(file(idb(offset, u32(0, true))), 'unsupported', 28 + 16 + 4, 0);
  });
});
