import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { hex } from '../testing/bytes.js';
import { ArpPacket, emitArp, parseArp } from './arp.js';
import { WireError } from './error.js';
import { EtherType } from './ethertype.js';
import { type DecodedFrame, decodeFrame, FrameDecoder } from './frame.js';
import { IPV4_ANY } from './ipv4.js';
import { MAC_BROADCAST, parseMac } from './mac.js';

// tcpdump's 802.1ad_QinQ.pcap frame 1. tcpdump -e -XX:
//   00:20:d2:5a:fb:3f > ff:ff:ff:ff:ff:ff, ethertype 802.1Q-QinQ (0x88a8), length 64: vlan 200, p 0,
//   ethertype 802.1Q (0x8100), vlan 2001, p 0, ethertype ARP (0x0806), Request who-has
//   172.21.79.100 tell 172.21.79.97, length 42
const QINQ_FRAME = hex(`
  ffffffffffff 0020d25afb3f  # destination, source
  88a8 00c8                  # 802.1ad tag: vid 200
  8100 07d1                  # 802.1Q tag: vid 2001
  0806                       # ARP
  0001 0800 0604 0001 0020d25afb3f ac154f61 000000000000 ac154f64
  0000000000000000000000000000000000  # padding
`);

// zeek's linuxsll-arp.pcap frame 1 (cooked v1).
const SLL_FRAME = hex(`
  0001 0001 0006 cc2de0261999 0000 0806
  0001 0800 0604 0001 cc2de0261999 c0a81601 000000000000 c0a816a0
  00000000000000000000000000000000
`);

describe('decodeFrame', () => {
  test('Ethernet → 802.1ad → 802.1Q → ARP', () => {
    const frame = decodeFrame(QINQ_FRAME, 'ethernet');
    assert.equal(frame.proto, 'arp');
    assert.equal(frame.source, parseMac('00:20:d2:5a:fb:3f'));
    assert.equal(frame.destination, MAC_BROADCAST);
    assert.deepEqual(
      frame.vlans.map((t) => [t.tpid, t.vid]),
      [
        [EtherType.QINQ, 200],
        [EtherType.VLAN, 2001],
      ],
    );
    assert.equal(frame.ethertype, EtherType.ARP);
    if (frame.proto !== 'arp') return;
    const repr = parseArp(frame.arp);
    assert.equal(repr.op, 1);
    assert.equal(repr.targetIp, 0xac154f64);
  });

  test('Linux cooked v1 → ARP', () => {
    const frame = decodeFrame(SLL_FRAME, 'sll');
    assert.equal(frame.proto, 'arp');
    assert.equal(frame.source, parseMac('cc:2d:e0:26:19:99'));
    assert.equal(frame.destination, undefined);
    assert.equal(frame.packetType, 1);
  });

  test('RARP by its ethertype', () => {
    const bytes = new Uint8Array(60);
    bytes.set(hex('ffffffffffff 525400123456 8035'));
    const mac = parseMac('52:54:00:12:34:56');
    emitArp(
      { op: 3, senderMac: mac, senderIp: IPV4_ANY, targetMac: mac, targetIp: IPV4_ANY },
      ArpPacket.unchecked(bytes.subarray(14)),
    );
    const frame = decodeFrame(bytes, 'ethernet');
    assert.equal(frame.proto, 'rarp');
  });

  test('a third tag is not decoded: other, with the tag TPID as ethertype', () => {
    const bytes = hex('ffffffffffff 020000000001 88a8 0001 8100 0002 8100 0003 0806 0001');
    const frame = decodeFrame(bytes, 'ethernet');
    assert.equal(frame.proto, 'other');
    assert.equal(frame.ethertype, EtherType.VLAN);
    assert.equal(frame.vlans.length, 2);
  });

  test('IPv4 and IPv6 that is not ND are other', () => {
    const ipv4 = hex('ffffffffffff 020000000001 0800 4500');
    assert.equal(decodeFrame(ipv4, 'ethernet').proto, 'other');
    // IPv6 header with next header 6 (TCP).
    const ipv6 = hex(
      `333300000001 020000000001 86dd 60000000 0000 06 40 ${'00'.repeat(15)}01 ${'00'.repeat(15)}02`,
    );
    assert.equal(decodeFrame(ipv6, 'ethernet').proto, 'other');
  });

  test('every prefix of an ARP frame is arp or malformed, never a throw', () => {
    for (let len = 0; len <= QINQ_FRAME.length; len++) {
      const frame = decodeFrame(QINQ_FRAME.subarray(0, len), 'ethernet');
      const expected = len >= 14 + 8 + 28 ? 'arp' : 'malformed';
      assert.equal(frame.proto, expected, `length ${len}`);
      if (frame.proto === 'malformed') assert.equal(frame.error.kind, 'truncated');
    }
  });

  test('random and mutated bytes never throw', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'ethernet' | 'sll' | 'sll2'>('ethernet', 'sll', 'sll2'),
        fc.oneof(
          fc.uint8Array({ maxLength: 120 }),
          fc
            .tuple(fc.nat(QINQ_FRAME.length - 1), fc.integer({ min: 0, max: 255 }))
            .map(([at, value]) => {
              const bytes = QINQ_FRAME.slice();
              bytes[at] = value;
              return bytes;
            }),
        ),
        (link, bytes) => {
          touchEveryField(decodeFrame(bytes, link));
        },
      ),
    );
  });

  test('a shared decoder given any offset and length never throws, nor do its views', () => {
    const decoder = new FrameDecoder();
    fc.assert(
      fc.property(
        fc.constantFrom<'ethernet' | 'sll' | 'sll2'>('ethernet', 'sll', 'sll2'),
        fc.uint8Array({ maxLength: 120 }),
        fc.integer({ min: -4, max: 130 }),
        fc.integer({ min: -4, max: 130 }),
        (link, bytes, offset, length) => {
          touchEveryField(decoder.decodeShared(bytes, offset, length, link));
        },
      ),
    );
    // The decoder still works after all that.
    assert.equal(decoder.decodeShared(QINQ_FRAME, 0, QINQ_FRAME.length, 'ethernet').proto, 'arp');
  });
});

/**
 * Reads every field a decoded frame offers, so a getter that would throw or read outside its
 * bytes after a successful check (the contract in wire/index.ts) fails the test.
 */
function touchEveryField(frame: DecodedFrame): void {
  assert.ok(['arp', 'rarp', 'ndp', 'other', 'malformed'].includes(frame.proto));
  void [frame.source, frame.destination, frame.packetType, frame.ethertype];
  for (const tag of frame.vlans) void [tag.vid, tag.pcp, tag.dei, tag.tpid];
  if (frame.ethernet !== undefined) {
    const e = frame.ethernet;
    for (const value of [e.destination, e.source, e.ethertype]) assert.ok(Number.isFinite(value));
  }
  if (frame.proto === 'arp' || frame.proto === 'rarp') {
    const p = frame.arp;
    for (const value of [p.htype, p.ptype, p.hlen, p.plen, p.op])
      assert.ok(Number.isInteger(value));
    const fields = [p.senderHardware, p.senderProtocol, p.targetHardware, p.targetProtocol];
    assert.deepEqual(
      fields.map((f) => f.length),
      [p.hlen, p.plen, p.hlen, p.plen],
    );
    assert.ok(p.trailer.length >= 0);
    assert.ok(p.end <= p.bytes.length);
    if (p.isEthernetIpv4) parseArp(p);
  }
  if (frame.proto === 'ndp') void [frame.nd.ip, frame.nd.nd, frame.nd.checksumOk];
  if (frame.proto === 'malformed') assert.ok(frame.error instanceof WireError);
}
