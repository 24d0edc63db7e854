import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbIpv4, arbMac } from '../testing/arbitraries.js';
import { hex } from '../testing/bytes.js';
import { ArpOp, parseArp } from '../wire/arp.js';
import { EtherType } from '../wire/ethertype.js';
import { type DecodedFrame, decodeFrame } from '../wire/frame.js';
import { parseIpv4, readIpv4 } from '../wire/ipv4.js';
import { MAC_BROADCAST, parseMac } from '../wire/mac.js';
import { rarpFrame } from './announcers.js';
import { arpSimFrame, dataSimFrame, FrameKind, SimFrame } from './frame.js';
import type { Packet } from './packet.js';
import { ipv4Checksum, wireFrame } from './wire-frame.js';

/** The 16-bit one's-complement sum of `bytes` (RFC 1071), folded: 0xffff over a valid header. */
function onesSum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) + (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The ARP fields of a decoded ARP or RARP frame, and its Ethernet addresses. */
function arpOf(decoded: DecodedFrame) {
  assert.ok(decoded.proto === 'arp' || decoded.proto === 'rarp', decoded.proto);
  return {
    proto: decoded.proto,
    source: decoded.source,
    destination: decoded.destination,
    ...parseArp(decoded.arp),
  };
}

const arbPacket = fc.record({
  flow: fc.integer({ min: 0, max: 0xffff_ffff }),
  seq: fc.integer({ min: 0, max: 0xffff_ffff }),
  sentAt: fc.nat(),
  source: arbIpv4(),
  destination: arbIpv4(),
});

describe('wire frame', () => {
  test('a data frame, byte for byte: Ethernet/IPv4/UDP to port 9, flow and number as payload', () => {
    const a = parseMac('02:00:00:00:00:01');
    const b = parseMac('02:00:00:00:00:02');
    const packet: Packet = {
      flow: 3,
      seq: 7,
      sentAt: 0,
      source: parseIpv4('10.0.0.1'),
      destination: parseIpv4('10.0.0.2'),
    };
    const expected = hex(`
      020000000002 020000000001 0800
      4500 0024 0000 0000 4011 66c7 0a000001 0a000002
      0009 0009 0010 0000
      00000003 00000007
      00000000000000000000
    `);
    assert.deepEqual(wireFrame(dataSimFrame(a, b, packet)), expected);
  });

  test('ipv4Checksum: the RFC 791 header of the usual worked example sums to 0xb861', () => {
    const header = hex('4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7');
    assert.equal(ipv4Checksum(header), 0xb861);
    header[10] = 0xb8;
    header[11] = 0x61;
    assert.equal(ipv4Checksum(header), 0, 'a header with its checksum sums to 0xffff');
  });

  test('property: ARP and RARP frames decode to the same fields with the right ethertype', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(FrameKind.ARP, FrameKind.RARP),
        fc.oneof(fc.constantFrom(...Object.values(ArpOp)), fc.integer({ min: 0, max: 0xffff })),
        fc.tuple(arbMac(), arbMac(), arbMac(), arbMac()),
        fc.tuple(arbIpv4(), arbIpv4()),
        (kind, op, [source, destination, senderMac, targetMac], [senderIp, targetIp]) => {
          const frame = new SimFrame(
            kind,
            source,
            destination,
            op,
            senderMac,
            senderIp,
            targetMac,
            targetIp,
            undefined,
          );
          const bytes = wireFrame(frame);
          assert.equal(bytes.length, 60, 'padded to the Ethernet minimum');
          const decoded = decodeFrame(bytes, 'ethernet');
          assert.equal(decoded.ethertype, kind === FrameKind.RARP ? EtherType.RARP : EtherType.ARP);
          assert.deepEqual(arpOf(decoded), {
            proto: kind === FrameKind.RARP ? 'rarp' : 'arp',
            source,
            destination,
            op,
            senderMac,
            senderIp,
            targetMac,
            targetIp,
          });
        },
      ),
    );
  });

  test('property: a data frame decodes as IPv4 with its addresses, lengths, payload and a valid checksum', () => {
    fc.assert(
      fc.property(arbMac(), arbMac(), arbPacket, (source, destination, packet) => {
        const bytes = wireFrame(dataSimFrame(source, destination, packet));
        const decoded = decodeFrame(bytes, 'ethernet');
        assert.equal(decoded.proto, 'other');
        assert.equal(decoded.ethertype, EtherType.IPV4);
        assert.equal(decoded.source, source);
        assert.equal(decoded.destination, destination);
        const ip = decoded.ethernet!.payload;
        const view = new DataView(ip.buffer, ip.byteOffset, ip.byteLength);
        assert.equal(ip[0], 0x45, 'IPv4, 20-byte header');
        const total = view.getUint16(2);
        assert.equal(total, 20 + 8 + 8);
        assert.ok(ip.length >= total, 'the datagram fits in the frame');
        assert.equal(ip[8], 64, 'TTL');
        assert.equal(ip[9], 17, 'UDP');
        assert.equal(readIpv4(ip, 12), packet.source);
        assert.equal(readIpv4(ip, 16), packet.destination);
        assert.equal(onesSum(ip.subarray(0, 20)), 0xffff, 'the header checksum verifies');
        assert.equal(ipv4Checksum(ip.subarray(0, 20)), 0);
        assert.deepEqual(
          [view.getUint16(20), view.getUint16(22), view.getUint16(24), view.getUint16(26)],
          [9, 9, 16, 0],
          'UDP ports, length, no checksum',
        );
        assert.deepEqual([view.getUint32(28), view.getUint32(32)], [packet.flow, packet.seq]);
        assert.ok(
          ip.subarray(total).every((byte) => byte === 0),
          'padding is zero',
        );
      }),
    );
  });

  test('the frames the simulator sends decode as what they are', () => {
    const mac = parseMac('52:54:00:12:34:56');
    const rarp = arpOf(decodeFrame(wireFrame(rarpFrame(mac)), 'ethernet'));
    assert.deepEqual(rarp, {
      proto: 'rarp',
      source: mac,
      destination: MAC_BROADCAST,
      op: ArpOp.RARP_REQUEST,
      senderMac: mac,
      senderIp: 0,
      targetMac: mac,
      targetIp: 0,
    });
    const ip = parseIpv4('192.0.2.1');
    const reply = arpSimFrame(ArpOp.REPLY, mac, parseMac('02:00:00:00:00:09'), ip, mac, ip);
    assert.equal(arpOf(decodeFrame(wireFrame(reply), 'ethernet')).proto, 'arp');
  });
});
