import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbIpv6 } from '../testing/arbitraries.js';
import { atOffset, hex, prefilled } from '../testing/bytes.js';
import { WireError, type WireErrorKind } from './error.js';
import { parseIpv6 } from './ipv6.js';
import {
  emitIpv6Packet,
  IPV6_HEADER_LEN,
  IpNextHeader,
  Ipv6Packet,
  type Ipv6Repr,
  ipv6PacketBufferLen,
  parseIpv6Packet,
} from './ipv6-header.js';

const PACKET_BYTES = hex(`
  6                                 # version
  12                                # traffic class
  34567                             # flow label
  0008                              # payload length: 8
  3a                                # next header: ICMPv6
  40                                # hop limit: 64
  2001 0db8 0000 0000 0000 0000 0000 0001  # source: 2001:db8::1
  fe80 0000 0000 0000 0000 0000 0000 0002  # destination: fe80::2
  0102 0304 0506 0708               # payload
`);
const HEADER_BYTES = PACKET_BYTES.subarray(0, IPV6_HEADER_LEN);
const PAYLOAD_BYTES = PACKET_BYTES.subarray(IPV6_HEADER_LEN);

const PACKET_REPR: Ipv6Repr = {
  trafficClass: 0x12,
  flowLabel: 0x34567,
  payloadLength: 8,
  nextHeader: IpNextHeader.ICMPV6,
  hopLimit: 64,
  source: parseIpv6('2001:db8::1'),
  destination: parseIpv6('fe80::2'),
};

/** Asserts that `run` throws a WireError of `kind` from `layer`. */
function throwsWire(run: () => unknown, kind: WireErrorKind, layer = 'ipv6'): void {
  assert.throws(
    run,
    (e: unknown) => e instanceof WireError && e.kind === kind && e.layer === layer,
  );
}

describe('ipv6 header', () => {
  test('deconstruct', () => {
    const packet = Ipv6Packet.checked(PACKET_BYTES);
    assert.equal(packet.version, 6);
    assert.equal(packet.trafficClass, 0x12);
    assert.equal(packet.flowLabel, 0x34567);
    assert.equal(packet.payloadLength, 8);
    assert.equal(packet.nextHeader, 58);
    assert.equal(packet.hopLimit, 64);
    assert.equal(packet.source, PACKET_REPR.source);
    assert.equal(packet.destination, PACKET_REPR.destination);
    assert.deepEqual(packet.payload, PAYLOAD_BYTES);
  });

  test('construct', () => {
    const bytes = prefilled(IPV6_HEADER_LEN);
    const packet = Ipv6Packet.unchecked(bytes);
    packet.setVersionClassFlow(6, 0x12, 0x34567);
    packet.payloadLength = 8;
    packet.nextHeader = 58;
    packet.hopLimit = 64;
    packet.source = PACKET_REPR.source;
    packet.destination = PACKET_REPR.destination;
    assert.deepEqual(bytes, HEADER_BYTES);
  });

  test('parse', () => {
    assert.deepEqual(parseIpv6Packet(Ipv6Packet.checked(PACKET_BYTES)), PACKET_REPR);
  });

  test('emit writes the header and leaves the payload alone', () => {
    const bytes = prefilled(ipv6PacketBufferLen(PACKET_REPR));
    assert.equal(bytes.length, 48);
    emitIpv6Packet(PACKET_REPR, Ipv6Packet.unchecked(bytes));
    assert.deepEqual(bytes.subarray(0, IPV6_HEADER_LEN), HEADER_BYTES);
    assert.ok(bytes.subarray(IPV6_HEADER_LEN).every((b) => b === 0xa5));
  });

  test('the payload is exactly payloadLength bytes: Ethernet padding is ignored', () => {
    const padded = new Uint8Array(PACKET_BYTES.length + 10);
    padded.set(PACKET_BYTES);
    const packet = Ipv6Packet.checked(padded);
    assert.deepEqual(packet.payload, PAYLOAD_BYTES);
    assert.equal(packet.payload.buffer, padded.buffer, 'the payload is a view, not a copy');
  });

  test('a header with payload length 0 needs only 40 bytes', () => {
    const bytes = Uint8Array.from(HEADER_BYTES);
    bytes[5] = 0;
    assert.equal(Ipv6Packet.checked(bytes).payload.length, 0);
  });

  test('round trip at any offset', () => {
    const arbRepr: fc.Arbitrary<Ipv6Repr> = fc.record(
      {
        trafficClass: fc.integer({ min: 0, max: 0xff }),
        flowLabel: fc.integer({ min: 0, max: 0xf_ffff }),
        payloadLength: fc.nat(64),
        nextHeader: fc.integer({ min: 0, max: 0xff }),
        hopLimit: fc.integer({ min: 0, max: 0xff }),
        source: arbIpv6(),
        destination: arbIpv6(),
      },
      { noNullPrototype: true },
    );
    fc.assert(
      // A subarray at `at` of a larger buffer, and the packet at `skip` inside it.
      fc.property(arbRepr, fc.nat(7), fc.nat(20), (repr, at, skip) => {
        const len = ipv6PacketBufferLen(repr);
        const bytes = atOffset(prefilled(skip + len), at);
        emitIpv6Packet(repr, Ipv6Packet.unchecked(bytes, skip, len));
        assert.ok(
          bytes.subarray(0, skip).every((b) => b === 0xa5),
          'nothing written before',
        );
        const packet = Ipv6Packet.checked(bytes, skip, len);
        assert.deepEqual(parseIpv6Packet(packet), repr);
        assert.equal(packet.payload.length, repr.payloadLength);
        assert.equal(packet.payload.byteOffset, bytes.byteOffset + skip + IPV6_HEADER_LEN);
      }),
    );
  });

  test('a shared view re-points at the next packet, and stays put when the check fails', () => {
    const packet = Ipv6Packet.checked(PACKET_BYTES);
    const next = new Uint8Array(60);
    next.set(HEADER_BYTES, 10);
    next[10 + 5] = 10;
    assert.equal(packet.rebindShared(next, 10, 50), packet);
    assert.equal(packet.payloadLength, 10);
    assert.equal(packet.payloadOffset, 50);
    assert.throws(() => packet.rebindShared(next, 10, 49), WireError);
    assert.equal(packet.offset, 10);
    assert.equal(packet.length, 50);
  });

  test('every prefix of a packet is truncated, never another error', () => {
    for (let len = 0; len < PACKET_BYTES.length; len++) {
      throwsWire(() => Ipv6Packet.checked(PACKET_BYTES.subarray(0, len)), 'truncated');
    }
  });

  test('a payload length beyond the buffer is truncated at the payload', () => {
    const bytes = Uint8Array.from(PACKET_BYTES);
    bytes[5] = 9;
    assert.throws(
      () => Ipv6Packet.checked(bytes),
      (e: unknown) =>
        e instanceof WireError && e.kind === 'truncated' && e.offset === IPV6_HEADER_LEN,
    );
  });

  test('every version but 6 is malformed', () => {
    for (let version = 0; version < 16; version++) {
      if (version === 6) continue;
      const bytes = Uint8Array.from(PACKET_BYTES);
      bytes[0] = (version << 4) | (bytes[0]! & 0x0f);
      const packet = Ipv6Packet.checked(bytes);
      assert.equal(packet.version, version);
      throwsWire(() => parseIpv6Packet(packet), 'malformed');
    }
  });

  test('emit rejects fields out of range', () => {
    const bad: Partial<Ipv6Repr>[] = [
      { trafficClass: 256 },
      { flowLabel: 0x10_0000 },
      { flowLabel: -1 },
      { payloadLength: 0x1_0000 },
      { nextHeader: 1.5 },
      { hopLimit: 256 },
    ];
    for (const fields of bad) {
      const repr = { ...PACKET_REPR, ...fields };
      throwsWire(() => emitIpv6Packet(repr, Ipv6Packet.unchecked(prefilled(48))), 'malformed');
    }
  });
});
