import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { arpSpecFrame, DetectorHarness, HARNESS_START_MS } from '../testing/observations.js';
import { FrameDecoder } from '../wire/frame.js';
import { ObservationBuilder } from './observation.js';
import type { Finding } from './finding.js';
import { StormDetector, topTalkers } from './storm.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds.js';
import { detectCapture } from '../testing/capture-findings.js';

/** `02:00:00:00:00:NN` */
function mac(n: number): string {
  return `02:00:00:00:00:${n.toString(16).padStart(2, '0')}`;
}

/** Segment threshold 10/s; the sender threshold out of the way unless a test sets it. */
function harness(overrides: Partial<Thresholds> = {}): DetectorHarness {
  const thresholds = { ...DEFAULT_THRESHOLDS, stormRate: 10, stormSenderRate: 1000, ...overrides };
  return new DetectorHarness(new StormDetector(thresholds));
}

/** `count` requests at `at`, from `mac(sender)` (or a fresh sender each when `sender` is a function). */
function send(
  h: DetectorHarness,
  at: number,
  count: number,
  sender: number | ((i: number) => number),
): Finding[] {
  const found: Finding[] = [];
  for (let i = 0; i < count; i++) {
    const n = typeof sender === 'number' ? sender : sender(i);
    found.push(...h.arp({ at, sha: mac(n), spa: '192.0.2.1', tpa: '192.0.2.2' }));
  }
  return found;
}

const distinct = (i: number): number => 100 + i;

describe('segment storm: rate and window', () => {
  test('a rate equal to the threshold is no storm; one frame more starts one', () => {
    const h = harness();
    assert.deepEqual(send(h, 0, 10, distinct), []);
    const [start, ...rest] = send(h, 0, 1, 200);
    assert.deepEqual(rest, []);
    assert.equal(start?.kind, 'storm');
    assert.equal(start.key, 'segment/start');
    assert.deepEqual(start.vlans, []);
    assert.deepEqual(start.frames, [11]);
    assert.equal(start.timeMs, HARNESS_START_MS);
    assert.equal(start.mac, undefined);
    assert.deepEqual(start.fields, { state: 'start', scope: 'segment', rate: 11, threshold: 10 });
    assert.equal(start.text, '11 ARP frames/s (threshold 10/s)');
  });

  test('at the defaults: 500 frames in a second are no storm, 501 are', () => {
    const h = new DetectorHarness(new StormDetector(DEFAULT_THRESHOLDS));
    // 500 senders, one frame each: no sender comes near 50/s.
    for (let i = 0; i < 500; i++) {
      h.arp({
        at: i,
        sha: `02:00:00:00:${(i >> 8).toString(16)}:${(i & 0xff).toString(16)}`,
        spa: '192.0.2.1',
        tpa: '192.0.2.2',
      });
    }
    assert.deepEqual(h.kinds(), []);
    h.arp({ at: 999, sha: '02:00:00:00:ff:ff', spa: '192.0.2.1', tpa: '192.0.2.2' });
    assert.equal(h.findings.length, 1);
    assert.equal(h.findings[0]!.fields['rate'], 501);
  });

  test('a frame 999 ms after ten others is in their window; at 1000 ms it is not', () => {
    const inside = harness();
    send(inside, 0, 10, distinct);
    assert.equal(send(inside, 999, 1, 200).length, 1);
    const outside = harness();
    send(outside, 0, 10, distinct);
    assert.deepEqual(send(outside, 1000, 1, 200), []);
  });

  test('the window is whole 100 ms buckets: frames at 99 ms leave it at 1000 ms', () => {
    const h = harness();
    send(h, 99, 10, distinct);
    assert.deepEqual(send(h, 1000, 1, 200), []);
    const kept = harness();
    send(kept, 100, 10, distinct);
    assert.equal(send(kept, 1099, 1, 200).length, 1);
  });

  test('a threshold with a fraction: 2.5/s means a third frame', () => {
    const h = harness({ stormRate: 2.5 });
    assert.deepEqual(send(h, 0, 2, distinct), []);
    assert.equal(send(h, 10, 1, 9).length, 1);
  });

  test('only ARP and RARP frames count', () => {
    const h = harness({ stormRate: 1 });
    h.arp({ at: 0, sha: mac(1), spa: '192.0.2.1', tpa: '192.0.2.2', rarp: true });
    const junk = new Uint8Array(60);
    junk.set([0x08, 0x00], 12); // IPv4: other
    h.bytes(junk, 0);
    h.bytes(junk, 0);
    assert.deepEqual(h.kinds(), []);
    h.arp({ at: 0, sha: mac(2), spa: '192.0.2.1', tpa: '192.0.2.2' });
    assert.deepEqual(h.kinds(), ['storm']);
  });
});

describe('segment storm: end, peak, frames and top talkers', () => {
  /** 10 frames from 03 at 0 ms, then 7 from 01 and 3 from 02 (frames 11–20), all above. */
  function storm(): DetectorHarness {
    const h = harness();
    send(h, 0, 10, 3);
    send(h, 0, 1, 1);
    send(h, 0, 3, 2);
    send(h, 0, 6, 1);
    return h;
  }

  test('ends 1 s after the rate fell back to the threshold, not before', () => {
    const h = storm();
    assert.equal(h.findings.length, 1);
    // Bucket 0 leaves the window at 1000 ms: the rate falls to 0 there.
    assert.deepEqual(h.advance(1999), []);
    const [end, ...rest] = h.advance(2000);
    assert.deepEqual(rest, []);
    assert.equal(end?.key, 'segment/end');
    assert.equal(end.timeMs, HARNESS_START_MS + 2000);
    assert.deepEqual(end.frames, [11, 20]);
    assert.deepEqual(end.fields, {
      state: 'end',
      scope: 'segment',
      threshold: 10,
      peakRate: 20,
      frames: 10,
      durationSeconds: 1,
      topTalkers: [`${mac(1)}=7`, `${mac(2)}=3`],
      endedBy: 'quiet',
    });
    assert.equal(
      end.text,
      `ended after 1.0s: peak 20/s, 10 frames, top talkers ${mac(1)} 7, ${mac(2)} 3`,
    );
    assert.deepEqual(h.finish(5000), []);
  });

  test('a rate that falls to the threshold (not under) is quiet', () => {
    const h = harness();
    send(h, 0, 1, 3);
    send(h, 100, 10, 1); // rate 11 at frame 11
    // At 1000 the frame of bucket 0 leaves: the rate is 10, the threshold.
    assert.deepEqual(h.advance(1999), []);
    const [end] = h.advance(2000);
    assert.equal(end?.fields['durationSeconds'], 0.9);
  });

  test('the next frame ends it too, then may start another', () => {
    const h = storm();
    const found = send(h, 2500, 11, distinct);
    assert.deepEqual(
      found.map((f) => [f.key, f.timeMs - HARNESS_START_MS]),
      [
        ['segment/end', 2000],
        ['segment/start', 2500],
      ],
    );
  });

  test('a dip shorter than 1 s keeps one storm; frames in the dip are not its own', () => {
    const h = harness();
    send(h, 0, 15, distinct); // start at frame 11, frames 11-15 above
    // At 1000 ms the rate falls to 0 (quiet); 9 frames at 1500 stay at the threshold or under.
    send(h, 1500, 9, 1);
    // 2 more at 1900: rate 11 (above) before the quiet second is over: the storm goes on.
    assert.deepEqual(send(h, 1900, 2, 2), []);
    const [end] = h.finish(1950);
    assert.equal(end?.fields['frames'], 6);
    assert.equal(end.fields['peakRate'], 15);
    // Frames 11-15 (senders 110-114) and the second at 1900 (sender 02); ties by MAC.
    assert.deepEqual(end.fields['topTalkers'], [
      `${mac(2)}=1`,
      `${mac(110)}=1`,
      `${mac(111)}=1`,
      `${mac(112)}=1`,
      `${mac(113)}=1`,
    ]);
    assert.equal(end.fields['endedBy'], 'end-of-input');
    // From the first frame (0 ms) to its last above the threshold (1900 ms).
    assert.equal(end.fields['durationSeconds'], 1.9);
    assert.deepEqual(end.frames, [11, 15, 26]);
    assert.match(end.text, /\(end of input\)$/);
  });

  test('the peak frame is the first at the peak rate', () => {
    const h = harness();
    send(h, 0, 12, distinct); // peak 12 at frame 12
    send(h, 1000, 12, distinct); // bucket 0 gone: rates 1..12 again, 11 and 12 above
    const [end] = h.finish(1000);
    assert.deepEqual(end?.frames, [11, 12, 24]);
    assert.equal(end.fields['frames'], 4);
  });

  test('all VLANs of a source count together; other sources apart', () => {
    const h = harness();
    for (let i = 0; i < 11; i++) {
      h.arp({ at: 0, sha: mac(i), spa: '192.0.2.1', tpa: '192.0.2.2', vlans: [i % 3] });
    }
    assert.deepEqual(h.kinds(), ['storm']);
    assert.deepEqual(h.findings[0]!.vlans, []);
    const detector = new StormDetector({
      ...DEFAULT_THRESHOLDS,
      stormRate: 10,
      stormSenderRate: 1000,
    });
    const a = new DetectorHarness(detector, 'a.pcap');
    const b = new DetectorHarness(detector, 'b.pcap');
    send(a, 0, 6, distinct);
    send(b, 0, 6, distinct);
    assert.deepEqual([...a.findings, ...b.findings], []);
  });
});

describe('sender storm', () => {
  const senderHarness = (): DetectorHarness => harness({ stormRate: 1000, stormSenderRate: 5 });

  test('at the rate no storm; one frame more starts one, on the sender', () => {
    const h = senderHarness();
    assert.deepEqual(send(h, 0, 5, 1), []);
    assert.deepEqual(send(h, 0, 5, 2), []);
    const [start, ...rest] = send(h, 10, 1, 1);
    assert.deepEqual(rest, []);
    assert.equal(start?.key, `${mac(1)}/start`);
    assert.equal(start.mac, mac(1));
    assert.deepEqual(start.fields, {
      state: 'start',
      scope: 'sender',
      rate: 6,
      threshold: 5,
      mac: mac(1),
    });
    assert.equal(start.text, `${mac(1)} sends 6 ARP frames/s (threshold 5/s)`);
  });

  test('the window is this 500 ms bucket and the one before', () => {
    const inside = senderHarness();
    send(inside, 0, 5, 1);
    assert.equal(send(inside, 999, 1, 1).length, 1);
    const outside = senderHarness();
    send(outside, 0, 5, 1);
    assert.deepEqual(send(outside, 1000, 1, 1), []);
  });

  test('the sender is the Ethernet source when it differs from the ARP sender', () => {
    const h = senderHarness();
    for (let i = 0; i < 6; i++) {
      h.arp({ at: 0, sha: mac(10 + i), ethSource: mac(1), spa: '192.0.2.1', tpa: '192.0.2.2' });
    }
    assert.equal(h.findings[0]?.mac, mac(1));
  });

  test('a sender is one station on its interface, whatever the VLAN; another interface apart', () => {
    const h = senderHarness();
    for (let i = 0; i < 5; i++) {
      h.arp({ at: 0, sha: mac(1), spa: '192.0.2.1', tpa: '192.0.2.2', vlans: i === 0 ? [] : [i] });
    }
    assert.deepEqual(h.findings, []);
    const [start] = h.arp({ at: 0, sha: mac(1), spa: '192.0.2.1', tpa: '192.0.2.2', vlans: [7] });
    assert.equal(start?.key, `${mac(1)}/start`);
    assert.equal(start.fields['rate'], 6);
    // Two interfaces of one run (one builder, as in the analyzer): 3 frames on each.
    const detector = new StormDetector({ ...DEFAULT_THRESHOLDS, stormSenderRate: 5 });
    const builder = new ObservationBuilder();
    const decoder = new FrameDecoder();
    const found: Finding[] = [];
    for (let i = 0; i < 6; i++) {
      const bytes = arpSpecFrame({ at: 0, sha: mac(1), spa: '192.0.2.1', tpa: '192.0.2.2' });
      const frame = decoder.decodeShared(bytes, 0, bytes.length, 'ethernet');
      const place = { source: i % 2 === 0 ? 'a' : 'b', number: i + 1, timeMs: HARNESS_START_MS };
      detector.frame(builder.observeShared(frame, place), (finding) => found.push(finding));
    }
    assert.deepEqual(found, []);
  });

  test('ends 1 s after its rate fell; keeps the tagged VLAN of its first frame', () => {
    const h = senderHarness();
    for (let i = 0; i < 8; i++) {
      h.arp({ at: 400, sha: mac(1), spa: '192.0.2.1', tpa: '192.0.2.2', vlans: [7] });
    }
    // Bucket 0 (0-499 ms) held 8: at 500 the rate is still 8, at 1000 it is 0 -> quiet at 1000.
    assert.deepEqual(h.advance(1999), []);
    const [end] = h.advance(2000);
    assert.equal(end?.key, `${mac(1)}/end`);
    assert.deepEqual(end.vlans, [7]);
    assert.deepEqual(end.frames, [6, 8]);
    assert.deepEqual(end.fields, {
      state: 'end',
      scope: 'sender',
      threshold: 5,
      peakRate: 8,
      frames: 3,
      durationSeconds: 0.6,
      topTalkers: [`${mac(1)}=3`],
      endedBy: 'quiet',
      mac: mac(1),
    });
    assert.equal(end.text, `${mac(1)} ended after 0.6s: peak 8/s, 3 frames`);
  });

  test('quiet from the first boundary whose old bucket alone is at the threshold', () => {
    const h = senderHarness();
    send(h, 400, 1, 1);
    send(h, 600, 5, 1); // 1 + 5: storm at frame 6 (600 ms)
    // At 1000 the bucket of 500-999 alone (5 frames) is at the threshold: quiet from 1000.
    assert.deepEqual(h.advance(1999), []);
    const [end] = h.advance(2000);
    assert.equal(end?.fields['durationSeconds'], 0.4);
    assert.equal(end.fields['frames'], 1);
    assert.equal(end.fields['peakRate'], 6);
  });

  test('quiet from the second boundary when the old bucket alone is above', () => {
    const h = senderHarness();
    send(h, 400, 4, 1);
    send(h, 600, 6, 1); // rates 5..10: storm at frame 6, frames 6-10 above
    // At 1000 the 6 frames of 500-999 are still above; at 1500 the rate is 0. One step of the
    // clock past both boundaries finds that.
    assert.deepEqual(h.advance(1500), []);
    assert.deepEqual(h.advance(2499), []);
    const [end] = h.advance(2500);
    assert.equal(end?.fields['durationSeconds'], 0.9);
    assert.equal(end.fields['frames'], 5);
    assert.equal(end.fields['peakRate'], 10);
  });

  test('in a storm, frames that bring the rate only to the threshold are not its own', () => {
    const h = senderHarness();
    send(h, 400, 6, 1); // storm at frame 6
    // 500-999 is empty: at 1000 the rate starts from 0 again; the 6th frame is above.
    assert.deepEqual(send(h, 1000, 6, 1), []);
    const [end] = h.finish(1000);
    assert.deepEqual(end?.frames, [6, 12]);
    assert.equal(end.fields['frames'], 2);
    assert.equal(end.fields['peakRate'], 6);
    assert.equal(end.fields['durationSeconds'], 0.6);
  });

  test('a storm and a sender storm are reported apart', () => {
    const h = harness({ stormRate: 10, stormSenderRate: 5 });
    send(h, 0, 11, 1);
    assert.deepEqual(
      h.findings.map((f) => f.key),
      [`${mac(1)}/start`, 'segment/start'],
    );
    h.finish(3000);
    assert.deepEqual(
      h.findings
        .map((f) => f.key)
        .slice(2)
        .sort(),
      [`${mac(1)}/end`, 'segment/end'],
    );
  });
});

describe('bounded tables', () => {
  // Stations are indexed by the run's address ids: `maxEntries` 2 gives 4 ids, of which the two
  // IPs every frame here names (192.0.2.1 asking for 192.0.2.2) hold two, used at every frame.
  test('more senders than the ids hold: the least recently used is forgotten, and counted', () => {
    const detector = new StormDetector({
      ...DEFAULT_THRESHOLDS,
      maxEntries: 2,
      stormRate: 1000,
      stormSenderRate: 1,
    });
    const h = new DetectorHarness(detector, 'test.pcap', 2);
    send(h, 0, 1, 1);
    send(h, 0, 1, 2);
    assert.equal(detector.evicted, 0);
    assert.deepEqual(
      send(h, 0, 2, 3).map((f) => f.key),
      [`${mac(3)}/start`],
    );
    assert.equal(detector.evicted, 1);
    // 01 was forgotten for 03: its second frame counts as its first, no storm.
    assert.deepEqual(send(h, 0, 1, 1), []);
    assert.equal(detector.evicted, 2);
  });

  test('storm talkers forgotten for room lose their frames', () => {
    const detector = new StormDetector({
      ...DEFAULT_THRESHOLDS,
      maxEntries: 2,
      stormRate: 2,
      stormSenderRate: 1000,
    });
    const h = new DetectorHarness(detector, 'test.pcap', 2);
    send(h, 0, 2, 9);
    send(h, 0, 3, (i) => i + 1); // storm frames from 01, 02, 03; 02 takes 01's place
    const [end] = h.finish(0);
    assert.deepEqual(end?.fields['topTalkers'], [`${mac(2)}=1`, `${mac(3)}=1`]);
    assert.equal(end.fields['frames'], 3);
    assert.equal(detector.evicted, 2);
  });

  test('a sender storm outlives its station being forgotten', () => {
    const detector = new StormDetector({
      ...DEFAULT_THRESHOLDS,
      maxEntries: 2,
      stormRate: 1000,
      stormSenderRate: 2,
    });
    const h = new DetectorHarness(detector, 'test.pcap', 2);
    send(h, 0, 3, 1); // 01 storms
    send(h, 100, 3, (i) => i + 2); // 02, 03, 04: 02 goes for 03, then 01 for 04
    assert.equal(detector.evicted, 2);
    send(h, 200, 2, 1); // 01 again: still its storm's (rates 4, 5)
    const [end, ...rest] = h.finish(200);
    assert.deepEqual(rest, []);
    assert.equal(end?.key, `${mac(1)}/end`);
    assert.equal(end.fields['frames'], 3);
    assert.equal(end.fields['peakRate'], 5);
  });
});

describe('topTalkers', () => {
  test('the five largest, most first, ties by MAC', () => {
    const talkers = new Map([
      [7, 1],
      [6, 5],
      [5, 5],
      [4, 9],
      [3, 2],
      [2, 2],
      [1, 3],
    ]);
    assert.deepEqual(topTalkers(talkers), [
      [4, 9],
      [5, 5],
      [6, 5],
      [1, 3],
      [2, 2],
    ]);
    assert.deepEqual(topTalkers(new Map()), []);
  });

  test('property: agrees with a full sort', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.nat(50), fc.nat(20)), { selector: (t) => t[0] }),
        (pairs) => {
          const sorted = [...pairs].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 5);
          assert.deepEqual(topTalkers(new Map(pairs)), sorted);
        },
      ),
    );
  });
});

describe('properties', () => {
  test('traffic at 100 ms spacing or more never makes a storm at 10/s', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 100, max: 3000 }), fc.integer({ min: 1, max: 4 })), {
          maxLength: 60,
        }),
        (steps) => {
          const h = harness({ stormRate: 10, stormSenderRate: 10 });
          let at = 0;
          for (const [gap, sender] of steps) {
            at += gap;
            send(h, at, 1, sender);
          }
          h.finish(at + 5000);
          assert.deepEqual(h.kinds(), []);
        },
      ),
    );
  });

  test('any traffic: starts and ends alternate per subject, every frame counted once at most', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 3 }), fc.nat(6)),
          { maxLength: 80 },
        ),
        fc.boolean(),
        (steps, advance) => {
          const h = harness({ stormRate: 6, stormSenderRate: 3 });
          let at = 0;
          let total = 0;
          for (const [gap, sender, count] of steps) {
            at += gap;
            if (advance) h.advance(at);
            send(h, at, count, sender);
            total += count;
          }
          h.finish(at);
          const state = new Map<string, string>();
          let segmentFrames = 0;
          for (const finding of h.findings) {
            const [subject, edge] = finding.key.split('/') as [string, string];
            assert.equal(edge, finding.fields['state']);
            assert.equal(state.get(subject) ?? 'end', edge === 'start' ? 'end' : 'start');
            state.set(subject, edge);
            if (edge === 'end' && subject === 'segment') {
              segmentFrames += finding.fields['frames'] as number;
              assert.ok((finding.fields['peakRate'] as number) > 6);
            }
          }
          for (const edge of state.values()) assert.equal(edge, 'end');
          assert.ok(segmentFrames <= total);
        },
      ),
    );
  });
});

describe('advance is only a clock', () => {
  /** Findings as comparable text, in a stable order. */
  const canonical = (findings: readonly Finding[]): string[] =>
    findings.map((f) => JSON.stringify([f.timeMs, f.key, f.frames, f.fields, f.text])).sort();

  test('property: the same findings whether or not advance is called between frames', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 1600 }), fc.integer({ min: 1, max: 3 }), fc.nat(7)),
          { maxLength: 60 },
        ),
        fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 1, maxLength: 4 }),
        (steps, ticks) => {
          const plain = harness({ stormRate: 6, stormSenderRate: 3 });
          const ticked = harness({ stormRate: 6, stormSenderRate: 3 });
          let at = 0;
          let clock = 0;
          let tick = 0;
          for (const [gap, sender, count] of steps) {
            at += gap;
            while (clock + ticks[tick % ticks.length]! <= at) {
              clock += ticks[tick++ % ticks.length]!;
              ticked.advance(clock);
            }
            send(plain, at, count, sender);
            send(ticked, at, count, sender);
          }
          plain.finish(at + 3000);
          ticked.finish(at + 3000);
          assert.deepEqual(canonical(ticked.findings), canonical(plain.findings));
        },
      ),
    );
  });
});

describe('public captures', () => {
  test('arpsweep.pcapng: one sender storm from the sweeper at the defaults, no segment storm', () => {
    const findings = detectCapture('arpsweep.pcapng', new StormDetector(DEFAULT_THRESHOLDS));
    assert.deepEqual(
      findings.map((f) => f.key),
      ['00:13:ce:46:9c:c0/start', '00:13:ce:46:9c:c0/end'],
    );
    const end = findings[1]!;
    const peak = end.fields['peakRate'] as number;
    // GROUND_TRUTH.md: 133 requests in the busiest second; the bucket windows see no more.
    assert.ok(peak > 50 && peak <= 133, `peak ${peak}`);
    assert.ok((end.fields['frames'] as number) <= 291);
  });

  test('arp-storm.pcap: 39/s at most, no storm at the defaults; storms from one router at 20/s', () => {
    assert.deepEqual(detectCapture('arp-storm.pcap', new StormDetector(DEFAULT_THRESHOLDS)), []);
    const low = { ...DEFAULT_THRESHOLDS, stormRate: 20, stormSenderRate: 1000 };
    const findings = detectCapture('arp-storm.pcap', new StormDetector(low));
    const ends = findings.filter((f) => f.fields['state'] === 'end');
    assert.ok(ends.length > 0);
    assert.equal(findings.length, 2 * ends.length);
    for (const end of ends) {
      assert.ok((end.fields['peakRate'] as number) <= 39);
      const [top, ...others] = end.fields['topTalkers'] as string[];
      assert.match(top!, /^00:07:0d:af:f4:54=\d+$/);
      assert.deepEqual(others, []);
    }
  });
});
