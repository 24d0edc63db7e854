import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type ArpSpec, arpSpecFrame, DetectorHarness } from '../testing/observations.js';
import { emitLink, linkBufferLen } from '../wire/compose.js';
import { EtherType } from '../wire/ethertype.js';
import { type Ipv6, parseIpv6 } from '../wire/ipv6.js';
import { parseMac } from '../wire/mac.js';
import {
  emitNdPacket,
  ipv6MulticastMac,
  ndPacketBufferLen,
  unsolicitedNa,
} from '../wire/nd-packet.js';
import type { NdpRepr } from '../wire/ndp.js';
import type { Finding } from './finding.js';
import { InfoEventDetector } from './info-events.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';
import { detectCapture } from '../testing/capture-findings.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const HOST6 = parseIpv6('2001:db8::a');

const harness = (): DetectorHarness =>
  new DetectorHarness(new InfoEventDetector(DEFAULT_THRESHOLDS));

/** An ND message from A to all nodes as an Ethernet frame; `corrupt` spoils its checksum. */
function ndFrame(nd: NdpRepr, source: Ipv6 = HOST6, corrupt = false): Uint8Array {
  const ip = { source, destination: parseIpv6('ff02::1') };
  const link = { destination: ipv6MulticastMac(ip.destination), source: parseMac(A), vlans: [] };
  const length = ndPacketBufferLen(nd);
  const bytes = new Uint8Array(linkBufferLen(link, length));
  const at = emitLink(link, EtherType.IPV6, length, bytes);
  emitNdPacket(ip, nd, bytes.subarray(at, at + length));
  if (corrupt) bytes[at + 40 + 2]! ^= 0xff; // the ICMPv6 checksum, after the IPv6 header
  return bytes;
}

describe('ARP events', () => {
  test('announcement: a request with SPA = TPA and THA zero', () => {
    const [event, ...rest] = harness().arp({ at: 0, sha: A, spa: '192.0.2.1', tpa: '192.0.2.1' });
    assert.deepEqual(rest, []);
    assert.equal(event?.kind, 'announcement');
    assert.equal(event.key, `${A}>192.0.2.1`);
    assert.equal(event.ip, '192.0.2.1');
    assert.equal(event.mac, A);
    assert.deepEqual(event.frames, [1]);
    assert.deepEqual(event.fields, { ip: '192.0.2.1', mac: A });
    assert.equal(event.text, `${A} announces 192.0.2.1`);
  });

  test('gratuitous: the reply form, and a request with THA set', () => {
    const h = harness();
    const [reply] = h.arp({
      at: 0,
      op: 'reply',
      sha: A,
      spa: '192.0.2.1',
      tha: 'ff:ff:ff:ff:ff:ff',
      tpa: '192.0.2.1',
      vlans: [123],
    });
    assert.equal(reply?.kind, 'gratuitous');
    assert.equal(reply.key, `${A}>192.0.2.1 vlan 123`);
    assert.deepEqual(reply.vlans, [123]);
    assert.deepEqual(reply.fields, {
      ip: '192.0.2.1',
      mac: A,
      form: 'reply',
      targetMac: 'ff:ff:ff:ff:ff:ff',
    });
    assert.equal(reply.text, `${A} claims 192.0.2.1 (reply)`);
    const [request] = h.arp({ at: 1, sha: A, spa: '192.0.2.1', tha: A, tpa: '192.0.2.1' });
    assert.equal(request?.kind, 'gratuitous');
    assert.equal(request.fields['form'], 'request');
  });

  test('probe: SPA 0.0.0.0 for a target, whatever THA (arping -D sends broadcast)', () => {
    const h = harness();
    for (const tha of ['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff']) {
      const [probe, ...rest] = h.arp({ at: 0, sha: A, spa: '0.0.0.0', tha, tpa: '192.0.2.7' });
      assert.deepEqual(rest, []);
      assert.equal(probe?.kind, 'probe');
      assert.equal(probe.key, `${A}>192.0.2.7`);
      assert.deepEqual(probe.fields, { ip: '192.0.2.7', mac: A });
      assert.equal(probe.text, `${A} probes for 192.0.2.7`);
    }
  });

  test('not events: ordinary requests and replies, the learn frame, a reply for another IP', () => {
    const h = harness();
    h.arp({ at: 0, sha: A, spa: '192.0.2.1', tpa: '192.0.2.2' });
    h.arp({ at: 0, op: 'reply', sha: B, spa: '192.0.2.2', tha: A, tpa: '192.0.2.1' });
    h.arp({ at: 0, sha: A, spa: '0.0.0.0', tha: 'ff:ff:ff:ff:ff:ff', tpa: '0.0.0.0' });
    h.arp({ at: 0, op: 8, sha: A, spa: '192.0.2.1', tpa: '192.0.2.1' }); // InARP: not ARP's
    assert.deepEqual(h.findings, []);
  });

  test('one event per frame: repeats are reported again', () => {
    const h = harness();
    const spec: ArpSpec = { at: 0, sha: A, spa: '192.0.2.1', tpa: '192.0.2.1' };
    h.arp(spec);
    h.arp({ ...spec, at: 300 });
    assert.deepEqual(
      h.findings.map((f) => f.frames),
      [[1], [2]],
    );
  });

  test('an odd ARP header makes no event', () => {
    const bytes = arpSpecFrame({ at: 0, sha: A, spa: '192.0.2.1', tpa: '192.0.2.1' });
    bytes[14 + 4] = 7; // hlen 7: the addresses are not a MAC and an IPv4 address
    assert.deepEqual(harness().bytes(bytes, 0), []);
  });
});

describe('RARP events', () => {
  test('a request and a reply (RFC 903)', () => {
    const h = harness();
    const [request] = h.arp({
      at: 0,
      rarp: true,
      op: 3,
      sha: A,
      spa: '0.0.0.0',
      tha: A,
      tpa: '0.0.0.0',
    });
    assert.equal(request?.kind, 'rarp');
    assert.equal(request.key, A);
    assert.equal(request.ip, undefined);
    assert.deepEqual(request.fields, {
      op: 'rarp-request',
      senderMac: A,
      targetMac: A,
      ip: '0.0.0.0',
    });
    assert.equal(request.text, `who is ${A}? (from ${A})`);
    const [reply] = h.arp({
      at: 1,
      rarp: true,
      op: 4,
      sha: B,
      spa: '192.0.2.9',
      tha: A,
      tpa: '192.0.2.50',
    });
    assert.equal(reply?.ip, '192.0.2.50');
    assert.equal(reply.mac, A);
    assert.equal(reply.text, `${A} is 192.0.2.50 (from ${B})`);
    assert.equal(reply.fields['op'], 'rarp-reply');
  });

  test('any other operation on the RARP ethertype is an event too', () => {
    const [event] = harness().arp({
      at: 0,
      rarp: true,
      op: 'request',
      sha: A,
      spa: '192.0.2.1',
      tpa: '192.0.2.2',
    });
    assert.equal(event?.kind, 'rarp');
    assert.equal(event.fields['op'], 'request');
  });

  test('a RARP packet that is not Ethernet/IPv4 keeps its operation', () => {
    const bytes = arpSpecFrame({
      at: 0,
      rarp: true,
      op: 3,
      sha: A,
      spa: '0.0.0.0',
      tha: A,
      tpa: '0.0.0.0',
    });
    bytes[14 + 1] = 6; // hardware type 6
    const [event] = harness().bytes(bytes, 0);
    assert.equal(event?.key, 'rarp-request');
    assert.deepEqual(event.fields, { op: 'rarp-request' });
  });
});

describe('unsolicited-na', () => {
  test('RFC 4861 §7.2.6: S clear, O set, the new MAC as target link-layer address', () => {
    const { nd } = unsolicitedNa({ source: HOST6, target: HOST6, mac: parseMac(A) });
    const [event, ...rest] = harness().bytes(ndFrame(nd), 0);
    assert.deepEqual(rest, []);
    assert.equal(event?.kind, 'unsolicited-na');
    assert.equal(event.key, `${A}>2001:db8::a`);
    assert.equal(event.ip, '2001:db8::a');
    assert.equal(event.mac, A);
    assert.deepEqual(event.fields, {
      target: '2001:db8::a',
      source: '2001:db8::a',
      override: true,
      router: false,
      lladdr: A,
    });
    assert.equal(event.text, `2001:db8::a is-at ${A} (override)`);
  });

  test('without a link-layer address, from a router', () => {
    const nd: NdpRepr = {
      type: 'na',
      target: HOST6,
      router: true,
      solicited: false,
      override: false,
    };
    const [event] = harness().bytes(ndFrame(nd, parseIpv6('fe80::1')), 0);
    assert.equal(event?.key, '2001:db8::a');
    assert.equal(event.mac, undefined);
    assert.deepEqual(event.fields, {
      target: '2001:db8::a',
      source: 'fe80::1',
      override: false,
      router: true,
    });
    assert.equal(event.text, '2001:db8::a without a link-layer address (router)');
  });

  test('not events: a solicited NA, an NS, a corrupt unsolicited NA', () => {
    const h = harness();
    const solicited: NdpRepr = {
      type: 'na',
      target: HOST6,
      router: false,
      solicited: true,
      override: true,
      targetLla: parseMac(A),
    };
    h.bytes(ndFrame(solicited), 0);
    h.bytes(ndFrame({ type: 'ns', target: HOST6, sourceLla: parseMac(A) }), 0);
    const { nd } = unsolicitedNa({ source: HOST6, target: HOST6, mac: parseMac(A) });
    h.bytes(ndFrame(nd, HOST6, true), 0);
    assert.deepEqual(h.findings, []);
  });
});

describe('properties', () => {
  test('requests and replies between distinct addresses make no event', () => {
    const host = fc.integer({ min: 1, max: 254 });
    fc.assert(
      fc.property(fc.array(fc.tuple(host, host, fc.boolean()), { maxLength: 40 }), (talks) => {
        const h = harness();
        for (const [from, to, reply] of talks) {
          if (from === to) continue;
          const sha = `02:00:00:00:00:${from.toString(16).padStart(2, '0')}`;
          const tha = reply ? `02:00:00:00:00:${to.toString(16).padStart(2, '0')}` : undefined;
          h.arp({
            at: 0,
            op: reply ? 'reply' : 'request',
            sha,
            spa: `192.0.2.${from}`,
            tpa: `192.0.2.${to}`,
            ...(tha !== undefined ? { tha } : {}),
          });
        }
        assert.deepEqual(h.findings, []);
      }),
    );
  });
});

/** `kind key` of each finding. */
const summary = (findings: readonly Finding[]): string[] =>
  findings.map((f) => `${f.kind} ${f.key}`);

describe('public captures (GROUND_TRUTH.md)', () => {
  test('arp-bootup.pcapng: 3 announcements of 24.6.170.101, nothing else', () => {
    const findings = detectCapture('arp-bootup.pcapng', new InfoEventDetector());
    assert.equal(findings.length, 3);
    assert.ok(findings.every((f) => f.kind === 'announcement' && f.ip === '24.6.170.101'));
  });

  test('zeek-icmp_dot1q.pcap: 2 gratuitous replies on VLAN 123', () => {
    const findings = detectCapture('zeek-icmp_dot1q.pcap', new InfoEventDetector());
    assert.deepEqual(
      findings.map((f) => [f.kind, f.fields['form'], f.vlans]),
      [
        ['gratuitous', 'reply', [123]],
        ['gratuitous', 'reply', [123]],
      ],
    );
  });

  test('arp-badpadding.pcapng: 3 announcements for 10.2.1.69 (frames 100-102)', () => {
    const findings = detectCapture('arp-badpadding.pcapng', new InfoEventDetector());
    assert.deepEqual(
      findings.map((f) => [f.kind, f.ip, f.frames[0]]),
      [100, 101, 102].map((n) => ['announcement', '10.2.1.69', n]),
    );
  });

  test('zeek-linuxsll-arp.pcap (cooked): 2 announcements for 192.168.22.81', () => {
    const findings = detectCapture('zeek-linuxsll-arp.pcap', new InfoEventDetector());
    assert.equal(summary(findings).length, 2);
    assert.ok(findings.every((f) => f.kind === 'announcement' && f.ip === '192.168.22.81'));
  });
});
