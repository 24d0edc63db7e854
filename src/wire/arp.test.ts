import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbIpv4, arbMac } from '../testing/arbitraries.js';
import { atOffset, hex, prefilled } from '../testing/bytes.js';
import {
  ARP_ETHERNET_IPV4_LEN,
  ArpOp,
  ArpPacket,
  type ArpRepr,
  arpBufferLen,
  arpOpName,
  emitArp,
  parseArp,
} from './arp.js';
import { WireError } from './error.js';
import { parseIpv4 } from './ipv4.js';
import { parseMac } from './mac.js';

// An RFC 5227 announcement seen on the wire: arp-bootup.pcapng frame 1, after its 14-byte
// Ethernet header. tcpdump -e -XX:
//   00:23:54:69:8f:58 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60:
//   Request who-has 24.6.170.101 tell 24.6.170.101, length 46
//   0x0000:  ffff ffff ffff 0023 5469 8f58 0806 0001  .......#Ti.X....
//   0x0010:  0800 0604 0001 0023 5469 8f58 1806 aa65  .......#Ti.X...e
//   0x0020:  0000 0000 0000 1806 aa65 0000 0000 0000  .........e......
const PACKET_BYTES = hex(`
  0001          # htype: Ethernet
  0800          # ptype: IPv4
  06            # hlen
  04            # plen
  0001          # op: request
  002354698f58  # sha
  1806aa65      # spa: 24.6.170.101
  000000000000  # tha: zeros (RFC 5227 §2.3)
  1806aa65      # tpa: 24.6.170.101
`);

const PACKET_REPR: ArpRepr = {
  op: ArpOp.REQUEST,
  senderMac: parseMac('00:23:54:69:8f:58'),
  senderIp: parseIpv4('24.6.170.101'),
  targetMac: parseMac('00:00:00:00:00:00'),
  targetIp: parseIpv4('24.6.170.101'),
};

describe('arp', () => {
  test('deconstruct', () => {
    const packet = ArpPacket.checked(PACKET_BYTES);
    assert.equal(packet.htype, 1);
    assert.equal(packet.ptype, 0x0800);
    assert.equal(packet.hlen, 6);
    assert.equal(packet.plen, 4);
    assert.equal(packet.op, 1);
    assert.ok(packet.isEthernetIpv4);
    assert.deepEqual(packet.senderHardware, hex('002354698f58'));
    assert.deepEqual(packet.senderProtocol, hex('1806aa65'));
    assert.deepEqual(packet.targetHardware, hex('000000000000'));
    assert.deepEqual(packet.targetProtocol, hex('1806aa65'));
    assert.equal(packet.trailer.length, 0);
  });

  test('construct', () => {
    const bytes = prefilled(ARP_ETHERNET_IPV4_LEN);
    const packet = ArpPacket.unchecked(bytes);
    packet.setEthernetIpv4Header(ArpOp.REQUEST);
    packet.senderHardware.set(hex('002354698f58'));
    packet.senderProtocol.set(hex('1806aa65'));
    packet.targetHardware.set(hex('000000000000'));
    packet.targetProtocol.set(hex('1806aa65'));
    assert.deepEqual(bytes, PACKET_BYTES);
  });

  test('parse', () => {
    assert.deepEqual(parseArp(ArpPacket.checked(PACKET_BYTES)), PACKET_REPR);
  });

  test('emit', () => {
    const bytes = prefilled(arpBufferLen());
    emitArp(PACKET_REPR, ArpPacket.unchecked(bytes));
    assert.deepEqual(bytes, PACKET_BYTES);
  });

  test('Ethernet padding after the packet is a trailer, not an error', () => {
    const padded = new Uint8Array(46);
    padded.set(PACKET_BYTES);
    const packet = ArpPacket.checked(padded);
    assert.equal(packet.trailer.length, 46 - 28);
    assert.deepEqual(parseArp(packet), PACKET_REPR);
  });

  test('round trip of every representable value, at any offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        arbMac(),
        arbIpv4(),
        arbMac(),
        arbIpv4(),
        fc.nat(9),
        (op, senderMac, senderIp, targetMac, targetIp, at) => {
          const repr: ArpRepr = { op, senderMac, senderIp, targetMac, targetIp };
          const bytes = atOffset(prefilled(arpBufferLen()), at);
          emitArp(repr, ArpPacket.unchecked(bytes));
          assert.deepEqual(parseArp(ArpPacket.checked(bytes)), repr);
        },
      ),
    );
  });

  test('other address types keep their lengths and are unsupported by parseArp', () => {
    // IPoIB-like: htype 32, hlen 20, plen 4 — RFC 4391.
    const bytes = new Uint8Array(8 + 2 * (20 + 4));
    bytes.set(hex('0020 0800 14 04 0001'));
    const packet = ArpPacket.checked(bytes);
    assert.equal(packet.senderHardware.length, 20);
    assert.equal(packet.targetProtocol.length, 4);
    assert.equal(packet.isEthernetIpv4, false);
    assert.throws(
      () => parseArp(packet),
      (e: unknown) =>
        e instanceof WireError && e.kind === 'unsupported' && /htype 32/.test(e.message),
    );
  });

  test('truncated and malformed inputs', () => {
    const cases: Array<[string, Uint8Array, 'truncated' | 'malformed' | 'unsupported']> = [
      ['empty', new Uint8Array(0), 'truncated'],
      ['header cut', PACKET_BYTES.subarray(0, 7), 'truncated'],
      ['addresses cut', PACKET_BYTES.subarray(0, 27), 'truncated'],
      ['hlen 255 beyond the buffer', hex('0001 0800 ff 04 0001 00000000'), 'truncated'],
      ['ATM ARP has another layout', hex(`0013 0800 06 04 0001 ${'00'.repeat(20)}`), 'unsupported'],
    ];
    for (const [what, bytes, kind] of cases) {
      assert.throws(
        () => parseArp(ArpPacket.checked(bytes)),
        (e: unknown) => e instanceof WireError && e.kind === kind && e.layer === 'arp',
        what,
      );
    }
    for (let len = 0; len < PACKET_BYTES.length; len++) {
      assert.throws(() => ArpPacket.checked(PACKET_BYTES.subarray(0, len)), WireError);
    }
    assert.throws(
      () => emitArp({ ...PACKET_REPR, op: 0x10000 }, ArpPacket.unchecked(prefilled(28))),
      (e: unknown) => e instanceof WireError && e.kind === 'malformed',
    );
  });

  test('random bytes never throw anything but WireError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          const packet = ArpPacket.checked(bytes);
          void [packet.senderHardware, packet.targetProtocol, packet.trailer, packet.op];
          parseArp(packet);
        } catch (e) {
          assert.ok(e instanceof WireError);
        }
      }),
    );
  });

  test('op names keep unknown values', () => {
    assert.equal(arpOpName(1), 'request');
    assert.equal(arpOpName(2), 'reply');
    assert.equal(arpOpName(3), 'rarp-request');
    assert.equal(arpOpName(4), 'rarp-reply');
    assert.equal(arpOpName(0x7501), '0x7501');
    assert.equal(arpOpName(0), '0x0000');
  });
});
