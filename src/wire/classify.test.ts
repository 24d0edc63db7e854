import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arbMac } from '../testing/arbitraries.js';
import { ArpOp, ArpPacket, type ArpRepr, arpBufferLen, emitArp } from './arp.js';
import {
  ArpFlag,
  arpFlagNames,
  arpFlags,
  ethernetIpv4ArpFlags,
  hasEthSourceMismatch,
  isAnnouncement,
  isBroadcastRequest,
  isGratuitous,
  isLearnFrame,
  isProbe,
  isUnicastRequest,
  type LinkDelivery,
} from './classify.js';
import { IPV4_ANY, type Ipv4, parseIpv4 } from './ipv4.js';
import { MAC_BROADCAST, MAC_ZERO, type Mac, parseMac } from './mac.js';
import { SllPacketType } from './sll.js';

const HOST = parseMac('02:00:00:00:00:01');
const PEER = parseMac('02:00:00:00:00:02');
const VIP = parseIpv4('192.0.2.10');
const GW = parseIpv4('192.0.2.1');

function packet(repr: ArpRepr): ArpPacket {
  const bytes = new Uint8Array(arpBufferLen());
  emitArp(repr, ArpPacket.unchecked(bytes));
  return ArpPacket.checked(bytes);
}

function ethernet(source: Mac, destination: Mac): LinkDelivery {
  return { source, destination, packetType: undefined };
}

const BROADCAST_FROM_HOST = ethernet(HOST, MAC_BROADCAST);

/** The frames failover tools send, each with the classification it must get. */
const KNOWN: Array<[string, ArpRepr, LinkDelivery, string[]]> = [
  [
    'RFC 5227 announcement (kernel arp_notify, bonding)',
    { op: ArpOp.REQUEST, senderMac: HOST, senderIp: VIP, targetMac: MAC_ZERO, targetIp: VIP },
    BROADCAST_FROM_HOST,
    ['request', 'gratuitous', 'announcement', 'broadcast'],
  ],
  [
    'arping -U (THA broadcast)',
    { op: ArpOp.REQUEST, senderMac: HOST, senderIp: VIP, targetMac: MAC_BROADCAST, targetIp: VIP },
    BROADCAST_FROM_HOST,
    ['request', 'gratuitous', 'broadcast'],
  ],
  [
    'arping -A (gratuitous reply, THA = SHA)',
    { op: ArpOp.REPLY, senderMac: HOST, senderIp: VIP, targetMac: HOST, targetIp: VIP },
    BROADCAST_FROM_HOST,
    ['reply', 'gratuitous'],
  ],
  [
    'RFC 5227 probe (SPA 0.0.0.0, THA zeros)',
    { op: ArpOp.REQUEST, senderMac: HOST, senderIp: IPV4_ANY, targetMac: MAC_ZERO, targetIp: VIP },
    BROADCAST_FROM_HOST,
    ['request', 'probe', 'broadcast'],
  ],
  [
    'arping -D probe (THA broadcast)',
    {
      op: ArpOp.REQUEST,
      senderMac: HOST,
      senderIp: IPV4_ANY,
      targetMac: MAC_BROADCAST,
      targetIp: VIP,
    },
    BROADCAST_FROM_HOST,
    ['request', 'probe', 'broadcast'],
  ],
  [
    'send_arp learn frame for a guest MAC',
    {
      op: ArpOp.REQUEST,
      senderMac: PEER,
      senderIp: IPV4_ANY,
      targetMac: MAC_BROADCAST,
      targetIp: IPV4_ANY,
    },
    ethernet(PEER, MAC_BROADCAST),
    ['request', 'gratuitous', 'broadcast', 'learn'],
  ],
  [
    'unicast refresh request',
    { op: ArpOp.REQUEST, senderMac: HOST, senderIp: GW, targetMac: MAC_ZERO, targetIp: VIP },
    ethernet(HOST, PEER),
    ['request', 'unicast'],
  ],
  [
    'reply sent by a proxy for someone else',
    { op: ArpOp.REPLY, senderMac: PEER, senderIp: VIP, targetMac: HOST, targetIp: GW },
    ethernet(HOST, HOST),
    ['reply', 'eth-src-mismatch'],
  ],
  [
    'cooked capture, broadcast request',
    { op: ArpOp.REQUEST, senderMac: HOST, senderIp: GW, targetMac: MAC_ZERO, targetIp: VIP },
    { source: HOST, destination: undefined, packetType: SllPacketType.BROADCAST },
    ['request', 'broadcast'],
  ],
  [
    'cooked capture, outgoing request: neither unicast nor broadcast is known',
    { op: ArpOp.REQUEST, senderMac: HOST, senderIp: GW, targetMac: MAC_ZERO, targetIp: VIP },
    { source: HOST, destination: undefined, packetType: SllPacketType.OUTGOING },
    ['request'],
  ],
];

describe('classify', () => {
  for (const [what, repr, link, names] of KNOWN) {
    test(what, () => {
      assert.deepEqual(arpFlagNames(arpFlags(packet(repr), link)), names);
    });
  }

  // Addresses drawn from a few values so that equalities (SPA = TPA, SPA = 0…) happen often.
  const ip = fc.constantFrom<Ipv4>(IPV4_ANY, VIP, GW);
  const mac = fc.oneof(fc.constantFrom<Mac>(MAC_ZERO, MAC_BROADCAST, HOST, PEER), arbMac());
  const op = fc.constantFrom(1, 2, 3, 4, 0x7501);
  const arbRepr = fc.record({ op, senderMac: mac, senderIp: ip, targetMac: mac, targetIp: ip });
  const arbLink = fc.record({
    source: fc.option(mac, { nil: undefined }),
    destination: fc.option(mac, { nil: undefined }),
    packetType: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
  });

  test('each predicate matches its RFC definition on the parsed values', () => {
    fc.assert(
      fc.property(arbRepr, arbLink, (repr, link) => {
        const p = packet(repr);
        const request = repr.op === ArpOp.REQUEST;
        const gratuitous = (request || repr.op === ArpOp.REPLY) && repr.senderIp === repr.targetIp;
        assert.equal(isGratuitous(p), gratuitous);
        assert.equal(isAnnouncement(p), gratuitous && request && repr.targetMac === MAC_ZERO);
        assert.equal(
          isProbe(p),
          request && repr.senderIp === IPV4_ANY && repr.targetIp !== IPV4_ANY,
        );
        assert.equal(
          isLearnFrame(p),
          request &&
            repr.senderIp === IPV4_ANY &&
            repr.targetIp === IPV4_ANY &&
            repr.targetMac === MAC_BROADCAST,
        );
        assert.equal(
          hasEthSourceMismatch(p, link),
          link.source !== undefined && link.source !== repr.senderMac,
        );
        const broadcast = isBroadcastRequest(p, link);
        const unicast = isUnicastRequest(p, link);
        assert.ok(!(broadcast && unicast));
        if (!request) assert.ok(!broadcast && !unicast);
        if (request && link.destination !== undefined) {
          assert.equal(broadcast, link.destination === MAC_BROADCAST);
          assert.equal(unicast, !broadcast);
        }
      }),
    );
  });

  test('arpFlags sets exactly the bits whose RFC definitions hold', () => {
    fc.assert(
      fc.property(arbRepr, arbLink, (repr, link) => {
        const request = repr.op === ArpOp.REQUEST;
        const reply = repr.op === ArpOp.REPLY;
        const gratuitous = (request || reply) && repr.senderIp === repr.targetIp;
        const expected = [
          [ArpFlag.REQUEST, request],
          [ArpFlag.REPLY, reply],
          [ArpFlag.GRATUITOUS, gratuitous],
          [ArpFlag.ANNOUNCEMENT, gratuitous && request && repr.targetMac === MAC_ZERO],
          [ArpFlag.PROBE, request && repr.senderIp === IPV4_ANY && repr.targetIp !== IPV4_ANY],
          [
            ArpFlag.LEARN,
            request &&
              repr.senderIp === IPV4_ANY &&
              repr.targetIp === IPV4_ANY &&
              repr.targetMac === MAC_BROADCAST,
          ],
          [ArpFlag.ETH_SRC_MISMATCH, link.source !== undefined && link.source !== repr.senderMac],
          [
            ArpFlag.BROADCAST,
            request &&
              (link.destination !== undefined
                ? link.destination === MAC_BROADCAST
                : link.packetType === SllPacketType.BROADCAST),
          ],
          [
            ArpFlag.UNICAST,
            request &&
              (link.destination !== undefined
                ? link.destination !== MAC_BROADCAST
                : link.packetType === SllPacketType.HOST ||
                  link.packetType === SllPacketType.OTHERHOST),
          ],
        ] as const;
        let bits = 0;
        for (const [bit, holds] of expected) if (holds) bits |= bit;
        assert.equal(arpFlags(packet(repr), link), bits);
      }),
    );
  });

  test('ethernetIpv4ArpFlags: the bits of arpFlags, from the fields as numbers', () => {
    fc.assert(
      fc.property(arbRepr, arbLink, (repr, link) => {
        const numbers = ethernetIpv4ArpFlags({
          op: repr.op,
          sha: repr.senderMac,
          spa: repr.senderIp,
          tha: repr.targetMac,
          tpa: repr.targetIp,
          ethDestination: link.destination ?? -1,
          ethSource: link.source ?? -1,
          packetType: link.packetType ?? -1,
        });
        assert.equal(numbers, arpFlags(packet(repr), link));
      }),
      { numRuns: 1000 },
    );
  });
});
