import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { chunkedSource, drain, type RecordCopy } from '../testing/pcap-kit.js';
import { MemorySink } from './byte-source.js';
import { PcapWriter } from './pcap-writer.js';
import { type PcapngInterfaceOptions, PcapngWriter } from './pcapng-writer.js';

const MAX_U64 = 2n ** 64n - 1n;
const NANOS = 1_000_000_000n;

const arbPacket = fc.record({
  data: fc.uint8Array({ maxLength: 80 }),
  tsNsec: fc.integer({ min: 0, max: 999_999_999 }),
  extra: fc.nat(1000),
});

/** Read sizes that force many refills and compactions. */
const arbChunks = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 4 });

/** 4-byte alignment, computed here independently of the library. */
const pad4 = (n: number) => n + ((4 - (n % 4)) % 4);

describe('pcap writer → reader round trip', () => {
  test('every field, both byte orders, µs and ns, any snaplen', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ packet: arbPacket, tsSec: fc.nat(0xffff_ffff) }), { maxLength: 20 }),
        fc.constantFrom('little', 'big'),
        fc.constantFrom('us', 'ns'),
        fc.nat(0xffff),
        fc.integer({ min: 1, max: 100 }),
        arbChunks,
        (records, byteOrder, resolution, linkType, snaplen, chunks) => {
          const sink = new MemorySink();
          const writer = new PcapWriter(sink, { byteOrder, resolution, linkType, snaplen });
          const expected: RecordCopy[] = [];
          let offset = 24;
          for (const { packet, tsSec } of records) {
            const origLen = packet.data.length + packet.extra;
            writer.writeRecord(packet.data, tsSec, packet.tsNsec, origLen);
            const data = packet.data.slice(0, snaplen);
            const tsNsec =
              resolution === 'us' ? packet.tsNsec - (packet.tsNsec % 1000) : packet.tsNsec;
            const tsDigits = resolution === 'us' ? 6 : 9;
            expected.push({
              data,
              linkType,
              tsSec,
              tsNsec,
              tsDigits,
              origLen,
              interfaceId: 0,
              fileOffset: offset,
            });
            offset += 16 + data.length;
          }
          writer.flush();
          const bytes = sink.bytes();
          assert.equal(bytes.length, offset);
          const result = drain(bytes, chunkedSource(bytes, chunks));
          assert.equal(result.error, undefined);
          assert.deepEqual(result.records, expected);
        },
      ),
    );
  });
});

/** Resolutions covered: µs, ns, seconds, ms, ps (BigInt path), 2^-20, 2^-30 (BigInt), 2^0. */
const TSRESOLS = [6, 9, 0, 3, 12, 0x80 | 20, 0x80 | 30, 0x80] as const;

/** Units per second of an if_tsresol byte, in BigInt arithmetic (the reference model). */
function unitsPerSec(tsresol: number): bigint {
  return tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
}

const arbInterface = fc.record({
  linkType: fc.nat(0xffff),
  tsresol: fc.constantFrom(...TSRESOLS),
  snaplen: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100 })),
  name: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
});

/** Seconds: near 2023 (same-second runs), anywhere in 32 bits, or anywhere in 64-bit units. */
const arbSeconds = fc.oneof(
  fc.integer({ min: 1_700_000_000, max: 1_700_000_002 }).map(BigInt),
  fc.nat(0xffff_ffff).map(BigInt),
  fc.bigInt({ min: 0n, max: MAX_U64 }),
);

describe('pcapng writer → reader round trip', () => {
  test('several interfaces, link types and resolutions; stamps past 2^53 units', () => {
    fc.assert(
      fc.property(
        fc.array(arbInterface, { minLength: 1, maxLength: 4 }),
        fc.array(fc.record({ packet: arbPacket, which: fc.nat(), seconds: arbSeconds }), {
          maxLength: 20,
        }),
        fc.constantFrom('little', 'big'),
        arbChunks,
        (interfaces, packets, byteOrder, chunks) => {
          const sink = new MemorySink();
          const writer = new PcapngWriter(sink, { byteOrder });
          let offset = 28;
          for (const [index, iface] of interfaces.entries()) {
            const { name, ...rest } = iface;
            const options: PcapngInterfaceOptions = name === undefined ? rest : { ...rest, name };
            assert.equal(writer.addInterface(options), index);
            const nameLen = name ? 4 + pad4(new TextEncoder().encode(name).length) : 0;
            offset += 16 + nameLen + 8 + 4 + 4;
          }
          const expected: RecordCopy[] = [];
          for (const { packet, which, seconds } of packets) {
            const id = which % interfaces.length;
            const iface = interfaces[id];
            assert.ok(iface);
            const perSec = unitsPerSec(iface.tsresol);
            const maxSec =
              BigInt(Number.MAX_SAFE_INTEGER) < MAX_U64 / perSec
                ? BigInt(Number.MAX_SAFE_INTEGER)
                : MAX_U64 / perSec;
            const tsSec = seconds % (maxSec + 1n);
            const units = tsSec * perSec + (BigInt(packet.tsNsec) * perSec) / NANOS;
            const origLen = packet.data.length + packet.extra;
            const write = () =>
              writer.writePacket(id, packet.data, Number(tsSec), packet.tsNsec, origLen);
            if (units > MAX_U64) {
              assert.throws(write, RangeError);
              continue;
            }
            write();
            const data = iface.snaplen === 0 ? packet.data : packet.data.slice(0, iface.snaplen);
            expected.push({
              data,
              linkType: iface.linkType,
              tsSec: Number(units / perSec),
              tsNsec: Number(((units % perSec) * NANOS) / perSec),
              tsDigits: iface.tsresol & 0x80 ? 9 : Math.min(iface.tsresol, 9),
              origLen,
              interfaceId: id,
              fileOffset: offset,
            });
            offset += 28 + pad4(data.length) + 4;
          }
          writer.flush();
          const bytes = sink.bytes();
          assert.equal(bytes.length, offset);
          const result = drain(bytes, chunkedSource(bytes, chunks));
          assert.equal(result.error, undefined);
          assert.deepEqual(result.records, expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a nanosecond stamp of 2023 (about 2^60.6 units) comes back exactly', () => {
    const sink = new MemorySink();
    const writer = new PcapngWriter(sink);
    const id = writer.addInterface({ linkType: 1, tsresol: 9 });
    writer.writePacket(id, new Uint8Array(1), 1_700_000_000, 999_999_999);
    writer.writePacket(id, new Uint8Array(1), 1_700_000_001, 0);
    writer.flush();
    const stamps = drain(sink.bytes()).records.map((r) => [r.tsSec, r.tsNsec]);
    assert.deepEqual(stamps, [
      [1_700_000_000, 999_999_999],
      [1_700_000_001, 0],
    ]);
  });

  test('writers reject arguments they cannot encode', () => {
    const pcap = new PcapWriter(new MemorySink());
    assert.throws(() => pcap.writeRecord(new Uint8Array(4), -1, 0), RangeError);
    assert.throws(() => pcap.writeRecord(new Uint8Array(4), 2 ** 32, 0), RangeError);
    assert.throws(() => pcap.writeRecord(new Uint8Array(4), 0, 1e9), RangeError);
    assert.throws(() => pcap.writeRecord(new Uint8Array(4), 0, 0, 3), RangeError);
    assert.throws(() => new PcapWriter(new MemorySink(), { snaplen: 0 }), RangeError);
    const ng = new PcapngWriter(new MemorySink());
    assert.throws(() => ng.writePacket(0, new Uint8Array(1), 0, 0), /interfaceId: 0/);
    assert.throws(() => ng.addInterface({ linkType: 0x1_0000 }), /linkType/);
    const ns = ng.addInterface({ linkType: 1, tsresol: 9 });
    assert.throws(() => ng.writePacket(ns, new Uint8Array(1), 18_446_744_074, 0), /64 bits/);
  });

  test('padding is zero even where the reused batch buffer held other bytes', () => {
    const sink = new MemorySink();
    const writer = new PcapngWriter(sink);
    const id = writer.addInterface({ linkType: 1 });
    const data = new Uint8Array(61).fill(0xff);
    const count = 5000; // 96-byte blocks: the 256 KiB batch is refilled several times
    for (let i = 0; i < count; i++) writer.writePacket(id, data, i, 0);
    writer.flush();
    const bytes = sink.bytes();
    const first = 28 + 32;
    for (let i = 0; i < count; i++) {
      const pad = first + i * 96 + 28 + 61;
      assert.deepEqual(bytes.subarray(pad, pad + 3), new Uint8Array(3), `block ${i}`);
    }
  });

  test('the writers batch: one sink write for many small records', () => {
    const writes: number[] = [];
    const writer = new PcapWriter({ write: (bytes) => writes.push(bytes.length) });
    for (let i = 0; i < 1000; i++) writer.writeRecord(new Uint8Array(60), i, 0);
    assert.deepEqual(writes, []);
    writer.flush();
    assert.deepEqual(writes, [24 + 1000 * 76]);
  });
});
