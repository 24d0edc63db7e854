import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type ArpSpec, DetectorHarness, HARNESS_START_MS } from '../testing/observations.js';
import { ArpFlag } from '../wire/classify.js';
import type { Finding } from './finding.js';
import { Observation } from './observation.js';
import { RefreshBurstDetector } from './refresh-burst.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds.js';
import { detectCapture } from '../testing/capture-findings.js';

const ROUTER = '02:00:00:00:00:01';
const ROUTER_IP = '192.0.2.1';
const OTHER = '02:00:00:00:00:02';
const OTHER_IP = '192.0.2.2';
/** Small on purpose, and set here rather than taken from the defaults. */
const TARGETS = 5;
const WINDOW = 1000;
const TIMEOUT = 1000;
const THRESHOLDS: Thresholds = {
  ...DEFAULT_THRESHOLDS,
  burstTargets: TARGETS,
  burstWindowMs: WINDOW,
  unansweredTimeoutMs: TIMEOUT,
};

/** A harness whose address ids are bounded by the same `maxEntries`, as in the analyzer. */
function harness(changes: Partial<Thresholds> = {}): DetectorHarness {
  const thresholds = { ...THRESHOLDS, ...changes };
  return new DetectorHarness(
    new RefreshBurstDetector(thresholds),
    'test.pcap',
    thresholds.maxEntries,
  );
}

function detector(h: DetectorHarness): RefreshBurstDetector {
  return h.detector as RefreshBurstDetector;
}

/** The `n`th target, 10.0.0.n. */
function target(n: number): string {
  return `10.0.${n >> 8}.${n & 0xff}`;
}

/** `sender` asking for target `n`. */
function ask(
  at: number,
  n: number,
  sender = ROUTER,
  senderIp = ROUTER_IP,
  vlans: number[] = [],
): ArpSpec {
  return { at, sha: sender, spa: senderIp, tpa: target(n), vlans };
}

/** Target `n` answering `to`. */
function answer(at: number, n: number, to = ROUTER, toIp = ROUTER_IP): ArpSpec {
  const mac = `02:00:00:01:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`;
  return { at, op: 'reply', sha: mac, spa: target(n), tha: to, tpa: toIp };
}

/** `count` asks for targets first…first+count−1, `step` ms apart from `at`. */
function sweep(h: DetectorHarness, at: number, count: number, step: number, first = 1): Finding[] {
  const found: Finding[] = [];
  for (let i = 0; i < count; i++) found.push(...h.arp(ask(at + i * step, first + i)));
  return found;
}

function kinds(findings: readonly Finding[]): string[] {
  return findings.map((finding) => finding.kind);
}

describe('refresh-burst: when a burst starts', () => {
  test('burstTargets − 1 distinct targets: nothing; burstTargets: one burst', () => {
    const below = harness();
    sweep(below, 0, TARGETS - 1, 10);
    assert.deepEqual(below.finish(10_000), []);

    const at = harness();
    sweep(at, 0, TARGETS, 10);
    assert.deepEqual(kinds(at.finish(10_000)), ['refresh-burst']);
  });

  test('window boundary: targets spanning exactly the window make a burst, 1 ms more do not', () => {
    const within = harness();
    sweep(within, 0, TARGETS, WINDOW / (TARGETS - 1));
    assert.deepEqual(kinds(within.finish(10_000)), ['refresh-burst']);

    const beyond = harness();
    sweep(beyond, 0, TARGETS - 1, WINDOW / (TARGETS - 1));
    beyond.arp(ask(WINDOW + 1, TARGETS));
    assert.deepEqual(beyond.finish(10_000), []);
  });

  test('asking for the same targets again and again is no burst', () => {
    const h = harness();
    for (let i = 0; i < 100; i++) h.arp(ask(i * 5, 1 + (i % (TARGETS - 1))));
    assert.deepEqual(h.finish(10_000), []);
  });

  test('two senders asking for a few targets each, interleaved: no burst', () => {
    const h = harness();
    for (let i = 0; i < TARGETS - 1; i++) {
      h.arp(ask(i * 10, i + 1));
      h.arp(ask(i * 10 + 5, i + 100, OTHER, OTHER_IP));
    }
    assert.deepEqual(h.finish(10_000), []);
  });

  test('one MAC on two VLANs is two senders', () => {
    const h = harness();
    for (let i = 0; i < TARGETS - 1; i++) {
      h.arp(ask(i * 10, i + 1, ROUTER, ROUTER_IP, [10]));
      h.arp(ask(i * 10 + 5, i + 1, ROUTER, ROUTER_IP, [20]));
    }
    assert.deepEqual(h.finish(10_000), []);
  });

  test('gratuitous requests are not asks; probes are (sender IP 0.0.0.0)', () => {
    const gratuitous = harness();
    for (let i = 1; i <= TARGETS; i++) {
      gratuitous.arp({ at: i, sha: ROUTER, spa: target(i), tpa: target(i) });
    }
    assert.deepEqual(gratuitous.finish(10_000), []);

    const probes = harness();
    for (let i = 1; i <= TARGETS; i++)
      probes.arp({ at: i, sha: ROUTER, spa: '0.0.0.0', tpa: target(i) });
    const [burst] = probes.finish(10_000);
    assert.equal(burst?.fields['senderIp'], '0.0.0.0');
  });
});

describe('refresh-burst: when it ends and what it reports', () => {
  test('a gap of exactly the window continues the burst, 1 ms more ends it', () => {
    const goesOn = harness();
    sweep(goesOn, 0, TARGETS, 10);
    const last = (TARGETS - 1) * 10;
    assert.deepEqual(goesOn.arp(ask(last + WINDOW, 50)), []);
    assert.deepEqual(goesOn.advance(last + 2 * WINDOW), []);
    const [one] = goesOn.advance(last + 2 * WINDOW + 1);
    assert.equal(one?.fields['targets'], TARGETS + 1);
    assert.equal(one?.timeMs, HARNESS_START_MS + last + 2 * WINDOW);

    const ends = harness();
    sweep(ends, 0, TARGETS, 10);
    const [first] = ends.arp(ask(last + WINDOW + 1, 50));
    assert.equal(first?.fields['targets'], TARGETS);
    assert.equal(first?.timeMs, HARNESS_START_MS + last + WINDOW);
  });

  test('the whole finding: targets, asks, timing, rate, unicast, frames', () => {
    const h = harness();
    sweep(h, 0, 8, 100); // frames 1–8, 0.7 s
    h.arp({ ...ask(750, 3), ethDestination: '02:00:00:01:00:03', tha: '02:00:00:01:00:03' }); // 9
    const [burst, ...rest] = h.advance(750 + WINDOW + 1);
    assert.deepEqual(rest, []);
    assert.deepEqual(burst, {
      kind: 'refresh-burst',
      timeMs: HARNESS_START_MS + 750 + WINDOW,
      source: 'test.pcap',
      vlans: [],
      key: ROUTER,
      ip: ROUTER_IP,
      mac: ROUTER,
      frames: [1, TARGETS, 9],
      text: '02:00:00:00:00:01 (192.0.2.1) asked for 8 targets in 0.75s (peak 9/s), 100% unanswered',
      fields: {
        mac: ROUTER,
        senderIp: ROUTER_IP,
        targets: 8,
        asks: 9,
        firstAsk: new Date(HARNESS_START_MS).toISOString(),
        durationSeconds: 0.75,
        peakRate: 9,
        unicast: 1,
        unanswered: 8,
        unansweredFraction: 1,
        bursts: 1,
        atEnd: false,
      },
    });
  });

  test('the peak rate is the most asks within one second', () => {
    const h = harness();
    sweep(h, 0, 10, 100); // 10 in the first second
    sweep(h, 1100, 30, 30, 20); // 30 in 0.87 s, a second after the first ten
    const [burst] = h.finish(10_000);
    assert.equal(burst?.fields['peakRate'], 30);
    assert.equal(burst?.fields['targets'], 40);
  });

  test('unanswered fraction: replies during the burst and within the timeout after it count', () => {
    const h = harness({ unansweredTimeoutMs: 2 * WINDOW });
    h.arp(answer(0, 1)); // before target 1 was asked for: no answer to it
    sweep(h, 10, 4, 10); // targets 1–4 at 10–40
    h.arp(answer(45, 2)); // during the burst
    h.arp(answer(46, 3, OTHER, OTHER_IP)); // to someone else: counts
    sweep(h, 50, 4, 10, 5); // targets 5–8 at 50–80
    h.arp(answer(80 + 1500, 4)); // after the window, within the timeout
    h.arp(answer(80 + 2 * WINDOW, 5)); // exactly at the timeout
    assert.deepEqual(h.advance(80 + 2 * WINDOW), []);
    const [burst] = h.arp(answer(80 + 2 * WINDOW + 1, 6)); // too late
    assert.equal(burst?.fields['unanswered'], 4);
    assert.equal(burst?.fields['unansweredFraction'], 0.5);
    assert.match(burst?.text ?? '', /, 50% unanswered$/);
  });

  test('bursts every 60 s: the period and the count from the second on', () => {
    const h = harness();
    for (const start of [0, 60_000, 120_000]) sweep(h, start, TARGETS, 10);
    h.finish(200_000);
    assert.deepEqual(
      h.findings.map((f) => [f.fields['bursts'], f.fields['periodSeconds']]),
      [
        [1, undefined],
        [2, 60],
        [3, 60],
      ],
    );
    assert.match(h.findings[2]?.text ?? '', /, 3rd burst, every 60\.0s$/);
  });

  test('a burst still running when the input ends: reported with atEnd', () => {
    const h = harness();
    sweep(h, 0, TARGETS, 10);
    const [burst] = h.finish(40);
    assert.equal(burst?.timeMs, HARNESS_START_MS + 40);
    assert.equal(burst?.fields['atEnd'], true);
    assert.match(burst?.text ?? '', /, still asking when the input ended$/);
  });

  test('a timeout longer than the window: the sender starts anew while the last burst waits', () => {
    const h = harness({ unansweredTimeoutMs: 3 * WINDOW });
    sweep(h, 0, TARGETS, 10); // last ask at 40
    assert.deepEqual(h.arp(ask(40 + WINDOW + 500, 99)), []);
    h.arp(answer(40 + 2 * WINDOW, 1));
    const [burst] = h.advance(40 + 3 * WINDOW + 1);
    assert.equal(burst?.fields['targets'], TARGETS);
    assert.equal(burst?.fields['unanswered'], TARGETS - 1);
    assert.deepEqual(h.finish(20_000), [], 'the new window holds one target');
  });
});

describe('refresh-burst: memory', () => {
  test('a burst larger than maxEntries: its oldest targets are forgotten and counted', () => {
    const h = harness({ maxEntries: 10 });
    sweep(h, 0, 20, 10);
    const d = detector(h);
    assert.equal(d.sizes().targets, 10);
    assert.equal(d.evicted, 10);
    const [burst] = h.finish(10_000);
    assert.equal(burst?.fields['targets'], 20);
    assert.equal(burst?.fields['unanswered'], 10, 'counted over the targets still held');
    assert.equal(d.sizes().targets, 0);
  });

  test('a full table forgets the window asked longest ago, reporting it if it is a burst', () => {
    const h = harness({ maxEntries: TARGETS + 1 });
    sweep(h, 0, TARGETS, 10);
    h.arp(ask(100, 1, OTHER, OTHER_IP));
    const [burst] = h.arp(ask(110, 2, OTHER, OTHER_IP));
    assert.equal(burst?.key, ROUTER);
    assert.equal(detector(h).evicted, TARGETS);
  });

  test('property: random spoofed senders, targets and replies stay within maxEntries', () => {
    const event = fc.record({
      reply: fc.boolean(),
      sender: fc.nat(30),
      n: fc.nat(60),
      step: fc.integer({ min: 0, max: 700 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(event, { maxLength: 120 }),
        (max, events) => {
          const h = harness({ maxEntries: max, burstTargets: 3 });
          const d = detector(h);
          let at = 0;
          for (const { reply, sender, n, step } of events) {
            at += step;
            const mac = `02:00:00:00:04:${sender.toString(16).padStart(2, '0')}`;
            h.arp(
              reply
                ? answer(at, n + 1, mac, `10.1.0.${sender + 1}`)
                : ask(at, n + 1, mac, `10.1.0.${sender + 1}`),
            );
            assert.ok(d.sizes().targets <= max, `targets ${d.sizes().targets} > ${max}`);
            assert.ok(d.sizes().windows <= max, `windows ${d.sizes().windows} > ${max}`);
            assert.ok(d.sizes().history <= max);
          }
          h.finish(at + 10_000);
          assert.equal(d.sizes().targets, 0);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('property: senders asking for fewer than burstTargets targets each never burst', () => {
    const event = fc.record({
      sender: fc.nat(6),
      n: fc.nat(TARGETS - 2),
      step: fc.integer({ min: 0, max: 300 }),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 150 }), (events) => {
        const h = harness();
        let at = 0;
        for (const { sender, n, step } of events) {
          at += step;
          h.arp(ask(at, n + 1, `02:00:00:00:05:0${sender}`, `10.2.0.${sender + 1}`));
        }
        assert.deepEqual(h.finish(at + 10_000), []);
      }),
      { numRuns: 100 },
    );
  });
});

describe('refresh-burst: address ids (see AddressIds)', () => {
  /** The router's who-has for 10.0.0.`n`, with target id `tpaId` (as a recycled id would be). */
  function who(n: number, tpaId: number): Observation {
    return Object.assign(new Observation(), {
      number: n,
      timeMs: HARNESS_START_MS + n,
      kind: 'arp',
      ethernetIpv4: true,
      op: 1,
      flags: ArpFlag.REQUEST | ArpFlag.BROADCAST,
      sha: 0x0200_0000_0001,
      spa: 0xc000_0201,
      tpa: 0x0a00_0000 + n,
      spaId: 0,
      spaGen: 1,
      tpaId,
      tpaGen: 1,
      shaId: 1,
      shaGen: 1,
    });
  }

  test('a target id given to another address since counts as another target', () => {
    const d = new RefreshBurstDetector({ ...THRESHOLDS, burstTargets: 6 });
    const findings: Finding[] = [];
    const sink = (finding: Finding): void => void findings.push(finding);
    for (let n = 1; n <= 5; n++) d.frame(who(n, 10 + n), sink);
    d.frame(who(6, 11), sink); // 10.0.0.1's id, recycled for 10.0.0.6
    d.finish(HARNESS_START_MS + 10, sink);
    assert.deepEqual(
      findings.map((finding) => finding.fields['targets']),
      [6],
    );
  });
});

describe('public captures (GROUND_TRUTH.md)', () => {
  test('arpsweep.pcapng, default thresholds: one sweep by 192.168.0.102, 249 of 251 unanswered', () => {
    const findings = detectCapture('arpsweep.pcapng', new RefreshBurstDetector(DEFAULT_THRESHOLDS));
    assert.equal(findings.length, 1);
    const [burst] = findings;
    assert.equal(burst?.key, '00:13:ce:46:9c:c0');
    // Frames 53–306: .2 to .254 in 2.9 s; the 100th target (frame 153) makes it a burst.
    assert.deepEqual(burst?.frames, [53, 153, 306]);
    assert.deepEqual(
      {
        ...burst?.fields,
        firstAsk: undefined,
      },
      {
        mac: '00:13:ce:46:9c:c0',
        senderIp: '192.168.0.102',
        targets: 251,
        asks: 251,
        firstAsk: undefined,
        durationSeconds: 2.896246,
        // GROUND_TRUTH.md: peak 133 requests per 1 s.
        peakRate: 133,
        unicast: 0,
        unanswered: 249,
        unansweredFraction: 0.992,
        bursts: 1,
        atEnd: false,
      },
    );
  });

  test('arp-storm.pcap: a router asking for 303 targets in 29 s is a burst only below 40 per second', () => {
    // Its peak is 39 requests per second: 100 distinct targets within 1 s never happens.
    const strict = detectCapture('arp-storm.pcap', new RefreshBurstDetector(DEFAULT_THRESHOLDS));
    assert.deepEqual(strict, []);
    const lowered = detectCapture(
      'arp-storm.pcap',
      new RefreshBurstDetector({ ...DEFAULT_THRESHOLDS, burstTargets: 20 }),
    );
    assert.deepEqual(
      lowered.map((f) => [
        f.key,
        f.fields['targets'],
        f.fields['asks'],
        f.fields['unanswered'],
        f.fields['atEnd'],
      ]),
      [['00:07:0d:af:f4:54', 303, 622, 303, true]],
    );
  });

  test('captures of one host resolving its neighbours: no burst', () => {
    for (const name of [
      'arp-bootup.pcapng',
      'zeek-linuxsll-arp.pcap',
      'zeek-cooper-grill-dvwa.pcapng',
      'arp-badpadding.pcapng',
    ]) {
      assert.deepEqual(detectCapture(name, new RefreshBurstDetector(DEFAULT_THRESHOLDS)), [], name);
    }
  });
});

describe('refresh-burst: a window that starts with one target asked again', () => {
  test('its repeats count as asks, and its last ask starts the burst', () => {
    const h = harness();
    h.arp(ask(0, 1));
    h.arp({ ...ask(10, 1), ethDestination: OTHER });
    h.arp(ask(20, 1));
    sweep(h, 30, TARGETS - 1, 10, 2);
    const [burst] = h.finish(10_000);
    assert.equal(burst?.fields['targets'], TARGETS);
    assert.equal(burst?.fields['asks'], TARGETS);
    assert.equal(burst?.fields['unicast'], 0);
    assert.equal(burst?.fields['durationSeconds'], 0.04);
    assert.deepEqual(burst?.frames, [3, 7]);
    assert.equal(burst?.fields['unanswered'], TARGETS);
  });

  test('a reply after its first ask answers it', () => {
    const h = harness();
    h.arp(ask(0, 1));
    h.arp(answer(5, 1));
    h.arp(ask(10, 1));
    sweep(h, 20, TARGETS - 1, 10, 2);
    const [burst] = h.finish(10_000);
    assert.equal(burst?.fields['unanswered'], TARGETS - 1);
  });
});
