import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { memoryLinkPair } from '../link/memory-link.js';
import { VirtualClock } from '../time/virtual-clock.js';
import { ArpOp, parseArp } from '../wire/arp.js';
import { arpFrame } from '../wire/compose.js';
import { decodeFrame } from '../wire/frame.js';
import { IPV4_ANY, parseIpv4 } from '../wire/ipv4.js';
import { MAC_BROADCAST, MAC_ZERO, parseMac } from '../wire/mac.js';
import { conflictingMac, probe } from './probe.js';
import { sendFrame } from './send-frame.js';

const OURS = parseMac('02:00:00:00:00:01');
const OWNER = parseMac('02:00:00:00:00:02');
const IP = parseIpv4('192.0.2.50');
const link = { destination: MAC_BROADCAST, source: OWNER, vlans: [] };
const received = (bytes: Uint8Array) => ({ bytes, sec: 0, nsec: 0, packetType: 1 });
const PROBE = sendFrame({ kind: 'probe', mac: OURS, ip: IP });

describe('probe', () => {
  test('an owner that answers is named; probing stops early', async () => {
    const clock = new VirtualClock();
    const [ours, peer] = memoryLinkPair(clock);
    // The owner answers every probe for its address, as the Linux kernel does.
    peer.receive((frame) => {
      const decoded = decodeFrame(frame.bytes, 'ethernet');
      if (decoded.proto !== 'arp') return;
      const request = parseArp(decoded.arp);
      if (request.targetIp !== IP) return;
      peer.send(
        arpFrame(
          { destination: request.senderMac, source: OWNER, vlans: [] },
          {
            op: ArpOp.REPLY,
            senderMac: OWNER,
            senderIp: IP,
            targetMac: request.senderMac,
            targetIp: IPV4_ANY,
          },
        ),
      );
    });
    const sent: number[] = [];
    const result = probe(ours, clock, {
      frame: PROBE,
      mac: OURS,
      ip: IP,
      count: 3,
      intervalMs: 1000,
      waitMs: 2000,
      onSent: (n) => sent.push(n),
    });
    await clock.advance(5000);
    assert.equal(await result, OWNER);
    assert.deepEqual(sent, [1]);
  });

  test('a free address: every probe goes out, then the wait, then undefined', async () => {
    const clock = new VirtualClock();
    const [ours, peer] = memoryLinkPair(clock);
    const start = clock.now();
    let done = Number.NaN;
    const result = probe(ours, clock, {
      frame: PROBE,
      mac: OURS,
      ip: IP,
      count: 3,
      intervalMs: 1000,
      waitMs: 2000,
    }).then((mac) => {
      done = clock.now() - start;
      return mac;
    });
    await clock.advance(10_000);
    assert.equal(await result, undefined);
    assert.equal(done, 4000);
    assert.equal(ours.sent.length, 3);
    const frame = decodeFrame(ours.sent[0]!, 'ethernet');
    assert.ok(frame.proto === 'arp');
    assert.deepEqual(parseArp(frame.arp), {
      op: ArpOp.REQUEST,
      senderMac: OURS,
      senderIp: IPV4_ANY,
      targetMac: MAC_ZERO,
      targetIp: IP,
    });
    void peer;
  });

  test('what counts as a conflict (RFC 5227 §2.1.1)', () => {
    const arp = (op: number, senderMac: typeof OURS, senderIp: typeof IP, targetIp: typeof IP) =>
      received(
        arpFrame(
          { ...link, source: senderMac },
          { op, senderMac, senderIp, targetMac: MAC_ZERO, targetIp },
        ),
      );
    const other = parseIpv4('192.0.2.51');
    assert.equal(conflictingMac(arp(ArpOp.REPLY, OWNER, IP, IPV4_ANY), IP, OURS), OWNER);
    assert.equal(conflictingMac(arp(ArpOp.REQUEST, OWNER, IP, other), IP, OURS), OWNER);
    assert.equal(
      conflictingMac(arp(ArpOp.REQUEST, OWNER, IPV4_ANY, IP), IP, OURS),
      OWNER,
      'their probe',
    );
    assert.equal(
      conflictingMac(arp(ArpOp.REQUEST, OURS, IPV4_ANY, IP), IP, OURS),
      undefined,
      'our own',
    );
    assert.equal(
      conflictingMac(arp(ArpOp.REQUEST, OWNER, other, IP), IP, OURS),
      undefined,
      'asks for it',
    );
    assert.equal(conflictingMac(arp(ArpOp.REPLY, OWNER, other, IP), IP, OURS), undefined);
    // On a trunk, only the probed VLAN counts.
    const tagged = (vid: number) =>
      received(
        arpFrame(
          { ...link, vlans: [{ tpid: 0x8100, pcp: 0, dei: false, vid }] },
          { op: ArpOp.REPLY, senderMac: OWNER, senderIp: IP, targetMac: OURS, targetIp: IPV4_ANY },
        ),
      );
    assert.equal(conflictingMac(tagged(5), IP, OURS, [5]), OWNER);
    assert.equal(conflictingMac(tagged(6), IP, OURS, [5]), undefined);
    assert.equal(conflictingMac(tagged(5), IP, OURS), undefined, 'untagged probe');
    assert.equal(conflictingMac(arp(ArpOp.REPLY, OWNER, IP, IPV4_ANY), IP, OURS, [5]), undefined);
  });
});
