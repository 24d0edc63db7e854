import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hex } from '../testing/bytes.js';
import {
  block,
  chunkedSource,
  concat,
  drain,
  option,
  type RecordCopy,
  u16,
  u32,
} from '../testing/pcap-kit.js';
import { bytesSource, MemorySink } from './byte-source.js';
import { openCapture } from './capture.js';
import { BlockType, LinkType, MAX_INTERFACES_PER_SECTION, OptionCode } from './constants.js';
import { PcapngReader } from './pcapng-reader.js';
import { PcapngWriter } from './pcapng-writer.js';

/** SHB, two IDBs (Ethernet µs; Linux cooked ns named eth0), one EPB on each; little-endian. */
const LITTLE = hex(`
  # SHB at 0
  0a0d0d0a            # block type: Section Header
  1c000000            # total length 28
  4d3c2b1a            # byte-order magic 1a2b3c4d: little-endian
  0100 0000           # version 1.0
  ffffffff ffffffff   # section length: not given
  1c000000            # total length 28
  # IDB at 28 (interface 0)
  01000000            # block type: Interface Description
  20000000            # total length 32
  0100 0000           # link type 1 (Ethernet), reserved
  00000000            # snaplen 0: no limit
  0900 0100 06000000  # if_tsresol, length 1: 10^-6 s, padding
  0000 0000           # opt_endofopt
  20000000            # total length 32
  # IDB at 60 (interface 1)
  01000000            # block type: Interface Description
  28000000            # total length 40
  7100 0000           # link type 113 (LINUX_SLL), reserved
  00000000            # snaplen 0
  0200 0400 65746830  # if_name, length 4: "eth0"
  0900 0100 09000000  # if_tsresol, length 1: 10^-9 s, padding
  0000 0000           # opt_endofopt
  28000000            # total length 40
  # EPB at 100
  06000000            # block type: Enhanced Packet
  24000000            # total length 36
  00000000            # interface 0
  240a0600 40222018   # timestamp 0x00060a24_18202240 µs = 1700000000.123456 s
  03000000            # caplen 3
  3c000000            # origlen 60
  aabbcc00            # data, one byte of padding
  24000000            # total length 36
  # EPB at 136
  06000000            # block type: Enhanced Packet
  24000000            # total length 36
  01000000            # interface 1
  fe9c9717 15cd853d   # timestamp 0x17979cfe_3d85cd15 ns = 1700000000.123456789 s (> 2^53 units)
  04000000            # caplen 4
  04000000            # origlen 4
  deadbeef            # data
  24000000            # total length 36
`);

/** The same file big-endian: every field swapped, data and option values as they are. */
const BIG = hex(`
  0a0d0d0a 0000001c 1a2b3c4d 0001 0000 ffffffff ffffffff 0000001c  # SHB at 0
  00000001 00000020 0001 0000 00000000                            # IDB at 28
  0009 0001 06000000 0000 0000 00000020                           #   if_tsresol 6, end
  00000001 00000028 0071 0000 00000000                            # IDB at 60
  0002 0004 65746830 0009 0001 09000000 0000 0000 00000028        #   if_name eth0, if_tsresol 9, end
  00000006 00000024 00000000 00060a24 18202240                    # EPB at 100: interface 0, µs stamp
  00000003 0000003c aabbcc00 00000024                             #   caplen 3, origlen 60, data
  00000006 00000024 00000001 17979cfe 3d85cd15                    # EPB at 136: interface 1, ns stamp
  00000004 00000004 deadbeef 00000024                             #   caplen 4, origlen 4, data
`);

const RECORDS: RecordCopy[] = [
  {
    data: hex('aabbcc'),
    linkType: LinkType.ETHERNET,
    tsSec: 1_700_000_000,
    tsNsec: 123_456_000,
    tsDigits: 6,
    origLen: 60,
    interfaceId: 0,
    fileOffset: 100,
  },
  {
    data: hex('deadbeef'),
    linkType: LinkType.LINUX_SLL,
    tsSec: 1_700_000_000,
    tsNsec: 123_456_789,
    tsDigits: 9,
    origLen: 4,
    interfaceId: 1,
    fileOffset: 136,
  },
];

function writeVector(byteOrder: 'little' | 'big'): Uint8Array {
  const sink = new MemorySink();
  const writer = new PcapngWriter(sink, { byteOrder });
  const eth = writer.addInterface({ linkType: LinkType.ETHERNET });
  const sll = writer.addInterface({ linkType: LinkType.LINUX_SLL, tsresol: 9, name: 'eth0' });
  writer.writePacket(eth, hex('aabbcc'), 1_700_000_000, 123_456_999, 60);
  writer.writePacket(sll, hex('deadbeef'), 1_700_000_000, 123_456_789);
  writer.flush();
  return sink.bytes();
}

const SHB_LE = block(BlockType.SECTION_HEADER, hex('4d3c2b1a 0100 0000 ffffffff ffffffff'), true);
const SHB_BE = block(BlockType.SECTION_HEADER, hex('1a2b3c4d 0001 0000 ffffffff ffffffff'), false);

/** An IDB body: link type, reserved, snaplen, then options and the end of options. */
function idb(linkType: number, snaplen: number, le: boolean, ...options: Uint8Array[]): Uint8Array {
  const body = concat(u16(linkType, le), u16(0, le), u32(snaplen, le), ...options, u32(0, le));
  return block(BlockType.INTERFACE_DESCRIPTION, body, le);
}

/** An EPB: interface, stamp halves, data (origLen defaults to its length). */
function epb(
  id: number,
  high: number,
  low: number,
  data: Uint8Array,
  le: boolean,
  origLen = data.length,
): Uint8Array {
  const body = concat(
    u32(id, le),
    u32(high, le),
    u32(low, le),
    u32(data.length, le),
    u32(origLen, le),
    data,
  );
  return block(BlockType.ENHANCED_PACKET, body, le);
}

/** `count` copies of `one`, back to back (faster than concat for tens of thousands). */
function repeat(one: Uint8Array, count: number): Uint8Array {
  const all = new Uint8Array(one.length * count);
  for (let i = 0; i < count; i++) all.set(one, i * one.length);
  return all;
}

describe('pcapng reader', () => {
  test('parse: little-endian vector', () => {
    assert.deepEqual(drain(LITTLE), { records: RECORDS, error: undefined, calls: 3 });
  });

  test('parse: big-endian vector', () => {
    assert.deepEqual(drain(BIG), { records: RECORDS, error: undefined, calls: 3 });
  });

  test('parse: one byte per read gives the same records', () => {
    assert.deepEqual(drain(BIG, chunkedSource(BIG, [1, 3, 7])).records, RECORDS);
  });

  test('deconstruct: the interface table', () => {
    const reader = openCapture(bytesSource(LITTLE));
    assert.ok(reader instanceof PcapngReader);
    assert.equal(reader.format, 'pcapng');
    assert.ok(reader.nextShared());
    const [eth, sll] = reader.sectionInterfaces;
    assert.equal(eth?.linkType, LinkType.ETHERNET);
    assert.equal(eth?.stamps.resolution.code, 6);
    assert.equal(sll?.linkType, LinkType.LINUX_SLL);
    assert.equal(sll?.stamps.resolution.code, 9);
  });

  test('construct: the writer emits both vectors byte for byte', () => {
    assert.deepEqual(writeVector('little'), LITTLE);
    assert.deepEqual(writeVector('big'), BIG);
  });

  test('a new section may switch byte order and resets the interface table', () => {
    const sll2 = idb(LinkType.LINUX_SLL2, 0, false);
    const bytes = concat(LITTLE, SHB_BE, sll2, epb(0, 0, 1, hex('11'), false, 1));
    const { records, error } = drain(bytes);
    assert.equal(error, undefined);
    assert.equal(records.length, 3);
    assert.deepEqual(records[2], {
      data: hex('11'),
      linkType: LinkType.LINUX_SLL2,
      tsSec: 0,
      tsNsec: 1000,
      tsDigits: 6,
      origLen: 1,
      interfaceId: 0,
      fileOffset: LITTLE.length + SHB_BE.length + sll2.length,
    });
    const stale = drain(concat(LITTLE, SHB_LE, epb(0, 0, 0, hex('11'), true)));
    assert.equal(stale.records.length, 2);
    assert.equal(stale.error?.kind, 'malformed');
    assert.equal(stale.error?.offset, LITTLE.length + SHB_LE.length + 8);
  });

  test('if_tsoffset and a binary if_tsresol', () => {
    const le = true;
    const offset = concat(u32(0xffff_ff9c, le), u32(0xffff_ffff, le)); // -100 s, little-endian int64
    const iface = idb(
      1,
      0,
      le,
      option(OptionCode.IF_TSRESOL, hex('94'), le),
      option(OptionCode.IF_TSOFFSET, offset, le),
    );
    // 2^-20 s units: 1000.5 s = 1000 × 2^20 + 2^19 units.
    const units = 1000 * 2 ** 20 + 2 ** 19;
    const packet = epb(0, Math.floor(units / 2 ** 32), units >>> 0, new Uint8Array(0), le);
    const { records, error } = drain(concat(SHB_LE, iface, packet));
    assert.equal(error, undefined);
    assert.equal(records[0]?.tsSec, 900);
    assert.equal(records[0]?.tsNsec, 500_000_000);
    assert.equal(records[0]?.tsDigits, 9);
  });

  test('simple packet: caplen is the least of origLen, room and snaplen', () => {
    const le = true;
    const spb = (origLen: number, data: string) =>
      block(BlockType.SIMPLE_PACKET, concat(u32(origLen, le), hex(data)), le);
    const bytes = concat(
      SHB_LE,
      idb(1, 3, le),
      spb(2, 'aabbcc00'),
      spb(9, 'aabbccdd'),
      spb(9, 'aa'),
    );
    const { records, error } = drain(bytes);
    assert.equal(error, undefined);
    assert.deepEqual(
      records.map((r) => [r.data, r.origLen, r.tsSec, r.tsNsec, r.interfaceId]),
      [
        [hex('aabb'), 2, 0, 0, 0],
        [hex('aabbcc'), 9, 0, 0, 0],
        [hex('aa0000'), 9, 0, 0, 0], // the block's padding counts as room
      ],
    );
  });

  test('obsolete packet block: 16-bit interface id, drops count', () => {
    const le = false;
    const body = concat(
      u16(1, le),
      u16(7, le),
      u32(0, le),
      u32(2_500_000, le),
      u32(2, le),
      u32(5, le),
      hex('0102'),
    );
    const bytes = concat(SHB_BE, idb(1, 0, le), idb(113, 0, le), block(BlockType.PACKET, body, le));
    const { records, error } = drain(bytes);
    assert.equal(error, undefined);
    assert.deepEqual(
      records.map((r) => [r.data, r.origLen, r.tsSec, r.tsNsec, r.interfaceId, r.linkType]),
      [[hex('0102'), 5, 2, 500_000_000, 1, 113]],
    );
  });

  test('unknown blocks are skipped; a section with no packets is a clean end', () => {
    const unknown = block(0x0000_0bad, hex('0102030405'), true);
    const stats = block(5, hex('00000000 00000000 00000000'), true);
    const bytes = concat(SHB_LE, unknown, LITTLE.subarray(28), stats);
    const { records, error } = drain(bytes);
    assert.equal(error, undefined);
    assert.deepEqual(
      records.map((r) => r.fileOffset),
      [100 + unknown.length, 136 + unknown.length],
    );
    assert.deepEqual(drain(SHB_LE), { records: [], error: undefined, calls: 1 });
  });

  test('interfaces with the same if_tsresol share one timestamp decoder', () => {
    const ns = option(OptionCode.IF_TSRESOL, hex('09'), true);
    const ifaces = [
      idb(1, 0, true),
      idb(1, 0, true, ns),
      idb(LinkType.LINUX_SLL, 0, true),
      idb(1, 0, true, ns),
    ];
    const reader = openCapture(bytesSource(concat(SHB_LE, ...ifaces, epb(3, 0, 1, hex(''), true))));
    assert.ok(reader instanceof PcapngReader);
    assert.equal(reader.nextShared()?.tsNsec, 1);
    const [us0, ns1, us2, ns3] = reader.sectionInterfaces;
    assert.ok(us0 && ns1 && us2 && ns3);
    assert.equal(us0.stamps, us2.stamps);
    assert.equal(ns1.stamps, ns3.stamps);
    assert.notEqual(us0.stamps, ns1.stamps);
    assert.equal(us2.linkType, LinkType.LINUX_SLL);
  });

  test(`IDB ${MAX_INTERFACES_PER_SECTION + 1} of a section is malformed, after its packets`, () => {
    const last = MAX_INTERFACES_PER_SECTION - 1;
    const before = concat(
      SHB_LE,
      repeat(idb(1, 0, true), last),
      idb(LinkType.LINUX_SLL, 0, true),
      epb(0, 0, 1, hex('aa'), true),
      epb(last, 0, 2, hex('bb'), true),
    );
    const bytes = concat(before, idb(1, 0, true), epb(0, 0, 3, hex('cc'), true));
    const { records, error } = drain(bytes);
    assert.deepEqual(
      records.map((r) => [r.interfaceId, r.linkType]),
      [
        [0, LinkType.ETHERNET],
        [last, LinkType.LINUX_SLL],
      ],
    );
    assert.equal(error?.kind, 'malformed');
    assert.equal(error?.offset, before.length);
    assert.match(error.message, new RegExp(`at most ${MAX_INTERFACES_PER_SECTION} per section`));
  });

  test('the interface limit counts per section', () => {
    const full = concat(SHB_LE, repeat(idb(1, 0, true), MAX_INTERFACES_PER_SECTION));
    const next = concat(SHB_LE, idb(LinkType.LINUX_SLL, 0, true), epb(0, 0, 1, hex('aa'), true));
    const { records, error } = drain(concat(full, full, next));
    assert.equal(error, undefined);
    assert.deepEqual(
      records.map((r) => r.linkType),
      [LinkType.LINUX_SLL],
    );
  });
});
