import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type ArpSpec, arpSpecFrame, DetectorHarness } from '../testing/observations.js';
import { emitLink, linkBufferLen } from '../wire/compose.js';
import { EtherType } from '../wire/ethertype.js';
import { parseIpv6 } from '../wire/ipv6.js';
import { parseMac } from '../wire/mac.js';
import {
  emitNdPacket,
  ipv6MulticastMac,
  ndPacketBufferLen,
  unsolicitedNa,
} from '../wire/nd-packet.js';
import { AnomalyDetector, badMacClass, isKnownArpOp, MAX_FLOOD_MACS_PER_IP } from './anomalies.js';
import type { Finding } from './finding.js';
import { Subnets } from './subnets.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds.js';
import { detectCapture } from '../testing/capture-findings.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
/** Where the ARP packet starts in an untagged frame. */
const ARP_AT = 14;

function harness(
  nets: readonly string[] = [],
  overrides: Partial<Thresholds> = {},
): DetectorHarness {
  return new DetectorHarness(
    new AnomalyDetector({ ...DEFAULT_THRESHOLDS, ...overrides }, Subnets.parse(nets)),
  );
}

/** A request from A (192.0.2.1) for 192.0.2.2, with `spec` laid over it. */
function request(spec: Partial<ArpSpec> = {}): ArpSpec {
  return { at: 0, sha: A, spa: '192.0.2.1', tpa: '192.0.2.2', ...spec };
}

/** The frame `spec` describes with `edits` (offset in the frame → byte) applied. */
function patched(spec: ArpSpec, edits: Record<number, number>): Uint8Array {
  const bytes = arpSpecFrame(spec);
  for (const [at, value] of Object.entries(edits)) bytes[Number(at)] = value;
  return bytes;
}

/** An unsolicited NA from A for 2001:db8::a as an Ethernet frame. */
function naFrame(): Uint8Array {
  const target = parseIpv6('2001:db8::a');
  const { ip, nd } = unsolicitedNa({ source: target, target, mac: parseMac(A) });
  const link = { destination: ipv6MulticastMac(ip.destination), source: parseMac(A), vlans: [] };
  const length = ndPacketBufferLen(nd);
  const bytes = new Uint8Array(linkBufferLen(link, length));
  const at = emitLink(link, EtherType.IPV6, length, bytes);
  emitNdPacket(ip, nd, bytes.subarray(at, at + length));
  return bytes;
}

describe('mac-mismatch', () => {
  test('an Ethernet source other than the ARP sender', () => {
    const h = harness();
    assert.deepEqual(h.arp(request()), []);
    const [finding, ...rest] = h.arp(request({ ethSource: B }));
    assert.deepEqual(rest, []);
    assert.equal(finding?.kind, 'mac-mismatch');
    assert.equal(finding.key, `${B}>${A}`);
    assert.equal(finding.ip, '192.0.2.1');
    assert.equal(finding.mac, A);
    assert.deepEqual(finding.frames, [2]);
    assert.deepEqual(finding.fields, { ethSource: B, senderMac: A, ip: '192.0.2.1' });
    assert.equal(finding.text, `ethernet source ${B} sends for ARP sender ${A} (192.0.2.1)`);
  });

  test('per VLAN in the key; RARP too', () => {
    const h = harness();
    const [tagged] = h.arp(request({ ethSource: B, vlans: [5] }));
    assert.equal(tagged?.key, `${B}>${A} vlan 5`);
    assert.deepEqual(tagged.vlans, [5]);
    assert.deepEqual(
      h.arp(request({ ethSource: B, rarp: true, op: 3 })).map((f) => f.kind),
      ['mac-mismatch'],
    );
  });
});

test('a cooked capture with no link-layer source: nothing to compare', () => {
  const arp = arpSpecFrame(request({ sha: 'ff:ff:ff:ff:ff:ff' })).subarray(ARP_AT, ARP_AT + 28);
  const cooked = new Uint8Array(16 + arp.length);
  const view = new DataView(cooked.buffer);
  view.setUint16(0, 4); // PACKET_OUTGOING
  view.setUint16(2, 772); // ARPHRD_LOOPBACK, address length 0: no source
  view.setUint16(14, EtherType.ARP);
  cooked.set(arp, 16);
  const findings = harness().bytes(cooked, 0, 'sll');
  assert.deepEqual(
    findings.map((f) => [f.kind, f.fields['field']]),
    [['bad-sender-mac', 'sender']],
  );
});

describe('bogon', () => {
  test('off when no subnet is known', () => {
    assert.deepEqual(harness().arp(request({ spa: '198.51.100.1' })), []);
  });

  test('a sender inside the subnets is fine, one address outside either edge is a bogon', () => {
    const h = harness(['192.0.2.0/24']);
    assert.deepEqual(h.arp(request({ spa: '192.0.2.0' })), []);
    assert.deepEqual(h.arp(request({ spa: '192.0.2.255' })), []);
    assert.deepEqual(h.arp(request({ spa: '0.0.0.0' })), [], 'a probe has no sender IP');
    const [low] = h.arp(request({ spa: '192.0.1.255' }));
    const [high] = h.arp(request({ spa: '192.0.3.0', vlans: [9] }));
    assert.equal(low?.kind, 'bogon');
    assert.equal(low.key, '192.0.1.255');
    assert.deepEqual(low.fields, { ip: '192.0.1.255', mac: A, nets: ['192.0.2.0/24'] });
    assert.equal(low.text, `192.0.1.255 at ${A} is outside 192.0.2.0/24`);
    assert.equal(high?.key, '192.0.3.0 vlan 9');
  });

  test('learned subnets count', () => {
    const nets = Subnets.parse([]);
    const h = new DetectorHarness(new AnomalyDetector(DEFAULT_THRESHOLDS, nets));
    nets.learn(0xc633_6401 as never, 24); // 198.51.100.1/24
    assert.deepEqual(h.arp(request({ spa: '198.51.100.9' })), []);
    assert.equal(
      h.arp(request({ spa: '192.0.2.1' }))[0]?.fields['nets']?.toString(),
      '198.51.100.0/24',
    );
  });
});

describe('bad-sender-mac', () => {
  for (const [sha, what] of [
    ['ff:ff:ff:ff:ff:ff', 'broadcast'],
    ['00:00:00:00:00:00', 'zero'],
    ['01:00:5e:00:00:01', 'multicast'],
  ] as const) {
    test(`an ARP sender MAC that is ${what}`, () => {
      const h = harness();
      const [finding] = h.arp(request({ sha, ethSource: A }));
      assert.equal(finding?.kind, 'bad-sender-mac');
      assert.equal(finding.key, `${sha}>192.0.2.1`);
      assert.deepEqual(finding.fields, { mac: sha, ip: '192.0.2.1', field: 'sender', class: what });
      assert.equal(finding.text, `ARP sender MAC ${sha} is ${what} (192.0.2.1)`);
      // The Ethernet source differs too.
      assert.deepEqual(h.kinds(), ['bad-sender-mac', 'mac-mismatch']);
    });
  }

  test('an Ethernet source that is multicast, in a reply', () => {
    const h = harness();
    const [finding] = h.arp(request({ op: 'reply', tha: B, ethSource: '03:00:00:00:00:01' }));
    assert.deepEqual(finding?.fields, {
      mac: '03:00:00:00:00:01',
      ip: '192.0.2.1',
      field: 'ethernet-source',
      class: 'multicast',
    });
  });

  test('RARP counts; an InARP frame (neither request nor reply) does not', () => {
    const h = harness();
    assert.deepEqual(
      h.arp(request({ rarp: true, op: 3, sha: '00:00:00:00:00:00' })).map((f) => f.kind),
      ['bad-sender-mac'],
    );
    assert.deepEqual(h.arp(request({ op: 8, sha: 'ff:ff:ff:ff:ff:ff' })), []);
  });

  test('badMacClass', () => {
    assert.equal(badMacClass(parseMac(A)), undefined);
    assert.equal(badMacClass(parseMac('fe:ff:ff:ff:ff:ff')), undefined);
    assert.equal(badMacClass(parseMac('ff:ff:ff:ff:ff:fe')), 'multicast');
  });
});

describe('malformed', () => {
  test('a truncated ARP packet: the WireError names layer and kind', () => {
    const h = harness();
    const [finding] = h.bytes(arpSpecFrame(request()).subarray(0, ARP_AT + 20), 0);
    assert.equal(finding?.kind, 'malformed');
    assert.equal(finding.key, 'arp-truncated');
    assert.equal(finding.mac, A);
    assert.equal(finding.fields['reason'], 'arp-truncated');
    assert.equal(finding.fields['layer'], 'arp');
    assert.equal(finding.fields['errorKind'], 'truncated');
    assert.equal(finding.text, finding.fields['error']);
    assert.match(finding.text, /^arp: truncated/);
  });

  test('a truncated Ethernet header', () => {
    const [finding] = harness().bytes(new Uint8Array(10), 0);
    assert.equal(finding?.key, 'ethernet-truncated');
    assert.equal(finding.mac, undefined);
  });

  test('ATM ARP is not read: arp-unsupported', () => {
    const [finding] = harness().bytes(patched(request(), { [ARP_AT + 1]: 19 }), 0);
    assert.equal(finding?.key, 'arp-unsupported');
  });

  for (const [what, edits, reason, text] of [
    [
      'hardware type 6',
      { [ARP_AT + 1]: 6 },
      'arp-hardware-type',
      'ARP hardware type 6 (not 1, Ethernet)',
    ],
    [
      'protocol type 0x86dd',
      { [ARP_AT + 2]: 0x86, [ARP_AT + 3]: 0xdd },
      'arp-protocol-type',
      'ARP protocol type 0x86dd (not 0x0800, IPv4)',
    ],
    [
      'hardware length 7',
      { [ARP_AT + 4]: 7 },
      'arp-hardware-length',
      'ARP hardware length 7 (not 6)',
    ],
    [
      'protocol length 8',
      { [ARP_AT + 5]: 8 },
      'arp-protocol-length',
      'ARP protocol length 8 (not 4)',
    ],
    ['opcode 5', { [ARP_AT + 7]: 5 }, 'arp-opcode', 'ARP unknown operation 0x0005'],
    [
      'hlen 7 and opcode 0x7501',
      { [ARP_AT + 4]: 7, [ARP_AT + 6]: 0x75, [ARP_AT + 7]: 1 },
      'arp-hardware-length',
      'ARP hardware length 7 (not 6), unknown operation 0x7501',
    ],
  ] as const) {
    test(`an ARP packet with ${what}`, () => {
      const h = harness(['10.0.0.0/8']); // a bogon, were the addresses trusted
      const findings = h.bytes(patched(request({ ethSource: B }), edits), 0);
      assert.deepEqual(
        findings.map((f) => f.kind),
        ['malformed'],
      );
      assert.equal(findings[0]!.key, reason);
      assert.equal(findings[0]!.text, text);
      assert.equal(findings[0]!.fields['reason'], reason);
    });
  }

  test('the numbers of an odd header are fields', () => {
    const [finding] = harness().bytes(
      patched(request({ rarp: true, op: 3 }), { [ARP_AT + 4]: 8 }),
      0,
    );
    assert.deepEqual(finding?.fields, {
      reason: 'arp-hardware-length',
      proto: 'rarp',
      htype: 1,
      ptype: 0x0800,
      hlen: 8,
      plen: 4,
      op: 3,
      opName: 'rarp-request',
    });
    assert.match(finding.text, /^RARP hardware length 8/);
  });

  test('every IANA operation on Ethernet is known, InARP included; 0, 5-7 and 10 are not', () => {
    for (const op of [1, 2, 3, 4, 8, 9]) {
      assert.equal(isKnownArpOp(op), true, `op ${op}`);
      assert.deepEqual(harness().arp(request({ op })), [], `op ${op}`);
    }
    for (const op of [0, 5, 6, 7, 10, 0xffff]) assert.equal(isKnownArpOp(op), false, `op ${op}`);
  });

  test('an ND packet whose checksum does not verify; a good one is fine', () => {
    const h = harness();
    const good = naFrame();
    assert.deepEqual(h.bytes(good, 0), []);
    const bad = Uint8Array.from(good);
    bad[14 + 40 + 2]! ^= 0xff; // ICMPv6 checksum, after Ethernet and IPv6 headers
    const [finding] = h.bytes(bad, 0);
    assert.equal(finding?.key, 'nd-checksum');
    assert.deepEqual(finding.fields, {
      reason: 'nd-checksum',
      type: 'na',
      source: '2001:db8::a',
      target: '2001:db8::a',
    });
    assert.equal(finding.text, 'ICMPv6 checksum does not verify (NA 2001:db8::a for 2001:db8::a)');
  });

  test('property: any bytes, no throw; a finding only names a known kind', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), (bytes, arp) => {
        if (arp && bytes.length >= 14) bytes.set([0x08, 0x06], 12);
        const h = harness(['10.0.0.0/8'], { garpFlood: 1 });
        h.bytes(bytes, 0);
        h.bytes(bytes, 1);
        for (const kind of h.kinds()) {
          assert.ok(
            ['malformed', 'mac-mismatch', 'bogon', 'bad-sender-mac', 'gratuitous-flood'].includes(
              kind,
            ),
          );
        }
      }),
    );
  });
});

describe('gratuitous-flood', () => {
  /** A gratuitous reply (the RFC 5944 §4.6 form) from `sha` for 192.0.2.1 at `at`. */
  const garp = (at: number, sha = A, vlans: number[] = []): ArpSpec => ({
    at,
    op: 'reply',
    sha,
    spa: '192.0.2.1',
    tha: 'ff:ff:ff:ff:ff:ff',
    tpa: '192.0.2.1',
    vlans,
  });
  const flood = (overrides: Partial<Thresholds> = {}): DetectorHarness =>
    harness([], { garpFlood: 3, garpFloodWindowMs: 1000, ...overrides });

  test('N in the window are no flood; N+1 within it is, reported once', () => {
    const h = flood();
    for (const at of [0, 1, 2]) assert.deepEqual(h.arp(garp(at)), []);
    const [finding, ...rest] = h.arp(garp(999));
    assert.deepEqual(rest, []);
    assert.equal(finding?.kind, 'gratuitous-flood');
    assert.equal(finding.key, `${A}>192.0.2.1`);
    assert.deepEqual(finding.frames, [1, 4]);
    assert.deepEqual(finding.fields, {
      ip: '192.0.2.1',
      mac: A,
      count: 4,
      seconds: 0.999,
      windowSeconds: 1,
      threshold: 3,
    });
    assert.equal(
      finding.text,
      `${A} sent 4 gratuitous ARP for 192.0.2.1 in 0.999s (threshold 3 in 1s)`,
    );
    assert.deepEqual(h.arp(garp(999)), []);
  });

  test('the window begins at its first frame: a frame 1 window later opens a new one', () => {
    const h = flood();
    for (const at of [0, 1, 2]) h.arp(garp(at));
    assert.deepEqual(h.arp(garp(1000)), []);
    for (const at of [1001, 1002]) assert.deepEqual(h.arp(garp(at)), []);
    assert.equal(h.arp(garp(1999)).length, 1);
  });

  test('announcements count; so do requests with THA set', () => {
    const h = flood();
    h.arp({ at: 0, sha: A, spa: '192.0.2.1', tpa: '192.0.2.1' });
    h.arp({ at: 0, sha: A, spa: '192.0.2.1', tpa: '192.0.2.1', tha: A });
    h.arp(garp(0));
    assert.deepEqual(h.kinds(), []);
    assert.deepEqual(
      h.arp(garp(0)).map((f) => f.kind),
      ['gratuitous-flood'],
    );
  });

  test('at the defaults: 20 in 10 s are no flood, the 21st is', () => {
    const h = harness();
    for (let i = 0; i < 20; i++) h.arp(garp(i * 450));
    assert.deepEqual(h.kinds(), []);
    assert.equal(h.arp(garp(9999)).length, 1);
  });

  test('each sender of an IP, and each VLAN, counts apart', () => {
    const h = flood();
    for (const at of [0, 1, 2]) {
      h.arp(garp(at, A));
      h.arp(garp(at, B));
      h.arp(garp(at, A, [7]));
    }
    assert.deepEqual(h.kinds(), []);
    const [finding] = h.arp(garp(3, B));
    assert.equal(finding?.mac, B);
    assert.equal(h.arp(garp(3, A, [7]))[0]?.key, `${A}>192.0.2.1 vlan 7`);
  });

  test('ordinary requests and replies never count, nor learn frames (SPA = TPA = 0.0.0.0)', () => {
    const h = flood({ garpFlood: 1 });
    for (let i = 0; i < 5; i++) {
      h.arp(request({ at: i }));
      h.arp(request({ at: i, spa: '0.0.0.0', tpa: '0.0.0.0', tha: 'ff:ff:ff:ff:ff:ff' }));
      h.arp({ at: i, op: 'reply', sha: B, spa: '192.0.2.2', tha: A, tpa: '192.0.2.1' });
    }
    assert.deepEqual(h.kinds(), []);
  });

  test(`more than ${MAX_FLOOD_MACS_PER_IP} senders of one IP: the oldest window makes room`, () => {
    const detector = new AnomalyDetector(
      { ...DEFAULT_THRESHOLDS, garpFlood: 2, garpFloodWindowMs: 1000 },
      Subnets.parse([]),
    );
    const h = new DetectorHarness(detector);
    const senders = Array.from(
      { length: MAX_FLOOD_MACS_PER_IP + 1 },
      (_, i) => `02:00:00:00:01:0${i}`,
    );
    senders.forEach((sha, i) => h.arp(garp(i, sha)));
    assert.equal(detector.evicted, 1);
    // The first sender was replaced: two more of its frames start again from 1, no flood.
    h.arp(garp(10, senders[0]));
    assert.equal(detector.evicted, 2);
    h.arp(garp(11, senders[0]));
    assert.deepEqual(h.kinds(), []);
    // The last one kept its count: two more make three.
    h.arp(garp(12, senders[MAX_FLOOD_MACS_PER_IP]));
    assert.deepEqual(
      h.arp(garp(13, senders[MAX_FLOOD_MACS_PER_IP])).map((f) => f.kind),
      ['gratuitous-flood'],
    );
  });

  test('more IPs than maxEntries: one forgotten, counted', () => {
    const detector = new AnomalyDetector(
      { ...DEFAULT_THRESHOLDS, maxEntries: 2 },
      Subnets.parse([]),
    );
    const h = new DetectorHarness(detector);
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
      h.arp({ at: 0, op: 'reply', sha: A, spa: ip, tpa: ip, tha: 'ff:ff:ff:ff:ff:ff' });
    }
    assert.equal(detector.evicted, 1);
  });
});

describe('properties', () => {
  test('a well-formed conversation inside the subnet yields no anomaly', () => {
    const host = fc.integer({ min: 1, max: 254 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(host, host, fc.integer({ min: 0, max: 2000 }), fc.nat(2)), {
          maxLength: 50,
        }),
        (talks) => {
          const h = harness(['192.0.2.0/24']);
          let at = 0;
          for (const [asker, target, gap, vlan] of talks) {
            if (asker === target) continue;
            at += gap;
            const macOf = (n: number): string =>
              `02:00:00:00:00:${n.toString(16).padStart(2, '0')}`;
            const vlans = vlan === 0 ? [] : [vlan];
            h.arp({
              at,
              sha: macOf(asker),
              spa: `192.0.2.${asker}`,
              tpa: `192.0.2.${target}`,
              vlans,
            });
            h.arp({
              at: at + 1,
              op: 'reply',
              sha: macOf(target),
              spa: `192.0.2.${target}`,
              tha: macOf(asker),
              tpa: `192.0.2.${asker}`,
              vlans,
            });
          }
          h.finish(at + 10_000);
          assert.deepEqual(h.findings, []);
        },
      ),
    );
  });
});

describe('public captures (GROUND_TRUTH.md)', () => {
  const anomalies = (nets: readonly string[] = []): AnomalyDetector =>
    new AnomalyDetector(DEFAULT_THRESHOLDS, Subnets.parse(nets));

  test('the clean captures have no anomaly (none has eth.src != SHA)', () => {
    for (const name of [
      'arp-storm.pcap',
      'arpsweep.pcapng',
      'arp-badpadding.pcapng',
      'arp-poison.pcapng',
      'arp-bootup.pcapng',
      'zeek-icmp_dot1q.pcap',
      'zeek-linuxsll-arp.pcap',
      'zeek-cooper-grill-dvwa.pcapng',
      'tcpdump-802.1ad_QinQ.pcap',
    ]) {
      assert.deepEqual(summaryOf(detectCapture(name, anomalies())), {}, name);
    }
  });

  test('arp-poison.pcapng: senders inside 192.168.1.0/24, all bogons outside 10.0.0.0/8', () => {
    assert.deepEqual(detectCapture('arp-poison.pcapng', anomalies(['192.168.1.0/24'])), []);
    const bogons = detectCapture('arp-poison.pcapng', anomalies(['10.0.0.0/8']));
    assert.equal(bogons.length, 14); // every ARP frame
    assert.deepEqual(new Set(bogons.map((f) => f.key)), new Set(['192.168.1.1', '192.168.1.103']));
  });

  test('tcpdump-arp-oobr.pcap (bit flips): 82 truncated ARP as Wireshark, mismatches among its 449', () => {
    const counts = summaryOf(detectCapture('tcpdump-arp-oobr.pcap', anomalies()));
    assert.equal(counts['malformed arp-truncated'], 82);
    assert.ok((counts['mac-mismatch'] ?? 0) > 0 && (counts['mac-mismatch'] ?? 0) <= 449);
    assert.ok((counts['malformed arp-opcode'] ?? 0) > 0);
  });
});

/** Findings counted by kind (and reason, for malformed). */
function summaryOf(findings: readonly Finding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) {
    const name = f.kind === 'malformed' ? `malformed ${f.key}` : f.kind;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}
