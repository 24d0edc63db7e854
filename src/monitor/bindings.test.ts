import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type ArpSpec, arpSpecFrame, DetectorHarness } from '../testing/observations.js';
import { parseMac } from '../wire/mac.js';
import {
  BindingsDetector,
  isBindingClaim,
  isRarpAssignment,
  MAX_MACS_PER_IP,
  segmentSubject,
} from './bindings.js';
import type { Detector } from './detector.js';
import { type Observation } from './observation.js';
import { DEFAULT_THRESHOLDS } from './thresholds.js';
import { countKinds, detectCapture } from '../testing/capture-findings.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const C = '02:00:00:00:00:0c';
const IP = '192.0.2.10';
const GATEWAY = '192.0.2.1';

/** A request from `mac` as `ip`, asking for the gateway. */
function says(at: number, mac: string, ip = IP, vlans: readonly number[] = []): ArpSpec {
  return { at, sha: mac, spa: ip, tpa: GATEWAY, vlans };
}

function harness(maxEntries = DEFAULT_THRESHOLDS.maxEntries): DetectorHarness {
  return new DetectorHarness(new BindingsDetector(), 'test.pcap', maxEntries);
}

/** Records what `predicate` says of each observation. */
class Predicate implements Detector {
  readonly said: boolean[] = [];
  readonly evicted = 0;
  constructor(private readonly predicate: (o: Observation) => boolean) {}
  frame(o: Observation): void {
    this.said.push(this.predicate(o));
  }
  advance(): void {}
  finish(): void {}
}

function holds(predicate: (o: Observation) => boolean, frame: ArpSpec | Uint8Array): boolean {
  const recorder = new Predicate(predicate);
  const h = new DetectorHarness(recorder);
  if (frame instanceof Uint8Array) h.bytes(frame, 0);
  else h.arp(frame);
  return recorder.said[0]!;
}

describe('isBindingClaim: arpwatch process_ether', () => {
  const cases: [string, ArpSpec, boolean][] = [
    ['a request', says(0, A), true],
    ['a reply', { at: 0, op: 'reply', sha: A, spa: IP, tha: B, tpa: GATEWAY }, true],
    ['a probe (SPA 0.0.0.0)', says(0, A, '0.0.0.0'), false],
    ['a zero SHA', { ...says(0, A), sha: '00:00:00:00:00:00', ethSource: A }, false],
    ['a broadcast SHA', { ...says(0, A), sha: 'ff:ff:ff:ff:ff:ff', ethSource: A }, false],
    ['a multicast SHA', { ...says(0, A), sha: '01:00:5e:00:00:01', ethSource: A }, false],
    ['Ethernet source ≠ SHA', { ...says(0, A), ethSource: B }, false],
    ['a RARP request', { ...says(0, A), op: 3, rarp: true }, false],
    ['a RARP reply (its sender)', { ...says(0, A), op: 4, rarp: true }, true],
    ['opcode 4 over the ARP ethertype', { ...says(0, A), op: 4 }, false],
    ['an InARP reply', { ...says(0, A), op: 9 }, false],
  ];
  for (const [what, spec, expected] of cases) {
    test(`${what}: ${expected}`, () => assert.equal(holds(isBindingClaim, spec), expected));
  }

  test('hardware type 6 is not Ethernet/IPv4 here (arpwatch takes it)', () => {
    const bytes = arpSpecFrame(says(0, A));
    assert.equal(holds(isBindingClaim, bytes), true);
    bytes[15] = 6;
    assert.equal(holds(isBindingClaim, bytes), false);
  });

  test('isRarpAssignment: a RARP reply with a station THA and a TPA', () => {
    const reply = { at: 0, op: 4, rarp: true, sha: A, spa: IP, tha: B, tpa: '192.0.2.20' };
    assert.equal(holds(isRarpAssignment, reply), true);
    assert.equal(holds(isRarpAssignment, { ...reply, tpa: '0.0.0.0' }), false);
    assert.equal(holds(isRarpAssignment, { ...reply, tha: 'ff:ff:ff:ff:ff:ff' }), false);
    assert.equal(holds(isRarpAssignment, { ...reply, op: 3 }), false);
    assert.equal(holds(isRarpAssignment, { ...reply, rarp: false, op: 2 }), false);
  });
});

describe('BindingsDetector: ent_add', () => {
  test('a new IP is a new station; the same MAC again only refreshes it', () => {
    const h = harness();
    const [first] = h.arp(says(0, A));
    assert.deepEqual(first, {
      kind: 'new-station',
      timeMs: first!.timeMs,
      source: 'test.pcap',
      vlans: [],
      key: IP,
      ip: IP,
      mac: A,
      frames: [1],
      text: `${IP} is-at ${A}`,
      fields: {},
    });
    assert.deepEqual(h.arp(says(1000, A)), []);
    assert.deepEqual(h.arp({ at: 2500, op: 'reply', sha: A, spa: IP, tha: B, tpa: GATEWAY }), []);
    const binding = (h.detector as BindingsDetector).lookup(...h.ipId(IP));
    assert.ok(binding !== undefined);
    assert.equal(binding.count, 3);
    assert.equal(binding.lastSeenMs - binding.firstSeenMs, 2500);
    assert.deepEqual(binding.macs, [parseMac(A)]);
    assert.deepEqual(binding.macFrames, [3]);
  });

  test('another MAC is a change: previous MAC, how long ago it was last seen, both frames', () => {
    const h = harness();
    h.arp(says(0, A));
    h.arp(says(1000, A));
    const [changed] = h.arp(says(3500, B));
    assert.equal(changed?.kind, 'changed-mac');
    assert.equal(changed.mac, B);
    assert.deepEqual(changed.frames, [2, 3]);
    assert.deepEqual(changed.fields, { previousMac: A, previousSeenSeconds: 2.5 });
    assert.equal(changed.text, `${IP} is-at ${B} (was ${A}, 2.5 s ago)`);
  });

  test('back to the previous MAC is a flip-flop, and the two swap', () => {
    const h = harness();
    h.arp(says(0, A));
    h.arp(says(1000, B));
    const [flip] = h.arp(says(3000, A));
    assert.equal(flip?.kind, 'flip-flop');
    assert.deepEqual(flip.frames, [1, 2, 3]);
    assert.deepEqual(flip.fields, { previousMac: B, previousSeenSeconds: 2 });
    assert.deepEqual(
      h.arp(says(4000, B)).map((f) => f.kind),
      ['flip-flop'],
    );
    assert.deepEqual(h.kinds(), ['new-station', 'changed-mac', 'flip-flop', 'flip-flop']);
  });

  test('a MAC from further back is reused and moves to the front', () => {
    const h = harness();
    h.arp(says(0, A));
    h.arp(says(1000, B));
    h.arp(says(2000, C));
    const [reused] = h.arp(says(5000, A));
    assert.equal(reused?.kind, 'reused-mac');
    assert.deepEqual(reused.frames, [1, 3, 4]);
    assert.deepEqual(reused.fields, {
      previousMac: C,
      previousSeenSeconds: 3,
      macsBefore: [C, B],
      macSeenSeconds: 5,
    });
    const binding = (h.detector as BindingsDetector).lookup(...h.ipId(IP));
    assert.deepEqual(
      binding?.macs,
      [A, C, B].map((mac) => parseMac(mac)),
    );
    // C is now second: a flip-flop, not a reuse.
    assert.deepEqual(
      h.arp(says(6000, C)).map((f) => f.kind),
      ['flip-flop'],
    );
  });

  test(`the MAC list holds ${MAX_MACS_PER_IP}: the one pushed out returns as a change`, () => {
    const macs = Array.from({ length: MAX_MACS_PER_IP + 1 }, (_, i) => stationMac(i + 1));
    const full = harness();
    macs.slice(0, MAX_MACS_PER_IP).forEach((mac, i) => full.arp(says(i * 1000, mac)));
    assert.deepEqual(
      full.arp(says(20_000, macs[0]!)).map((f) => f.kind),
      ['reused-mac'],
    );

    const over = harness();
    macs.forEach((mac, i) => over.arp(says(i * 1000, mac)));
    const binding = (over.detector as BindingsDetector).lookup(...over.ipId(IP));
    assert.equal(binding?.macs.length, MAX_MACS_PER_IP);
    assert.deepEqual(
      over.arp(says(20_000, macs[0]!)).map((f) => f.kind),
      ['changed-mac'],
    );
    assert.deepEqual(
      over.arp(says(21_000, macs[2]!)).map((f) => f.kind),
      ['reused-mac'],
    );
  });

  test('frames arpwatch drops bind nothing', () => {
    const h = harness();
    h.arp(says(0, A));
    assert.deepEqual(h.arp({ ...says(1000, B), ethSource: C }), []);
    assert.deepEqual(h.arp(says(2000, B, '0.0.0.0')), []);
    assert.deepEqual(h.arp({ ...says(3000, A), sha: 'ff:ff:ff:ff:ff:ff' }), []);
    assert.deepEqual(h.kinds(), ['new-station']);
  });

  test('a RARP reply binds the server (its sender) and the assigned address (its target)', () => {
    const h = harness();
    const found = h.arp({ at: 0, op: 4, rarp: true, sha: A, spa: IP, tha: B, tpa: '192.0.2.20' });
    assert.deepEqual(
      found.map((f) => [f.kind, f.ip, f.mac]),
      [
        ['new-station', IP, A],
        ['new-station', '192.0.2.20', B],
      ],
    );
  });

  test('per VLAN: one IP with two MACs on two VLANs is two stations, no change', () => {
    const h = harness();
    const ten = h.arp(says(0, A, IP, [10]));
    const twenty = h.arp(says(1000, B, IP, [20]));
    assert.deepEqual(h.arp(says(2000, A, IP, [10])), []);
    assert.deepEqual(h.kinds(), ['new-station', 'new-station']);
    assert.equal(ten[0]?.key, `${IP} vlan 10`);
    assert.deepEqual(twenty[0]?.vlans, [20]);
    assert.equal(segmentSubject(IP, [200, 2001]), `${IP} vlan 200.2001`);
    assert.equal(h.arp(says(3000, B, IP, [10]))[0]?.key, `${IP} vlan 10`);
  });

  test('a full table forgets an IP, counts it, and that IP is a new station again', () => {
    // maxEntries 2: four address ids for the IPs, the gateway and the MAC of every frame.
    const h = harness(2);
    for (let i = 1; i <= 6; i++) h.arp(says(i, A, `198.51.100.${i}`));
    assert.ok(h.detector.evicted >= 1, `evicted ${h.detector.evicted}`);
    assert.deepEqual(
      h.arp(says(10, B, '198.51.100.1')).map((f) => f.kind),
      ['new-station'],
    );
  });
});

describe('BindingsDetector: properties', () => {
  const host = fc.record({ id: fc.integer({ min: 1, max: 40 }), vlan: fc.constantFrom(0, 10, 20) });

  test('one MAC per IP: only new stations, exactly one per IP and VLAN that spoke', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ from: host, to: host, reply: fc.boolean() }), { maxLength: 60 }),
        (talk) => {
          const h = harness();
          talk.forEach(({ from, to, reply }, i) => {
            const vlans = from.vlan === 0 ? [] : [from.vlan];
            const [sha, spa, tpa] = [stationMac(from.id), hostIp(from.id), hostIp(to.id)];
            h.arp({ at: i * 10, op: reply ? 'reply' : 'request', sha, spa, tpa, vlans });
          });
          const spoke = new Set(talk.map(({ from }) => `${from.id}/${from.vlan}`));
          assert.ok(h.findings.every((f) => f.kind === 'new-station'));
          assert.equal(new Set(h.findings.map((f) => f.key)).size, spoke.size);
          assert.equal(h.findings.length, spoke.size);
        },
      ),
    );
  });

  test('the kinds are those of a plain model of arpwatch ent_add', () => {
    const claim = fc.record({
      ip: fc.integer({ min: 1, max: 3 }),
      mac: fc.integer({ min: 1, max: 6 }),
    });
    fc.assert(
      fc.property(fc.array(claim, { maxLength: 80 }), (claims) => {
        const h = harness();
        claims.forEach(({ ip, mac }, i) => h.arp(says(i * 100, stationMac(mac), hostIp(ip))));
        assert.deepEqual(h.kinds(), entAddModel(claims));
      }),
    );
  });
});

/** arpwatch's ent_add on unbounded lists, as a reference. */
function entAddModel(claims: readonly { ip: number; mac: number }[]): string[] {
  const lists = new Map<number, number[]>();
  const kinds: string[] = [];
  for (const { ip, mac } of claims) {
    const list = lists.get(ip);
    if (list === undefined) {
      lists.set(ip, [mac]);
      kinds.push('new-station');
      continue;
    }
    const index = list.indexOf(mac);
    if (index === 0) continue;
    if (index > 0) list.splice(index, 1);
    list.unshift(mac);
    kinds.push(index === 1 ? 'flip-flop' : index > 1 ? 'reused-mac' : 'changed-mac');
  }
  return kinds;
}

describe('BindingsDetector on public captures, against arpwatch 2.1a15 (GROUND_TRUTH.md)', () => {
  test('arp-poison.pcapng: new station ×2, changed ethernet address ×2, flip flop ×6', () => {
    const findings = detectCapture('arp-poison.pcapng', new BindingsDetector());
    assert.deepEqual(countKinds(findings), { 'new-station': 2, 'changed-mac': 2, 'flip-flop': 6 });
    const changed = findings.filter((f) => f.kind === 'changed-mac').map((f) => f.frames);
    assert.deepEqual(changed, [
      [7, 10],
      [9, 12],
    ]);
  });

  const expected: [string, Record<string, number>, string][] = [
    ['arp-storm.pcap', { 'new-station': 9 }, 'as arpwatch'],
    ['arpsweep.pcapng', { 'new-station': 5 }, 'as arpwatch'],
    ['arp-badpadding.pcapng', { 'new-station': 8 }, 'as arpwatch'],
    ['arp-bootup.pcapng', { 'new-station': 2 }, 'as arpwatch'],
    ['zeek-cooper-grill-dvwa.pcapng', { 'new-station': 1 }, 'as arpwatch'],
    [
      'tcpdump-arp-oobr.pcap',
      { 'new-station': 97, 'changed-mac': 2, 'flip-flop': 1 },
      'as arpwatch, bit-flipped frames and 411 ethernet mismatches dropped alike',
    ],
    // arpwatch reports nothing on the next three for reasons of its own, not of the traffic.
    ['zeek-icmp_dot1q.pcap', { 'new-station': 2 }, "arpwatch: Debian's filter adds `not vlan`"],
    ['zeek-linuxsll-arp.pcap', { 'new-station': 3 }, 'arpwatch: exits 1 on Linux cooked'],
    ['tcpdump-802.1ad_QinQ.pcap', { 'new-station': 2 }, 'arpwatch: tagged, filtered out'],
  ];
  for (const [name, counts, why] of expected) {
    test(`${name}: ${JSON.stringify(counts)} (${why})`, () => {
      const findings = detectCapture(name, new BindingsDetector());
      assert.deepEqual(countKinds(findings), counts);
    });
  }
});

function stationMac(n: number): string {
  return `02:00:00:00:01:${n.toString(16).padStart(2, '0')}`;
}

function hostIp(n: number): string {
  return `192.0.2.${n}`;
}
