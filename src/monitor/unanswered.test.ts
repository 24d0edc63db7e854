import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type ArpSpec, DetectorHarness, HARNESS_START_MS } from '../testing/observations.js';
import { ArpFlag } from '../wire/classify.js';
import type { Finding } from './finding.js';
import { Observation } from './observation.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds.js';
import { FAILED_MEMORY_MS, UnansweredDetector } from './unanswered.js';
import { detectCapture } from '../testing/capture-findings.js';

const ASKER = '02:00:00:00:00:01';
const ASKER_IP = '192.0.2.1';
const OTHER = '02:00:00:00:00:02';
const OTHER_IP = '192.0.2.2';
const TARGET = '02:00:00:00:00:09';
const TARGET_IP = '192.0.2.9';
/** Set here, not taken from the defaults, so the tests say what they mean. */
const TIMEOUT = 1000;
const RETRY_GAP = 2000;
const THRESHOLDS: Thresholds = {
  ...DEFAULT_THRESHOLDS,
  unansweredTimeoutMs: TIMEOUT,
  retryGapMs: RETRY_GAP,
};

/** A harness whose address ids are bounded by the same `maxEntries`, as in the analyzer. */
function harness(changes: Partial<Thresholds> = {}): DetectorHarness {
  const thresholds = { ...THRESHOLDS, ...changes };
  return new DetectorHarness(
    new UnansweredDetector(thresholds),
    'test.pcap',
    thresholds.maxEntries,
  );
}

function detector(h: DetectorHarness): UnansweredDetector {
  return h.detector as UnansweredDetector;
}

/** The asker's broadcast who-has for the target. */
function ask(at: number, from = ASKER, fromIp = ASKER_IP, vlans: readonly number[] = []): ArpSpec {
  return { at, sha: from, spa: fromIp, tpa: TARGET_IP, vlans };
}

/** The target's reply to `to`. */
function reply(at: number, to = ASKER, toIp = ASKER_IP, vlans: readonly number[] = []): ArpSpec {
  return { at, op: 'reply', sha: TARGET, spa: TARGET_IP, tha: to, tpa: toIp, vlans };
}

function kinds(findings: readonly Finding[]): string[] {
  return findings.map((finding) => finding.kind);
}

/** Linux failing to resolve: three broadcast asks one second apart (frames 1–3). */
function failedResolution(h: DetectorHarness): void {
  for (const at of [0, 1000, 2000]) h.arp(ask(at));
}

describe('unanswered', () => {
  test('three asks a second apart and no reply: one finding with the three asks', () => {
    const h = harness();
    failedResolution(h);
    assert.deepEqual(h.advance(2000 + TIMEOUT), [], 'a reply may still come at the timeout');
    const [finding, ...rest] = h.advance(2000 + TIMEOUT + 1);
    assert.deepEqual(rest, []);
    assert.deepEqual(finding, {
      kind: 'unanswered',
      timeMs: HARNESS_START_MS + 2000 + TIMEOUT,
      source: 'test.pcap',
      vlans: [],
      key: '192.0.2.1>192.0.2.9',
      ip: TARGET_IP,
      mac: ASKER,
      frames: [1, 2, 3],
      text: 'who-has 192.0.2.9 tell 192.0.2.1: 3 asks over 2.0s, no reply',
      fields: {
        asker: ASKER_IP,
        askerMac: ASKER,
        target: TARGET_IP,
        asks: 3,
        unicast: 0,
        firstAsk: new Date(HARNESS_START_MS).toISOString(),
        durationSeconds: 2,
        atEnd: false,
      },
    });
    assert.equal(detector(h).waiting, 0);
    assert.equal(detector(h).remembered, 1);
  });

  test('a resolution answered after 0.5 ms: nothing, and nothing kept', () => {
    const h = harness();
    h.arp(ask(0));
    h.arp(reply(0.5));
    assert.deepEqual(h.finish(60_000), []);
    assert.equal(detector(h).waiting + detector(h).remembered, 0);
  });

  test('timeout boundary: a reply exactly at the timeout answers, 1 ms later it is too late', () => {
    const onTime = harness();
    onTime.arp(ask(0));
    assert.deepEqual(onTime.arp(reply(TIMEOUT)), []);
    assert.deepEqual(onTime.finish(10_000), []);

    const late = harness();
    late.arp(ask(0));
    const found = late.arp(reply(TIMEOUT + 1));
    assert.deepEqual(kinds(found), ['unanswered']);
    assert.equal(found[0]?.timeMs, HARNESS_START_MS + TIMEOUT);
    assert.deepEqual(late.finish(10_000), []);
  });

  test('timeout boundary: a re-ask at the timeout extends the episode, 1 ms later starts another', () => {
    const extended = harness();
    extended.arp(ask(0));
    assert.deepEqual(extended.arp(ask(TIMEOUT)), []);
    const [one] = extended.advance(2 * TIMEOUT + 1);
    assert.equal(one?.fields['asks'], 2);

    const split = harness();
    split.arp(ask(0));
    const [first] = split.arp(ask(TIMEOUT + 1));
    assert.equal(first?.fields['asks'], 1);
    const [second] = split.advance(2 * TIMEOUT + 2);
    assert.equal(second?.fields['asks'], 1);
    assert.deepEqual(second?.frames, [2]);
  });

  test('counts unicast asks (a STALE entry re-validated) and says so', () => {
    const h = harness();
    h.arp({ ...ask(0), ethDestination: TARGET, tha: TARGET });
    h.arp({ ...ask(1000), ethDestination: TARGET, tha: TARGET });
    h.arp(ask(2000));
    const [finding] = h.advance(5000);
    assert.equal(finding?.fields['unicast'], 2);
    assert.equal(
      finding?.text,
      'who-has 192.0.2.9 tell 192.0.2.1: 3 asks (2 unicast) over 2.0s, no reply',
    );
  });

  test('evidence: the first nine asks and the latest', () => {
    const h = harness();
    for (let i = 0; i < 12; i++) h.arp(ask(i * 100));
    const [finding] = h.advance(10_000);
    assert.equal(finding?.fields['asks'], 12);
    assert.deepEqual(finding?.frames, [1, 2, 3, 4, 5, 6, 7, 8, 9, 12]);
  });

  test('a reply from the target answers everyone waiting for it, whoever it is addressed to', () => {
    const h = harness();
    h.arp(ask(0));
    h.arp(ask(10, OTHER, OTHER_IP));
    h.arp(reply(20, OTHER, OTHER_IP));
    assert.deepEqual(h.finish(10_000), []);
  });

  test('each asker has its own episode: one answered, the other not', () => {
    const h = harness();
    h.arp(ask(0));
    h.advance(TIMEOUT + 1);
    h.arp(ask(TIMEOUT + 2, OTHER, OTHER_IP));
    const found = h.finish(10_000);
    assert.deepEqual(
      h.findings.map((finding) => finding.key),
      ['192.0.2.1>192.0.2.9', '192.0.2.2>192.0.2.9'],
    );
    assert.equal(found[0]?.fields['atEnd'], false);
  });

  test('many askers for one target: each keeps its episode, a reply to one ends only its failure', () => {
    const h = harness();
    const asker = (i: number): [string, string] => [
      `02:00:00:00:03:${i.toString(16).padStart(2, '0')}`,
      `192.0.2.${100 + i}`,
    ];
    const askers = Array.from({ length: 12 }, (_, i) => asker(i));
    for (const [mac, ip] of askers) h.arp(ask(0, mac, ip));
    assert.equal(detector(h).waiting, 12);
    assert.equal(h.advance(TIMEOUT + 1).length, 12);
    h.arp(reply(TIMEOUT + 2, ...asker(5)));
    assert.equal(detector(h).remembered, 11);
    const again = askers.flatMap(([mac, ip]) => h.arp(ask(RETRY_GAP, mac, ip)));
    assert.deepEqual(
      again.map((finding) => finding.fields['asker']),
      askers.map(([, ip]) => ip).filter((ip) => ip !== asker(5)[1]),
    );
    assert.equal(detector(h).waiting, 12);
    h.arp(reply(RETRY_GAP + 1));
    assert.equal(detector(h).waiting, 0);
  });

  test('per segment: a reply on VLAN 10 does not answer an ask on VLAN 20', () => {
    const h = harness();
    h.arp(ask(0, ASKER, ASKER_IP, [20]));
    h.arp(reply(5, ASKER, ASKER_IP, [10]));
    const [finding] = h.advance(TIMEOUT + 1);
    assert.deepEqual(finding?.vlans, [20]);
  });

  test('probes, announcements, gratuitous requests, requests for 0.0.0.0 and RARP are not asks', () => {
    const h = harness();
    h.arp({ at: 0, sha: ASKER, spa: '0.0.0.0', tpa: TARGET_IP });
    h.arp({ at: 1, sha: ASKER, spa: ASKER_IP, tpa: ASKER_IP });
    h.arp({ at: 2, sha: ASKER, spa: ASKER_IP, tha: 'ff:ff:ff:ff:ff:ff', tpa: ASKER_IP });
    h.arp({ at: 3, sha: ASKER, spa: ASKER_IP, tpa: '0.0.0.0' });
    h.arp({ at: 4, op: 3, sha: ASKER, spa: ASKER_IP, tha: ASKER, tpa: TARGET_IP, rarp: true });
    assert.equal(detector(h).waiting, 0);
    assert.deepEqual(h.finish(10_000), []);
  });

  test('at the end of the input: an ask still within its timeout is reported with atEnd', () => {
    const h = harness();
    h.arp(ask(0, OTHER, OTHER_IP));
    h.arp(ask(5000));
    const found = h.finish(5000 + TIMEOUT);
    assert.equal(found.length, 1);
    assert.deepEqual(
      h.findings.map((finding) => [
        finding.key,
        finding.timeMs - HARNESS_START_MS,
        finding.fields['atEnd'],
      ]),
      [
        ['192.0.2.2>192.0.2.9', TIMEOUT, false],
        ['192.0.2.1>192.0.2.9', 5000 + TIMEOUT, true],
      ],
    );
    assert.equal(
      found[0]?.text,
      'who-has 192.0.2.9 tell 192.0.2.1: 1 ask, no reply before the input ended',
    );
  });
});

describe('retry-gap', () => {
  test('asking again 20 s after a failed resolution: the gap, from the last failed ask', () => {
    const h = harness();
    failedResolution(h);
    const found = h.arp(ask(22_000));
    assert.deepEqual(kinds(found), ['unanswered', 'retry-gap']);
    assert.deepEqual(found[1], {
      kind: 'retry-gap',
      timeMs: HARNESS_START_MS + 22_000,
      source: 'test.pcap',
      vlans: [],
      key: '192.0.2.1>192.0.2.9',
      ip: TARGET_IP,
      mac: ASKER,
      frames: [3, 4],
      text: 'who-has 192.0.2.9 tell 192.0.2.1 again after 20.0s of silence (3 earlier asks got no reply)',
      fields: {
        asker: ASKER_IP,
        askerMac: ASKER,
        target: TARGET_IP,
        gapSeconds: 20,
        failedAsks: 3,
      },
    });
    assert.deepEqual(h.arp(reply(22_000.5)), [], 'the retry is answered');
    assert.deepEqual(h.finish(60_000), []);
  });

  test('retry-gap boundary: a silence of exactly retry-gap counts, 1 ms less does not', () => {
    const exact = harness();
    exact.arp(ask(0));
    assert.deepEqual(kinds(exact.arp(ask(RETRY_GAP))), ['unanswered', 'retry-gap']);

    const short = harness();
    short.arp(ask(0));
    assert.deepEqual(kinds(short.arp(ask(RETRY_GAP - 1))), ['unanswered']);
    assert.deepEqual(kinds(short.arp(ask(3 * RETRY_GAP))), ['unanswered', 'retry-gap']);
  });

  test('a failed episode is remembered for FAILED_MEMORY_MS after its last ask, not longer', () => {
    const kept = harness();
    kept.arp(ask(0));
    assert.deepEqual(kinds(kept.arp(ask(FAILED_MEMORY_MS))), ['unanswered', 'retry-gap']);

    const forgotten = harness();
    forgotten.arp(ask(0));
    assert.deepEqual(kinds(forgotten.arp(ask(FAILED_MEMORY_MS + 1))), ['unanswered']);
  });

  test('a reply from the target to the asker ends its failure; a reply to someone else does not', () => {
    const toAsker = harness();
    failedResolution(toAsker);
    toAsker.arp(reply(10_000));
    assert.equal(detector(toAsker).remembered, 0);
    assert.deepEqual(kinds(toAsker.arp(ask(22_000))), []);

    const toOther = harness();
    failedResolution(toOther);
    toOther.arp(reply(10_000, OTHER, OTHER_IP));
    assert.deepEqual(kinds(toOther.arp(ask(22_000))), ['retry-gap']);
  });

  test('no retry-gap without a failed episode first', () => {
    const h = harness();
    h.arp(ask(0));
    h.arp(reply(1));
    assert.deepEqual(h.arp(ask(30_000)), []);
  });
});

describe('memory', () => {
  test('maxEntries bounds episodes and failures together; the oldest failure goes first', () => {
    const h = harness({ maxEntries: 2 });
    h.arp(ask(0, '02:00:00:00:01:01', '192.0.2.101'));
    h.advance(TIMEOUT + 1);
    h.arp(ask(TIMEOUT + 2, '02:00:00:00:01:02', '192.0.2.102'));
    h.arp(ask(TIMEOUT + 3, '02:00:00:00:01:03', '192.0.2.103'));
    const d = detector(h);
    assert.equal(d.evicted, 1);
    assert.equal(d.waiting, 2);
    assert.equal(d.remembered, 0);
    // The failure of .101 was forgotten: its retry is no retry-gap.
    assert.deepEqual(kinds(h.arp(ask(10_000, '02:00:00:00:01:01', '192.0.2.101'))), [
      'unanswered',
      'unanswered',
    ]);
  });

  test('when every entry is waiting, the oldest ask is forgotten without a report', () => {
    const h = harness({ maxEntries: 1 });
    h.arp(ask(0, '02:00:00:00:01:01', '192.0.2.101'));
    h.arp(ask(1, '02:00:00:00:01:02', '192.0.2.102'));
    const found = h.finish(5000);
    assert.deepEqual(
      found.map((finding) => finding.key),
      ['192.0.2.102>192.0.2.9'],
    );
    assert.equal(detector(h).evicted, 1);
  });

  test('property: random spoofed asks and replies never hold more than maxEntries', () => {
    const event = fc.record({
      reply: fc.boolean(),
      a: fc.nat(40),
      b: fc.nat(40),
      step: fc.integer({ min: 0, max: 400 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(event, { maxLength: 80 }),
        (max, events) => {
          const h = harness({ maxEntries: max });
          const d = detector(h);
          let at = 0;
          for (const { reply: isReply, a, b, step } of events) {
            at += step;
            if (a === b) continue;
            const mac = (i: number) => `02:00:00:00:02:${i.toString(16).padStart(2, '0')}`;
            const ip = (i: number) => `10.0.0.${i + 1}`;
            h.arp(
              isReply
                ? { at, op: 'reply', sha: mac(b), spa: ip(b), tha: mac(a), tpa: ip(a) }
                : { at, sha: mac(a), spa: ip(a), tpa: ip(b) },
            );
            assert.ok(d.waiting + d.remembered <= max);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('address ids (see AddressIds)', () => {
  /** A broadcast who-has from `spa` for 192.0.2.9, with the ids given (as a recycled id would). */
  function who(number: number, spa: number, spaId: number): Observation {
    return Object.assign(new Observation(), {
      number,
      timeMs: HARNESS_START_MS + number,
      kind: 'arp',
      ethernetIpv4: true,
      op: 1,
      flags: ArpFlag.REQUEST | ArpFlag.BROADCAST,
      sha: 0x0200_0000_0000 + spa,
      spa,
      tpa: 0xc000_0209,
      spaId,
      spaGen: 1,
      tpaId: 0,
      tpaGen: 1,
      shaId: 100 + spa,
      shaGen: 1,
    });
  }

  test('an asker id given to another address since does not merge two askers', () => {
    const d = new UnansweredDetector(THRESHOLDS);
    const findings: Finding[] = [];
    const sink = (finding: Finding): void => void findings.push(finding);
    d.frame(who(1, 0xc000_0201, 1), sink);
    d.frame(who(2, 0xc000_0202, 2), sink);
    d.frame(who(3, 0xc000_0203, 2), sink); // 192.0.2.2's id, recycled for 192.0.2.3
    d.finish(HARNESS_START_MS + 10, sink);
    assert.deepEqual(
      findings.map((finding) => [finding.key, finding.fields['asks']]),
      [
        ['192.0.2.1>192.0.2.9', 1],
        ['192.0.2.2>192.0.2.9', 1],
        ['192.0.2.3>192.0.2.9', 1],
      ],
    );
  });
  test('a target id given to another address since: its old episodes never answer for the new one', () => {
    const d = new UnansweredDetector(THRESHOLDS);
    const findings: Finding[] = [];
    const sink = (finding: Finding): void => void findings.push(finding);
    /** A frame with the ids given: `tpaId`/`tpaGen` name the target of an ask, the sender of a reply. */
    const frame = (at: number, op: number, spa: number, tpa: number, ids: number[]): Observation =>
      Object.assign(who(at, spa, ids[0]!), {
        op,
        flags: op === 1 ? ArpFlag.REQUEST | ArpFlag.BROADCAST : ArpFlag.REPLY,
        tpa,
        tpaId: ids[1]!,
        tpaGen: ids[2]!,
        ...(op === 2 ? { spaId: ids[1]!, spaGen: ids[2]!, tpaId: ids[0]!, tpaGen: 1 } : {}),
      });
    const ip = (n: number) => 0xc000_0200 + n;
    d.frame(frame(1, 1, ip(1), ip(9), [1, 0, 1]), sink);
    d.frame(frame(2, 1, ip(2), ip(9), [2, 0, 1]), sink);
    d.frame(frame(3, 1, ip(3), ip(8), [3, 0, 2]), sink); // .9's id, recycled for .8
    // All three fail and are forgotten; their episodes are reused for two askers of .7 and one of .10.
    const later = FAILED_MEMORY_MS + 10;
    d.frame(frame(later, 1, ip(4), ip(7), [4, 5, 1]), sink);
    d.frame(frame(later + 1, 1, ip(5), ip(7), [5, 5, 1]), sink);
    d.frame(frame(later + 2, 1, ip(6), ip(10), [7, 6, 1]), sink);
    d.frame(frame(later + 3, 2, ip(10), ip(6), [7, 6, 1]), sink); // .10 answers .6 only
    findings.length = 0;
    d.finish(HARNESS_START_MS + later + 4, sink);
    assert.deepEqual(
      findings.map((finding) => finding.key),
      ['192.0.2.4>192.0.2.7', '192.0.2.5>192.0.2.7'],
    );
    assert.equal(d.waiting, 0);
  });
});

describe('property: a conversation where every request is answered in time', () => {
  test('yields no unanswered and no retry-gap', () => {
    const exchange = fc.record({
      asker: fc.nat(5),
      target: fc.nat(5),
      gap: fc.integer({ min: 0, max: 30_000 }),
      delay: fc.integer({ min: 0, max: TIMEOUT }),
      unicast: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(exchange, { maxLength: 40 }), (exchanges) => {
        const mac = (i: number) => `02:00:00:00:03:0${i}`;
        const ip = (i: number) => `198.51.100.${i + 1}`;
        const specs: ArpSpec[] = [];
        let at = 0;
        for (const { asker, target, gap, delay, unicast } of exchanges) {
          at += gap;
          if (asker === target) continue;
          const destination = unicast ? { ethDestination: mac(target), tha: mac(target) } : {};
          specs.push({ at, sha: mac(asker), spa: ip(asker), tpa: ip(target), ...destination });
          specs.push({
            at: at + delay,
            op: 'reply',
            sha: mac(target),
            spa: ip(target),
            tha: mac(asker),
            tpa: ip(asker),
          });
        }
        // Stable: a reply at the same moment as its request stays after it.
        specs.sort((x, y) => x.at - y.at);
        const h = harness();
        for (const spec of specs) h.arp(spec);
        h.finish(at + TIMEOUT);
        assert.deepEqual(h.findings, []);
      }),
      { numRuns: 100 },
    );
  });
});

/** `[key, asks, frames]` of each unanswered finding, `[key, gapSeconds]` of each retry gap. */
function summary(findings: readonly Finding[]): unknown[] {
  return findings.map((finding) =>
    finding.kind === 'unanswered'
      ? [finding.key, finding.fields['asks'], finding.frames, finding.fields['atEnd']]
      : [finding.kind, finding.key, finding.fields['gapSeconds']],
  );
}

describe('public captures (GROUND_TRUTH.md)', () => {
  test('zeek-linuxsll-arp.pcap: 10.1.10.100 asks for 10.1.10.1 nine times, 1.024 s apart', () => {
    // Announcements (frames 5, 8) are not asks. The retries come every 1.024 s: with a 1.5 s
    // timeout they are one episode, still waiting when the capture ends.
    const findings = detectCapture(
      'zeek-linuxsll-arp.pcap',
      new UnansweredDetector({ ...THRESHOLDS, unansweredTimeoutMs: 1500 }),
    );
    assert.deepEqual(summary(findings), [
      ['192.168.22.1>192.168.22.160', 1, [1], false],
      ['10.1.10.100>10.1.10.1', 9, [2, 3, 4, 6, 7, 9, 10, 11, 12], true],
    ]);
    assert.equal(findings[1]?.fields['durationSeconds'], 8.191862);
    // With a 1 s timeout each retry, 1.024 s after the last, is an episode of its own.
    const strict = detectCapture('zeek-linuxsll-arp.pcap', new UnansweredDetector(THRESHOLDS));
    assert.equal(strict.length, 10);
    assert.ok(
      strict.every((finding) => finding.kind === 'unanswered' && finding.fields['asks'] === 1),
    );
  });

  test('zeek-cooper-grill-dvwa.pcapng: 16 unanswered asks in three rounds, two retry gaps', () => {
    const findings = detectCapture(
      'zeek-cooper-grill-dvwa.pcapng',
      new UnansweredDetector({ ...THRESHOLDS, unansweredTimeoutMs: 1500 }),
    );
    const key = '192.168.111.1>192.168.111.2';
    assert.deepEqual(summary(findings), [
      [key, 4, [6, 7, 8, 9], false],
      ['retry-gap', key, 5.842714],
      [key, 6, [21, 22, 23, 24, 25, 26], false],
      ['retry-gap', key, 4.3962],
      [key, 6, [27, 30, 31, 32, 33, 34], false],
    ]);
    // Nanosecond stamps, and asks 1.0007 s apart: a 1 s timeout splits the rounds, but every
    // one of the 16 asks is still in exactly one finding.
    const strict = detectCapture(
      'zeek-cooper-grill-dvwa.pcapng',
      new UnansweredDetector(THRESHOLDS),
    );
    const unanswered = strict.filter((finding) => finding.kind === 'unanswered');
    assert.equal(
      unanswered.reduce((sum, finding) => sum + Number(finding.fields['asks']), 0),
      16,
    );
    assert.equal(strict.filter((finding) => finding.kind === 'retry-gap').length, 2);
  });

  test('arpsweep.pcapng: only the hosts that replied (.1, .99, .113) are never unanswered targets', () => {
    const findings = detectCapture('arpsweep.pcapng', new UnansweredDetector(THRESHOLDS));
    const sweep = findings.filter(
      (finding) => finding.kind === 'unanswered' && finding.fields['asker'] === '192.168.0.102',
    );
    const targets = new Set(sweep.map((finding) => finding.fields['target']));
    // 251 targets swept at t≈194 s, 2 of which (.99, .113) answered.
    assert.equal(targets.size, 249);
    for (const answered of ['192.168.0.99', '192.168.0.113', '192.168.0.1']) {
      assert.equal(targets.has(answered), false, answered);
    }
  });
});
