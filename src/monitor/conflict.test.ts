import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type ArpSpec, DetectorHarness } from '../testing/observations.js';
import { ConflictDetector } from './conflict.js';
import type { Finding } from './finding.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds.js';
import { detectCapture } from '../testing/capture-findings.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const ASKER = '02:00:00:00:00:0c';
const IP = '192.0.2.10';
const ASKER_IP = '192.0.2.99';
const BROADCAST = 'ff:ff:ff:ff:ff:ff';
const WINDOW = DEFAULT_THRESHOLDS.conflictWindowMs;
const PROBE_WINDOW = DEFAULT_THRESHOLDS.probeWindowMs;

function harness(changes: Partial<Thresholds> = {}): DetectorHarness {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...changes };
  return new DetectorHarness(new ConflictDetector(thresholds), 'test.pcap', thresholds.maxEntries);
}

/** A request from `mac` as `ip` (a claim that is not an answer). */
function asks(at: number, mac: string, vlans: readonly number[] = []): ArpSpec {
  return { at, sha: mac, spa: IP, tpa: ASKER_IP, vlans };
}

/** `mac` answering the asker's who-has for IP. */
function answers(at: number, mac: string, vlans: readonly number[] = []): ArpSpec {
  return { at, op: 'reply', sha: mac, spa: IP, tha: ASKER, tpa: ASKER_IP, vlans };
}

/** The asker's who-has for IP. */
function whoHas(at: number, vlans: readonly number[] = []): ArpSpec {
  return { at, sha: ASKER, spa: ASKER_IP, tpa: IP, vlans };
}

/** An RFC 5227 probe for IP as `arping -D` sends it: THA and Ethernet destination broadcast. */
function probes(at: number, mac: string, vlans: readonly number[] = []): ArpSpec {
  return { at, sha: mac, spa: '0.0.0.0', tha: BROADCAST, tpa: IP, vlans };
}

/** The owner's reply to a probe from `prober` (the kernel's: TPA 0.0.0.0). */
function defends(at: number, owner: string, prober: string, vlans: readonly number[] = []) {
  return { at, op: 'reply', sha: owner, spa: IP, tha: prober, tpa: '0.0.0.0', vlans } as const;
}

function kinds(findings: readonly Finding[]): string[] {
  return findings.map((finding) => finding.kind);
}

describe('ip-conflict: alternation A…B…A within the window', () => {
  test('A, B, A: the conflict names both MACs, the three claims and the gap', () => {
    const h = harness();
    h.arp(asks(0, A));
    h.arp(asks(1000, B));
    const [conflict] = h.arp(asks(1500, A));
    assert.equal(conflict?.kind, 'ip-conflict');
    assert.equal(conflict.key, IP);
    assert.equal(conflict.ip, IP);
    assert.equal(conflict.mac, A);
    assert.deepEqual(conflict.frames, [1, 2, 3]);
    assert.deepEqual(conflict.fields, {
      macs: [B, A],
      ip: IP,
      gapSeconds: 0.5,
      rule: 'alternation',
    });
    assert.equal(conflict.text, `${IP} claimed by ${A} again, 500 ms after ${B}`);
    assert.deepEqual(kinds(h.arp(asks(2000, B))), ['ip-conflict']);
  });

  // The window runs from A's claim before B to A's return; inclusive.
  for (const [back, fires] of [
    [WINDOW - 1, true],
    [WINDOW, true],
    [WINDOW + 1, false],
  ] as const) {
    test(`A back ${back} ms after its first claim: ${fires ? 'a conflict' : 'none'}`, () => {
      const h = harness();
      h.arp(asks(0, A));
      h.arp(asks(back - 1, B));
      assert.deepEqual(kinds(h.arp(asks(back, A))), fires ? ['ip-conflict'] : []);
    });
  }

  const announcements: [string, ArpSpec][] = [
    ['an RFC 5227 announcement', { at: 5500, sha: B, spa: IP, tpa: IP }],
    ['a gratuitous reply', { at: 5500, op: 'reply', sha: B, spa: IP, tha: BROADCAST, tpa: IP }],
  ];
  for (const [what, announcement] of announcements) {
    test(`a clean takeover is no conflict: B sends ${what}, A falls silent`, () => {
      const h = harness();
      for (let at = 0; at <= 5000; at += 1000) h.arp(asks(at, A));
      h.arp(announcement);
      h.arp(whoHas(6000));
      h.arp(answers(6001, B));
      h.arp(asks(9000, B));
      assert.deepEqual(h.findings, []);
    });
  }

  test('A, B, C, A: A is no longer the claimer before the latest, so no alternation', () => {
    const h = harness();
    h.arp(asks(0, A));
    h.arp(asks(100, B));
    h.arp(asks(200, ASKER));
    assert.deepEqual(h.arp(asks(300, A)), []);
  });
});

describe('ip-conflict: an answer from a MAC other than the latest claimer', () => {
  test('two hosts with one IP answer one who-has', () => {
    const h = harness();
    h.arp(whoHas(0));
    assert.deepEqual(h.arp(answers(1, A)), []);
    const [conflict] = h.arp(answers(3, B));
    assert.equal(conflict?.kind, 'ip-conflict');
    assert.deepEqual(conflict.frames, [2, 3]);
    assert.deepEqual(conflict.fields, { macs: [A, B], ip: IP, gapSeconds: 0.002, rule: 'answer' });
    assert.equal(conflict.text, `${IP} answered by ${B}, 2 ms after ${A} claimed it`);
  });

  for (const [after, fires] of [
    [WINDOW - 1, true],
    [WINDOW, true],
    [WINDOW + 1, false],
  ] as const) {
    test(`B answers ${after} ms after A's last claim: ${fires ? 'a conflict' : 'none'}`, () => {
      const h = harness();
      h.arp(asks(0, A));
      h.arp(whoHas(after - 1));
      assert.deepEqual(kinds(h.arp(answers(after, B))), fires ? ['ip-conflict'] : []);
    });
  }

  test('the window is a threshold: conflict-window=2s', () => {
    const h = harness({ conflictWindowMs: 2000 });
    h.arp(asks(0, A));
    assert.deepEqual(h.arp(answers(2001, B)), []);
    h.arp(asks(5000, A));
    assert.deepEqual(kinds(h.arp(answers(7000, B))), ['ip-conflict']);
  });

  test('a frame whose Ethernet source is not its sender MAC claims nothing', () => {
    const h = harness();
    h.arp(answers(0, A));
    assert.deepEqual(h.arp({ ...answers(1, B), ethSource: ASKER }), []);
    assert.deepEqual(h.arp(answers(2, A)), []);
  });

  test('per VLAN: the same IP answered on two VLANs is no conflict', () => {
    const h = harness();
    h.arp(answers(0, A, [10]));
    assert.deepEqual(h.arp(answers(1, B, [20])), []);
    const [conflict] = h.arp(answers(2, B, [10]));
    assert.equal(conflict?.key, `${IP} vlan 10`);
    assert.deepEqual(conflict.vlans, [10]);
  });

  test('a full claims table forgets an IP and counts it', () => {
    // maxEntries 2: four address ids for the IPs, the asker and the MAC of every frame.
    const h = harness({ maxEntries: 2 });
    for (let i = 1; i <= 6; i++) h.arp({ ...answers(i, A), spa: `192.0.2.${i}` });
    assert.ok(h.detector.evicted >= 1, `evicted ${h.detector.evicted}`);
    // 192.0.2.1 was forgotten: B answering for it meets no earlier claim.
    assert.deepEqual(h.arp({ ...answers(10, B), spa: '192.0.2.1' }), []);
  });
});

describe('probe-conflict: RFC 5227 §2.1.1', () => {
  test('arping -D meets the owner: prober, owner, delay, both frames; no ip-conflict', () => {
    const h = harness();
    h.arp(probes(0, A));
    const [conflict] = h.arp(defends(5, B, A));
    assert.deepEqual(kinds(h.findings), ['probe-conflict']);
    assert.equal(conflict?.key, IP);
    assert.equal(conflict.mac, B);
    assert.deepEqual(conflict.frames, [1, 2]);
    assert.deepEqual(conflict.fields, {
      prober: A,
      owner: B,
      ip: IP,
      afterSeconds: 0.005,
      rule: 'defence',
    });
    assert.equal(conflict.text, `${IP} probed by ${A}, defended by ${B} after 5 ms`);
    assert.equal((h.detector as ConflictDetector).pendingProbes, 0);
  });

  test('a request from the owner defends too (any claim of the address)', () => {
    const h = harness();
    h.arp(probes(0, A));
    assert.deepEqual(kinds(h.arp(asks(100, B))), ['probe-conflict']);
  });

  for (const [after, fires] of [
    [PROBE_WINDOW - 1, true],
    [PROBE_WINDOW, true],
    [PROBE_WINDOW + 1, false],
  ] as const) {
    test(`a defence ${after} ms after the probe: ${fires ? 'a conflict' : 'none'}`, () => {
      const h = harness();
      h.arp(probes(0, A));
      assert.deepEqual(kinds(h.arp(defends(after, B, A))), fires ? ['probe-conflict'] : []);
    });
  }

  test('simultaneous probes from two MACs, within the window and not after it', () => {
    const h = harness();
    h.arp(probes(0, A));
    h.arp(probes(1000, A));
    const [conflict] = h.arp(probes(1000 + PROBE_WINDOW, B));
    assert.equal(conflict?.kind, 'probe-conflict');
    assert.deepEqual(conflict.frames, [2, 3]);
    assert.deepEqual(conflict.fields, {
      prober: A,
      owner: B,
      ip: IP,
      afterSeconds: PROBE_WINDOW / 1000,
      rule: 'simultaneous-probe',
    });
    const late = harness();
    late.arp(probes(0, A));
    assert.deepEqual(late.arp(probes(PROBE_WINDOW + 1, B)), []);
  });

  test("the prober's own announcement ends its probe", () => {
    const h = harness();
    h.arp(probes(0, A));
    h.arp({ at: 500, sha: A, spa: IP, tpa: IP });
    assert.deepEqual(h.arp(asks(1000, B)), []);
  });

  test('per VLAN: the owner on another VLAN does not defend', () => {
    const h = harness();
    h.arp(probes(0, A, [10]));
    assert.deepEqual(h.arp(defends(5, B, A, [20])), []);
    assert.equal(h.arp(defends(6, B, A, [10]))[0]?.key, `${IP} vlan 10`);
  });

  test('pending probes expire in time order, at the window inclusive', () => {
    const h = harness();
    const detector = h.detector as ConflictDetector;
    h.arp({ ...probes(0, A), tpa: '192.0.2.1' });
    h.arp({ ...probes(1000, A), tpa: '192.0.2.2' });
    h.arp({ ...probes(2000, A), tpa: '192.0.2.1' }); // probed again: to the back of the list
    h.advance(1000 + PROBE_WINDOW);
    assert.equal(detector.pendingProbes, 2);
    h.advance(1001 + PROBE_WINDOW);
    assert.equal(detector.pendingProbes, 1);
    h.advance(2001 + PROBE_WINDOW);
    assert.equal(detector.pendingProbes, 0);
  });

  test('a full probe table forgets the oldest probe and counts it', () => {
    const h = harness({ maxEntries: 2 });
    for (const [at, tpa] of [
      [0, '192.0.2.1'],
      [1, '192.0.2.2'],
      [2, '192.0.2.3'],
    ] as const) {
      h.arp({ ...probes(at, A), tpa });
    }
    assert.equal(h.detector.evicted, 1);
    assert.deepEqual(h.arp({ ...defends(3, B, A), spa: '192.0.2.1' }), []);
    assert.deepEqual(kinds(h.arp({ ...defends(4, B, A), spa: '192.0.2.2' })), ['probe-conflict']);
  });
});

describe('ConflictDetector: properties', () => {
  test('hosts with one IP each, asking, answering, probing a free address: no finding', () => {
    const event = fc.record({
      from: fc.integer({ min: 1, max: 30 }),
      to: fc.integer({ min: 1, max: 60 }),
      what: fc.constantFrom('request', 'reply', 'probe'),
      gap: fc.integer({ min: 0, max: 2 * WINDOW }),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 80 }), (events) => {
        const h = harness();
        let at = 0;
        for (const { from, to, what, gap } of events) {
          at += gap;
          const sha = `02:00:00:00:01:${from.toString(16).padStart(2, '0')}`;
          const spa = `192.0.2.${from}`;
          // Host n owns 192.0.2.n and probes 192.0.2.(100 + n), which nobody owns.
          if (what === 'probe') h.arp({ at, sha, spa: '0.0.0.0', tpa: `192.0.2.${100 + from}` });
          else h.arp({ at, op: what, sha, spa, tpa: `192.0.2.${to}` });
        }
        assert.deepEqual(h.findings, []);
      }),
    );
  });
});

describe('ConflictDetector on arp-poison.pcapng (GROUND_TRUTH.md)', () => {
  test("ip-conflict for exactly Wireshark's duplicate-address IPs (.1 ×7, .103 ×5)", () => {
    const findings = findingsOn('arp-poison.pcapng');
    const ips = new Set(findings.filter((f) => f.kind === 'ip-conflict').map((f) => f.ip));
    assert.deepEqual([...ips].sort(), ['192.168.1.1', '192.168.1.103']);
    assert.deepEqual(
      findings.filter((f) => f.kind !== 'ip-conflict'),
      [],
    );
  });
});

function findingsOn(name: string): Finding[] {
  return detectCapture(name, new ConflictDetector(DEFAULT_THRESHOLDS));
}
