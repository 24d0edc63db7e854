import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbIpv6 } from '../testing/arbitraries.js';
import { atOffset, hex, prefilled } from '../testing/bytes.js';
import { WireError } from './error.js';
import {
  ICMPV6_HEADER_LEN,
  Icmpv6Packet,
  Icmpv6Type,
  icmpv6Checksum,
  verifyIcmpv6Checksum,
} from './icmpv6.js';
import type { Ipv6 } from './ipv6.js';
import { emitIpv6Packet, IPV6_HEADER_LEN, IpNextHeader, Ipv6Packet } from './ipv6-header.js';

/**
 * An unsolicited Neighbor Advertisement as Linux 6.18 sent it (`ndisc_notify=1`), captured with
 * tcpdump 4.99.3, which printed `[icmp6 sum ok]`:
 *
 *   0x0000:  6000 0000 0020 3aff 2001 0db8 0000 0000  `.....:.........
 *   0x0010:  0000 0000 0000 0001 ff02 0000 0000 0000  ................
 *   0x0020:  0000 0000 0000 0001 8800 f92a 2000 0000  ...........*....
 *   0x0030:  2001 0db8 0000 0000 0000 0000 0000 0001  ................
 *   0x0040:  0201 0200 0000 0001                      ........
 */
const PACKET_BYTES = hex(`
  6000 0000 0020 3a ff                     # IPv6: payload length 32, next header 58, hop limit 255
  2001 0db8 0000 0000 0000 0000 0000 0001  # source: 2001:db8::1
  ff02 0000 0000 0000 0000 0000 0000 0001  # destination: ff02::1
  88                                       # type: Neighbor Advertisement
  00                                       # code
  f92a                                     # checksum
  2000 0000                                # body: flags (O) ...
  2001 0db8 0000 0000 0000 0000 0000 0001  #   target
  02 01 0200 0000 0001                     #   target link-layer address option
`);
const MESSAGE_BYTES = PACKET_BYTES.subarray(IPV6_HEADER_LEN);

/** The checksum the plain way (RFC 4443 §2.3): an explicit pseudo-header, a list of words, mod 0xffff. */
function referenceChecksum(source: Ipv6, destination: Ipv6, message: Uint8Array): number {
  const address = (ip: Ipv6) => [...Buffer.from(ip.toString(16).padStart(32, '0'), 'hex')];
  const length = message.length;
  const data = [...address(source), ...address(destination)];
  data.push(length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
  data.push(0, 0, 0, IpNextHeader.ICMPV6, ...message);
  data[40 + 2] = 0; // the checksum field itself counts as zero
  data[40 + 3] = 0;
  if (data.length % 2 === 1) data.push(0);
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) sum += data[i]! * 256 + data[i + 1]!;
  const folded = sum % 0xffff === 0 ? 0xffff : sum % 0xffff;
  return 0xffff - folded;
}

/**
 * An IPv6 packet from `source` to `destination` carrying `message` and 5 bytes of 0xa5 padding,
 * `skip` bytes into an array that is itself a subarray of a larger buffer.
 */
function packetOf(source: Ipv6, destination: Ipv6, message: Uint8Array, skip: number): Ipv6Packet {
  const length = IPV6_HEADER_LEN + message.length + 5;
  const bytes = atOffset(prefilled(skip + length), 3);
  const repr = { trafficClass: 0, flowLabel: 0, hopLimit: 255, source, destination };
  const nextHeader = IpNextHeader.ICMPV6;
  const packet = Ipv6Packet.unchecked(bytes, skip, length);
  emitIpv6Packet({ ...repr, payloadLength: message.length, nextHeader }, packet);
  bytes.set(message, packet.payloadOffset);
  return Ipv6Packet.checked(bytes, skip, length);
}

describe('icmpv6', () => {
  test('deconstruct', () => {
    const message = Icmpv6Packet.checked(MESSAGE_BYTES);
    assert.equal(message.type, Icmpv6Type.NEIGHBOR_ADVERTISEMENT);
    assert.equal(message.code, 0);
    assert.equal(message.checksum, 0xf92a);
    assert.deepEqual(message.body, MESSAGE_BYTES.subarray(ICMPV6_HEADER_LEN));
  });

  test('construct', () => {
    const bytes = prefilled(ICMPV6_HEADER_LEN);
    const message = Icmpv6Packet.unchecked(bytes);
    message.type = 136;
    message.code = 0;
    message.checksum = 0xf92a;
    assert.deepEqual(bytes, MESSAGE_BYTES.subarray(0, ICMPV6_HEADER_LEN));
  });

  test("Linux's checksum verifies, and agrees with the reference", () => {
    const packet = Ipv6Packet.checked(PACKET_BYTES);
    assert.ok(verifyIcmpv6Checksum(packet));
    assert.equal(referenceChecksum(packet.source, packet.destination, MESSAGE_BYTES), 0xf92a);
  });

  test('the checksum is computed whatever the field holds', () => {
    const bytes = Uint8Array.from(PACKET_BYTES);
    bytes[IPV6_HEADER_LEN + 2] = 0xa5;
    bytes[IPV6_HEADER_LEN + 3] = 0xa5;
    const packet = Ipv6Packet.checked(bytes);
    assert.equal(verifyIcmpv6Checksum(packet), false);
    assert.equal(icmpv6Checksum(packet), 0xf92a);
  });

  test('matches the reference on any message at any offset, odd lengths included', () => {
    fc.assert(
      fc.property(
        arbIpv6(),
        arbIpv6(),
        fc.uint8Array({ minLength: ICMPV6_HEADER_LEN, maxLength: 200 }),
        fc.nat(7),
        (source, destination, message, at) => {
          const packet = packetOf(source, destination, message, at);
          const checksum = icmpv6Checksum(packet);
          assert.equal(checksum, referenceChecksum(source, destination, message));
          Icmpv6Packet.unchecked(packet.payload).checksum = checksum;
          assert.ok(verifyIcmpv6Checksum(packet));
        },
      ),
    );
  });

  test('flipping any covered byte breaks the checksum; padding is not covered', () => {
    fc.assert(
      fc.property(
        arbIpv6(),
        arbIpv6(),
        fc.uint8Array({ minLength: ICMPV6_HEADER_LEN, maxLength: 64 }),
        fc.integer({ min: 1, max: 0xff }),
        (source, destination, message, mask) => {
          const packet = packetOf(source, destination, message, 2);
          Icmpv6Packet.unchecked(packet.payload).checksum = icmpv6Checksum(packet);
          // The pseudo-header covers the addresses; the payload length and next header are fixed here.
          const messageEnd = packet.payloadOffset + packet.payloadLength;
          for (let i = packet.offset + 8; i < packet.end; i++) {
            packet.bytes[i]! ^= mask;
            assert.equal(verifyIcmpv6Checksum(packet), i >= messageEnd, `byte ${i}`);
            packet.bytes[i]! ^= mask;
          }
        },
      ),
    );
  });

  test('a message shorter than its header is truncated', () => {
    for (let len = 0; len < ICMPV6_HEADER_LEN; len++) {
      assert.throws(
        () => Icmpv6Packet.checked(MESSAGE_BYTES.subarray(0, len)),
        (e: unknown) => e instanceof WireError && e.kind === 'truncated' && e.layer === 'icmpv6',
      );
    }
  });
});
