import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbIpv6, arbNdp } from '../testing/arbitraries.js';
import { atOffset, hex, prefilled } from '../testing/bytes.js';
import { WireError, type WireErrorKind } from './error.js';
import { verifyIcmpv6Checksum } from './icmpv6.js';
import { IPV6_ALL_NODES, IPV6_ANY, parseIpv6, solicitedNodeIpv6 } from './ipv6.js';
import { Ipv6Packet } from './ipv6-header.js';
import { formatMac, parseMac } from './mac.js';
import {
  emitNdPacket,
  ipv6MulticastMac,
  type NdIpv6Repr,
  type NdPacket,
  ndPacketBufferLen,
  parseNdPacket,
  unsolicitedNa,
} from './nd-packet.js';
import type { NdpRepr } from './ndp.js';

// Real frames: Linux 6.18 in a network namespace, veth MAC 02:00:00:00:00:01, 2001:db8::1/64
// added with net.ipv6.conf.*.ndisc_notify=1, then `ping 2001:db8::2`; captured with tcpdump
// 4.99.3, which printed `[icmp6 sum ok]` for each. The bytes are the frames after Ethernet.

/**
 * 02:00:00:00:00:01 > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 86: 2001:db8::1 > ff02::1:
 *   ICMP6, neighbor advertisement, tgt is 2001:db8::1, length 32
 *   0x0000:  6000 0000 0020 3aff 2001 0db8 0000 0000  `.....:.........
 *   0x0010:  0000 0000 0000 0001 ff02 0000 0000 0000  ................
 *   0x0020:  0000 0000 0000 0001 8800 f92a 2000 0000  ...........*....
 *   0x0030:  2001 0db8 0000 0000 0000 0000 0000 0001  ................
 *   0x0040:  0201 0200 0000 0001                      ........
 */
const LINUX_UNSOLICITED_NA = hex(`
  6 00 00000                               # version 6, traffic class 0, flow label 0
  0020 3a ff                               # payload length 32, next header ICMPv6, hop limit 255
  2001 0db8 0000 0000 0000 0000 0000 0001  # source: 2001:db8::1 (the target itself)
  ff02 0000 0000 0000 0000 0000 0000 0001  # destination: ff02::1, all nodes
  88 00 f92a                               # type NA, code 0, checksum
  2000 0000                                # flags: O
  2001 0db8 0000 0000 0000 0000 0000 0001  # target: 2001:db8::1
  02 01 0200 0000 0001                     # target link-layer address 02:00:00:00:00:01
`);

/**
 * 02:00:00:00:00:01 > 33:33:ff:00:00:02, ethertype IPv6 (0x86dd), length 86: 2001:db8::1 >
 *   ff02::1:ff00:2: ICMP6, neighbor solicitation, who has 2001:db8::2, length 32
 *   0x0000:  6000 0000 0020 3aff 2001 0db8 0000 0000  `.....:.........
 *   0x0010:  0000 0000 0000 0001 ff02 0000 0000 0000  ................
 *   0x0020:  0000 0001 ff00 0002 8700 1c27 0000 0000  ...........'....
 *   0x0030:  2001 0db8 0000 0000 0000 0000 0000 0002  ................
 *   0x0040:  0101 0200 0000 0001                      ........
 */
const LINUX_NS = hex(`
  6000 0000 0020 3a ff                     # IPv6, payload length 32, ICMPv6, hop limit 255
  2001 0db8 0000 0000 0000 0000 0000 0001  # source: 2001:db8::1
  ff02 0000 0000 0000 0000 0001 ff00 0002  # destination: ff02::1:ff00:2, solicited-node
  87 00 1c27                               # type NS, code 0, checksum
  0000 0000                                # reserved
  2001 0db8 0000 0000 0000 0000 0000 0002  # target: 2001:db8::2
  01 01 0200 0000 0001                     # source link-layer address 02:00:00:00:00:01
`);

/**
 * 02:00:00:00:00:01 > 33:33:ff:00:00:01, ethertype IPv6 (0x86dd), length 86: :: > ff02::1:ff00:1:
 *   ICMP6, neighbor solicitation, who has 2001:db8::1, length 32
 *   0x0000:  6000 0000 0020 3aff 0000 0000 0000 0000  `.....:.........
 *   0x0010:  0000 0000 0000 0000 ff02 0000 0000 0000  ................
 *   0x0020:  0000 0001 ff00 0001 8700 6f1b 0000 0000  ..........o.....
 *   0x0030:  2001 0db8 0000 0000 0000 0000 0000 0001  ................
 *   0x0040:  0e01 0eb7 fd72 c39e                      .....r..
 */
const LINUX_DAD_NS = hex(`
  6000 0000 0020 3a ff                     # IPv6, payload length 32, ICMPv6, hop limit 255
  0000 0000 0000 0000 0000 0000 0000 0000  # source: :: (duplicate address detection)
  ff02 0000 0000 0000 0000 0001 ff00 0001  # destination: ff02::1:ff00:1
  87 00 6f1b 0000 0000                     # type NS, code 0, checksum, reserved
  2001 0db8 0000 0000 0000 0000 0000 0001  # target: 2001:db8::1
  0e 01 0eb7 fd72 c39e                     # nonce option (RFC 7527), skipped
`);

const HOST = parseIpv6('2001:db8::1');
const PEER = parseIpv6('2001:db8::2');
const HOST_MAC = parseMac('02:00:00:00:00:01');
const ND_HEADER = {
  trafficClass: 0,
  flowLabel: 0,
  payloadLength: 32,
  nextHeader: 58,
  hopLimit: 255,
};

const arbIp: fc.Arbitrary<Required<NdIpv6Repr>> = fc.record(
  {
    source: arbIpv6(),
    destination: arbIpv6(),
    hopLimit: fc.integer({ min: 0, max: 0xff }),
    trafficClass: fc.integer({ min: 0, max: 0xff }),
    flowLabel: fc.integer({ min: 0, max: 0xf_ffff }),
  },
  { noNullPrototype: true },
);

/** `bytes` with `edits` (offset → byte) applied to a copy. */
function patched(bytes: Uint8Array, edits: Record<number, number>): Uint8Array {
  const copy = Uint8Array.from(bytes);
  for (const [at, value] of Object.entries(edits)) copy[Number(at)] = value;
  return copy;
}

/** Emits into a buffer pre-filled with 0xa5, so any byte the emitter skips shows. */
function emitted(ip: NdIpv6Repr, nd: NdpRepr): Uint8Array {
  const bytes = prefilled(ndPacketBufferLen(nd));
  emitNdPacket(ip, nd, bytes);
  return bytes;
}

describe('nd packet', () => {
  test('parse: an unsolicited NA from Linux', () => {
    assert.deepEqual(parseNdPacket(LINUX_UNSOLICITED_NA), {
      ip: { ...ND_HEADER, source: HOST, destination: IPV6_ALL_NODES },
      nd: {
        type: 'na',
        target: HOST,
        router: false,
        solicited: false,
        override: true,
        targetLla: HOST_MAC,
      },
      checksumOk: true,
    } satisfies NdPacket);
  });

  test('parse: an address-resolution NS from Linux', () => {
    assert.deepEqual(parseNdPacket(LINUX_NS), {
      ip: { ...ND_HEADER, source: HOST, destination: solicitedNodeIpv6(PEER) },
      nd: { type: 'ns', target: PEER, sourceLla: HOST_MAC },
      checksumOk: true,
    } satisfies NdPacket);
  });

  test('parse: a DAD NS from Linux, its nonce option skipped', () => {
    assert.deepEqual(parseNdPacket(LINUX_DAD_NS), {
      ip: { ...ND_HEADER, source: IPV6_ANY, destination: solicitedNodeIpv6(HOST) },
      nd: { type: 'ns', target: HOST },
      checksumOk: true,
    } satisfies NdPacket);
  });

  test("emit: unsolicitedNa gives Linux's bytes exactly (RFC 4861 §7.2.6)", () => {
    const { ip, nd } = unsolicitedNa({ source: HOST, target: HOST, mac: HOST_MAC });
    assert.deepEqual(emitted(ip, nd), LINUX_UNSOLICITED_NA);
  });

  test("emit: an NS gives Linux's bytes exactly, hop limit 255 by default", () => {
    const ip = { source: HOST, destination: solicitedNodeIpv6(PEER) };
    assert.deepEqual(emitted(ip, { type: 'ns', target: PEER, sourceLla: HOST_MAC }), LINUX_NS);
  });

  test('unsolicitedNa sets R only when asked', () => {
    const { nd } = unsolicitedNa({ source: HOST, target: PEER, mac: HOST_MAC, router: true });
    assert.deepEqual(nd, {
      type: 'na',
      target: PEER,
      router: true,
      solicited: false,
      override: true,
      targetLla: HOST_MAC,
    });
  });

  test('ipv6MulticastMac maps the group to 33:33 and its last 32 bits (RFC 2464 §7)', () => {
    assert.equal(formatMac(ipv6MulticastMac(IPV6_ALL_NODES)), '33:33:00:00:00:01');
    assert.equal(formatMac(ipv6MulticastMac(solicitedNodeIpv6(PEER))), '33:33:ff:00:00:02');
    assert.equal(
      formatMac(ipv6MulticastMac(parseIpv6('ff02::8899:aabb:ccdd'))),
      '33:33:aa:bb:cc:dd',
    );
  });

  test('decodes in place after an Ethernet header', () => {
    const frame = new Uint8Array(14 + LINUX_UNSOLICITED_NA.length);
    frame.set(LINUX_UNSOLICITED_NA, 14);
    const nd = parseNdPacket(frame, 14, LINUX_UNSOLICITED_NA.length);
    assert.deepEqual(nd, parseNdPacket(LINUX_UNSOLICITED_NA));
  });

  test('Ethernet padding after the payload is ignored', () => {
    const padded = new Uint8Array(LINUX_NS.length + 20);
    padded.set(LINUX_NS);
    assert.deepEqual(parseNdPacket(padded), parseNdPacket(LINUX_NS));
  });

  test('a bad checksum is reported, not thrown', () => {
    const result = parseNdPacket(patched(LINUX_NS, { 43: 0x28 }));
    assert.equal(result?.checksumOk, false);
    assert.deepEqual(result?.nd, parseNdPacket(LINUX_NS)?.nd);
  });

  test('IPv6 that is not NS or NA is null: another next header or ICMPv6 type', () => {
    assert.equal(parseNdPacket(patched(LINUX_NS, { 6: 17 })), null);
    assert.equal(parseNdPacket(patched(LINUX_NS, { 40: 128, 41: 7 })), null);
    assert.equal(parseNdPacket(patched(LINUX_NS, { 40: 134 })), null);
    const bare = patched(LINUX_NS.subarray(0, 40), { 5: 0, 6: 59 });
    assert.equal(parseNdPacket(bare), null);
  });

  test('round trip at any offset; every emitted checksum verifies', () => {
    fc.assert(
      fc.property(arbIp, arbNdp(), fc.nat(7), (ip, nd, at) => {
        const len = ndPacketBufferLen(nd);
        const bytes = atOffset(prefilled(len), at);
        emitNdPacket(ip, nd, bytes);
        assert.ok(verifyIcmpv6Checksum(Ipv6Packet.checked(bytes)));
        const payloadLength = len - 40;
        const backing = new Uint8Array(bytes.buffer);
        assert.deepEqual(parseNdPacket(backing, bytes.byteOffset, len), parseNdPacket(bytes));
        assert.deepEqual(parseNdPacket(bytes), {
          ip: { ...ip, payloadLength, nextHeader: 58 },
          nd,
          checksumOk: true,
        });
      }),
    );
  });

  test('flipping any byte throws a WireError, gives null, or is seen in the result', () => {
    fc.assert(
      fc.property(arbIp, arbNdp(), fc.integer({ min: 1, max: 0xff }), (ip, nd, mask) => {
        const bytes = emitted(ip, nd);
        const original = parseNdPacket(bytes);
        for (let i = 0; i < bytes.length; i++) {
          const flipped = patched(bytes, { [i]: bytes[i]! ^ mask });
          let result: NdPacket | null;
          try {
            result = parseNdPacket(flipped);
          } catch (e) {
            assert.ok(e instanceof WireError, `byte ${i}: ${e}`);
            continue;
          }
          if (result === null || !result.checksumOk) continue;
          assert.notDeepEqual(result, original, `byte ${i} flipped unnoticed`);
        }
      }),
    );
  });

  const bad: [string, Uint8Array, WireErrorKind, string][] = [
    ['version 4', patched(LINUX_NS, { 0: 0x40 }), 'malformed', 'ipv6'],
    ['version 0', patched(LINUX_NS, { 0: 0x00 }), 'malformed', 'ipv6'],
    ['payload length beyond the buffer', patched(LINUX_NS, { 5: 33 }), 'truncated', 'ipv6'],
    ['ICMPv6 message shorter than its header', patched(LINUX_NS, { 5: 3 }), 'truncated', 'icmpv6'],
    ['NS shorter than its target', patched(LINUX_NS, { 5: 23 }), 'truncated', 'ndp'],
    ['option cut by the payload length', patched(LINUX_NS, { 5: 28 }), 'truncated', 'ndp'],
    ['option length 0', patched(LINUX_NS, { 65: 0 }), 'malformed', 'ndp'],
    ['nonce option length 0', patched(LINUX_DAD_NS, { 65: 0 }), 'malformed', 'ndp'],
    ['ICMPv6 code 1', patched(LINUX_UNSOLICITED_NA, { 41: 1 }), 'malformed', 'ndp'],
    ['link-layer option of 16 bytes', patched(LINUX_NS, { 65: 2 }), 'truncated', 'ndp'],
  ];
  for (const [name, bytes, kind, layer] of bad) {
    test(`${name}: ${kind} at ${layer}`, () => {
      assert.throws(
        () => parseNdPacket(bytes),
        (e: unknown) => e instanceof WireError && e.kind === kind && e.layer === layer,
      );
    });
  }

  test('a link-layer option that is not one Ethernet MAC is unsupported', () => {
    const long = new Uint8Array(LINUX_NS.length + 8);
    long.set(patched(LINUX_NS, { 5: 40, 65: 2 }));
    assert.throws(
      () => parseNdPacket(long),
      (e: unknown) => e instanceof WireError && e.kind === 'unsupported' && e.layer === 'ndp',
    );
  });

  test('every prefix of a packet is truncated, never another error', () => {
    for (const packet of [LINUX_UNSOLICITED_NA, LINUX_NS, LINUX_DAD_NS]) {
      for (let len = 0; len < packet.length; len++) {
        assert.throws(
          () => parseNdPacket(packet.subarray(0, len)),
          (e: unknown) => e instanceof WireError && e.kind === 'truncated' && e.layer === 'ipv6',
        );
      }
    }
  });
});
