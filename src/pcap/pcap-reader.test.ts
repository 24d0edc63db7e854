import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hex } from '../testing/bytes.js';
import {
  chunkedSource,
  type Drained,
  drain,
  type RecordCopy,
  viewOf,
} from '../testing/pcap-kit.js';
import { bytesSource, MemorySink } from './byte-source.js';
import { openCapture } from './capture.js';
import { LinkType } from './constants.js';
import { PcapReader } from './pcap-reader.js';
import { PcapWriter } from './pcap-writer.js';

/** Two records, µs stamps, little-endian: the common tcpdump file. */
const LITTLE_US = hex(`
  d4c3b2a1  # magic a1b2c3d4 (µs) stored little-endian
  0200 0400 # version 2.4
  00000000  # thiszone
  00000000  # sigfigs
  ffff0000  # snaplen 65535
  01000000  # link type 1: Ethernet
  # record 0 at offset 24
  e8030000  # ts_sec 1000
  d2040000  # ts_usec 1234
  04000000  # caplen 4
  3c000000  # origlen 60
  deadbeef  # data
  # record 1 at offset 44
  e9030000  # ts_sec 1001
  3f420f00  # ts_usec 999999
  02000000  # caplen 2
  02000000  # origlen 2
  0102      # data
`);

/** The same two records with ns stamps, big-endian, Linux cooked link type. */
const BIG_NS = hex(`
  a1b23c4d  # magic a1b23c4d (ns) stored big-endian
  0002 0004 # version 2.4
  00000000  # thiszone
  00000000  # sigfigs
  0000ffff  # snaplen 65535
  00000071  # link type 113: LINUX_SLL
  # record 0 at offset 24
  000003e8  # ts_sec 1000
  000004d2  # ts_nsec 1234
  00000004  # caplen 4
  0000003c  # origlen 60
  deadbeef  # data
  # record 1 at offset 44
  000003e9  # ts_sec 1001
  3b9ac9ff  # ts_nsec 999999999
  00000002  # caplen 2
  00000002  # origlen 2
  0102      # data
`);

function expected(linkType: number, digits: number, nsecs: [number, number]): RecordCopy[] {
  const common = { linkType, tsDigits: digits, interfaceId: 0 };
  return [
    {
      ...common,
      data: hex('deadbeef'),
      tsSec: 1000,
      tsNsec: nsecs[0],
      origLen: 60,
      fileOffset: 24,
    },
    { ...common, data: hex('0102'), tsSec: 1001, tsNsec: nsecs[1], origLen: 2, fileOffset: 44 },
  ];
}

const LITTLE_US_RECORDS = expected(LinkType.ETHERNET, 6, [1_234_000, 999_999_000]);
const BIG_NS_RECORDS = expected(LinkType.LINUX_SLL, 9, [1234, 999_999_999]);

/** A fresh copy of `bytes` with `patch` applied to its view. */
function patched(bytes: Uint8Array, patch: (view: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  patch(viewOf(copy));
  return copy;
}

function assertFault(result: Drained, kind: string, offset: number, records = 0): void {
  assert.equal(result.records.length, records, 'records before the fault');
  assert.ok(result.error, 'expected a WireError');
  assert.equal(result.error.kind, kind, result.error.message);
  assert.equal(result.error.layer, 'pcap');
  assert.equal(result.error.offset, offset, result.error.message);
}

describe('pcap reader', () => {
  test('deconstruct: little-endian µs header', () => {
    const reader = openCapture(bytesSource(LITTLE_US));
    assert.ok(reader instanceof PcapReader);
    assert.equal(reader.format, 'pcap');
    assert.equal(reader.littleEndian, true);
    assert.equal(reader.snaplen, 65535);
    assert.equal(reader.linkType, LinkType.ETHERNET);
    assert.equal(reader.tsDigits, 6);
  });

  test('parse: little-endian µs records', () => {
    assert.deepEqual(drain(LITTLE_US), { records: LITTLE_US_RECORDS, error: undefined, calls: 3 });
  });

  test('parse: big-endian ns records', () => {
    assert.deepEqual(drain(BIG_NS), { records: BIG_NS_RECORDS, error: undefined, calls: 3 });
  });

  test('parse: one byte per read gives the same records', () => {
    assert.deepEqual(drain(BIG_NS, chunkedSource(BIG_NS, [1])).records, BIG_NS_RECORDS);
  });

  test('construct: the writer emits the little-endian µs vector byte for byte', () => {
    const sink = new MemorySink();
    const writer = new PcapWriter(sink, { snaplen: 65535 });
    writer.writeRecord(hex('deadbeef'), 1000, 1_234_567, 60);
    writer.writeRecord(hex('0102'), 1001, 999_999_999);
    writer.flush();
    assert.deepEqual(sink.bytes(), LITTLE_US);
  });

  test('construct: the writer emits the big-endian ns vector byte for byte', () => {
    const sink = new MemorySink();
    const options = { resolution: 'ns', byteOrder: 'big', linkType: 113, snaplen: 65535 } as const;
    const writer = new PcapWriter(sink, options);
    writer.writeRecord(hex('deadbeef'), 1000, 1234, 60);
    writer.writeRecord(hex('0102'), 1001, 999_999_999);
    writer.flush();
    assert.deepEqual(sink.bytes(), BIG_NS);
  });

  test('the shared record and its data are reused by the next call', () => {
    const reader = openCapture(bytesSource(LITTLE_US));
    const first = reader.nextShared();
    assert.ok(first);
    const second = reader.nextShared();
    assert.equal(second, first);
    assert.deepEqual(second?.data, hex('0102'));
  });

  test('FCS bits above the link type are ignored', () => {
    const bytes = patched(LITTLE_US, (v) => v.setUint32(20, 0x1000_0000 | LinkType.ETHERNET, true));
    assert.equal(drain(bytes).records[0]?.linkType, LinkType.ETHERNET);
  });

  test('a whole second left in the fraction is carried into the seconds', () => {
    const bytes = patched(LITTLE_US, (v) => v.setUint32(28, 2_500_000, true));
    const first = drain(bytes).records[0];
    assert.equal(first?.tsSec, 1002);
    assert.equal(first?.tsNsec, 500_000_000);
  });

  test('a header with no records is a clean, empty file', () => {
    assert.deepEqual(drain(LITTLE_US.subarray(0, 24)), { records: [], error: undefined, calls: 1 });
  });
});

describe('pcap reader faults', () => {
  const cases: readonly [string, (v: DataView) => void, string, number, number][] = [
    ['caplen above snaplen', (v) => v.setUint32(16, 3, true), 'malformed', 32, 0],
    ['caplen above origLen', (v) => v.setUint32(36, 3, true), 'malformed', 32, 0],
    ['second record caplen above origLen', (v) => v.setUint32(52, 3, true), 'malformed', 52, 1],
    [
      'caplen above the 16 MiB cap (snaplen unlimited)',
      (v) => {
        v.setUint32(16, 0xffff_ffff, true);
        v.setUint32(32, 0x0100_0001, true);
        v.setUint32(36, 0xffff_ffff, true);
      },
      'malformed',
      32,
      0,
    ],
    [
      'snaplen 0 means 262144',
      (v) => {
        v.setUint32(16, 0, true);
        v.setUint32(32, 262_145, true);
        v.setUint32(36, 262_145, true);
      },
      'malformed',
      32,
      0,
    ],
    ['major version 3', (v) => v.setUint16(4, 3, true), 'unsupported', 4, 0],
    ['bad magic', (v) => v.setUint32(0, 0xa1b2c3d5, false), 'unsupported', 0, 0],
  ];
  for (const [name, patch, kind, offset, records] of cases) {
    test(name, () => assertFault(drain(patched(LITTLE_US, patch)), kind, offset, records));
  }

  test('caplen equal to snaplen 0 (262144) reads; the data is then truncated', () => {
    const bytes = patched(LITTLE_US, (v) => {
      v.setUint32(16, 0, true);
      v.setUint32(32, 262_144, true);
      v.setUint32(36, 262_144, true);
    });
    const result = drain(bytes);
    assertFault(result, 'truncated', 24);
    assert.match(result.error?.message ?? '', /262160 bytes/);
  });

  test('an unknown magic is named in hex', () => {
    const result = drain(hex('12345678 00000000'));
    assertFault(result, 'unsupported', 0);
    assert.match(result.error?.message ?? '', /not a pcap or pcapng file/);
    assert.match(result.error?.message ?? '', /0x12345678/);
  });

  test('an empty input is a truncated "empty file"', () => {
    const result = drain(new Uint8Array(0));
    assertFault(result, 'truncated', 0);
    assert.match(result.error?.message ?? '', /empty file/);
  });

  test('a cut record says how many bytes it needed and how many remained', () => {
    const result = drain(LITTLE_US.subarray(0, 50));
    assertFault(result, 'truncated', 44, 1);
    assert.match(result.error?.message ?? '', /6 bytes remaining/);
    assert.match(result.error?.message ?? '', /16 bytes/);
  });
});
