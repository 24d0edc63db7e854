import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Ipv4 } from '../wire/ipv4.js';
import { LOSS_CAUSES, type LossCause } from './loss.js';
import type { Packet } from './packet.js';
import { type FlowOutcome, LATE_AFTER, Stats } from './stats.js';
import { fromMs, type Nanos } from './units.js';

const BIN = fromMs(100);
const END = fromMs(3000);
const INTERVAL = fromMs(20);

const sentAt = (seq: number): Nanos => seq * INTERVAL;
const packet = (flow: number, seq: number): Packet => ({
  flow,
  seq,
  sentAt: sentAt(seq),
  source: 1 as Ipv4,
  destination: 2 as Ipv4,
});

/** What happens to one packet, in order: losses and at most one delivery `delay` after sending. */
type Report = { lost: LossCause } | { delay: Nanos };

/** Reports each packet of flow `flow` by `reports[seq]` into `stats`. */
function report(stats: Stats, flow: number, reports: readonly (readonly Report[])[]): void {
  reports.forEach((each, seq) => {
    for (const r of each) {
      const p = packet(flow, seq);
      if ('lost' in r) stats.lost(p, r.lost);
      else stats.delivered(p, p.sentAt + r.delay);
    }
  });
}

type Fate = 'unknown' | 'delivered' | 'late' | LossCause;

/** The reference fate: a delivery wins (late if over LATE_AFTER), else the first loss, else unknown. */
function fateOf(reports: readonly Report[]): Fate {
  for (const r of reports) if ('delay' in r) return r.delay > LATE_AFTER ? 'late' : 'delivered';
  for (const r of reports) if ('lost' in r) return r.lost;
  return 'unknown';
}

const isLoss = (fate: Fate): fate is LossCause => (LOSS_CAUSES as readonly string[]).includes(fate);

/** The reference outcome of a flow whose packets had `fates`. */
function outcomeOf(fates: readonly Fate[]): FlowOutcome {
  const count = (pred: (f: Fate) => boolean): number => fates.filter(pred).length;
  const base = {
    sent: fates.length,
    delivered: count((f) => f === 'delivered' || f === 'late'),
    late: count((f) => f === 'late'),
    lost: count(isLoss),
  };
  const bad = (f: Fate): boolean => f === 'late' || isLoss(f);
  let lastBad = fates.length - 1;
  while (lastBad >= 0 && !bad(fates[lastBad]!)) lastBad--;
  if (lastBad < 0)
    return { ...base, recoveredAt: undefined, outageFrom: undefined, unrecovered: false };
  // The outage starts right after the last in-time delivery before the last bad packet.
  const lastGood = fates.slice(0, lastBad).lastIndexOf('delivered');
  const outageFrom = sentAt(lastGood + 1);
  const recovered = fates.indexOf('delivered', lastBad + 1);
  return recovered < 0
    ? { ...base, recoveredAt: undefined, outageFrom, unrecovered: true }
    : { ...base, recoveredAt: sentAt(recovered), outageFrom, unrecovered: false };
}

const cause = fc.constantFrom(...LOSS_CAUSES);
const delay = fc.oneof(
  fc.integer({ min: 0, max: LATE_AFTER }),
  fc.integer({ min: LATE_AFTER + 1, max: 2 * LATE_AFTER }),
);
/** Up to 3 losses with at most one delivery somewhere among them. */
const packetReports: fc.Arbitrary<Report[]> = fc
  .tuple(
    fc.array(
      cause.map((lost) => ({ lost })),
      { maxLength: 3 },
    ),
    fc.option(
      delay.map((d) => ({ delay: d })),
      { nil: undefined },
    ),
    fc.nat(3),
  )
  .map(([losses, delivery, at]) => {
    const list: Report[] = [...losses];
    if (delivery !== undefined) list.splice(Math.min(at, list.length), 0, delivery);
    return list;
  });
/** Flows biased towards runs of trouble and recovery. */
const flowReports = fc.array(fc.oneof(packetReports, fc.constant([{ delay: 0 }] as Report[])), {
  maxLength: 150,
});

describe('stats', () => {
  test('property: fates, lostBy, outcomes and the timeline match a simple reference', () => {
    fc.assert(
      fc.property(
        fc.array(flowReports, { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: END + fromMs(500) }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: END + fromMs(500) }), { maxLength: 20 }),
        (flows, arpTimes, dropTimes) => {
          const stats = new Stats(BIN, END);
          flows.forEach((reports, flow) => report(stats, flow, reports));
          arpTimes.forEach((t) => stats.arpSent(t));
          dropTimes.forEach((t) => stats.policed(t));

          const fates = flows.map((reports) => reports.map(fateOf));
          const lostBy = Object.fromEntries(LOSS_CAUSES.map((c) => [c, 0]));
          for (const f of fates.flat()) if (isLoss(f)) lostBy[f]!++;
          assert.deepEqual(stats.lostBy(), lostBy);

          const outcomes = flows.map((reports, flow) =>
            stats.outcome(flow, reports.length, sentAt),
          );
          assert.deepEqual(outcomes, fates.map(outcomeOf));

          const bins = END / BIN;
          const binOf = (t: Nanos): number => Math.min(bins - 1, Math.floor(t / BIN));
          const histogram = (times: readonly Nanos[]): Float64Array => {
            const h = new Float64Array(bins);
            for (const t of times) h[binOf(t)]!++;
            return h;
          };
          const lostTimes = fates.flatMap((fs) =>
            fs.flatMap((f, seq) => (isLoss(f) ? [sentAt(seq)] : [])),
          );
          const timeline = stats.timeline(outcomes);
          assert.deepEqual(timeline.arpFrames, histogram(arpTimes));
          assert.deepEqual(timeline.lost, histogram(lostTimes));
          assert.deepEqual(timeline.policerDrops, histogram(dropTimes));
          assert.equal(stats.policerDrops, dropTimes.length);
          const recovered = outcomes.flatMap((o) =>
            o.recoveredAt === undefined ? [] : [o.recoveredAt],
          );
          assert.deepEqual(
            timeline.recoveredAt,
            [...recovered].sort((a, b) => a - b),
          );
          assert.equal(timeline.unrecovered, outcomes.filter((o) => o.unrecovered).length);
          assert.equal(timeline.flows, flows.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a delivery overrides an earlier loss and takes it off the lost timeline', () => {
    const stats = new Stats(BIN, END);
    stats.lost(packet(0, 0), 'link-down');
    assert.equal(stats.timeline([]).lost[0], 1);
    stats.delivered(packet(0, 0), fromMs(1));
    stats.lost(packet(0, 0), 'policer');
    assert.equal(stats.lostBy()['link-down'], 0);
    assert.equal(stats.lostBy().policer, 0, 'a loss after the delivery is ignored');
    assert.equal(stats.timeline([]).lost[0], 0);
    assert.deepEqual(stats.outcome(0, 1, sentAt), {
      sent: 1,
      delivered: 1,
      late: 0,
      lost: 0,
      recoveredAt: undefined,
      outageFrom: undefined,
      unrecovered: false,
    });
  });

  test('the first loss cause wins; lostBy lists every cause', () => {
    const stats = new Stats(BIN, END);
    stats.lost(packet(0, 0), 'wrong-port');
    stats.lost(packet(0, 0), 'unresolved');
    assert.deepEqual(stats.lostBy(), {
      'no-fdb-entry': 0,
      'wrong-port': 1,
      unresolved: 0,
      policer: 0,
      'link-down': 0,
    });
  });

  test('late is over LATE_AFTER, not at it; a late packet keeps its flow unrecovered', () => {
    const stats = new Stats(BIN, END);
    stats.delivered(packet(0, 0), sentAt(0));
    stats.lost(packet(0, 1), 'unresolved');
    stats.delivered(packet(0, 2), sentAt(2) + LATE_AFTER + 1);
    stats.delivered(packet(0, 3), sentAt(3) + LATE_AFTER + 1);
    const o = stats.outcome(0, 4, sentAt);
    assert.deepEqual([o.delivered, o.late, o.lost, o.unrecovered], [3, 2, 1, true]);
    assert.equal(o.outageFrom, sentAt(1));
    assert.equal(o.recoveredAt, undefined);
    // One in-time packet after them recovers the flow at its send time.
    stats.delivered(packet(0, 4), sentAt(4) + LATE_AFTER);
    const after = stats.outcome(0, 5, sentAt);
    assert.deepEqual([after.late, after.recoveredAt, after.unrecovered], [2, sentAt(4), false]);
  });

  test('recovery is measured after the last loss: an earlier recovery does not count', () => {
    const stats = new Stats(BIN, END);
    const fates = ['lost', 'ok', 'ok', 'lost', 'lost', 'ok', 'ok'];
    fates.forEach((f, seq) =>
      f === 'ok'
        ? stats.delivered(packet(0, seq), sentAt(seq))
        : stats.lost(packet(0, seq), 'policer'),
    );
    const o = stats.outcome(0, fates.length, sentAt);
    assert.equal(o.outageFrom, sentAt(3));
    assert.equal(o.recoveredAt, sentAt(5));
    assert.equal(o.lost, 3);
  });

  test('a flow never delivered after its loss is unrecovered; unknown fates count as neither', () => {
    const stats = new Stats(BIN, END);
    stats.lost(packet(1, 0), 'no-fdb-entry');
    // Packets 1 and 2 are never reported (still in flight at the end).
    const o = stats.outcome(1, 3, sentAt);
    assert.deepEqual([o.delivered, o.lost, o.unrecovered, o.outageFrom], [0, 1, true, 0]);
    // A flow nothing was reported for lost nothing.
    assert.deepEqual(stats.outcome(7, 10, sentAt).unrecovered, false);
  });

  test('packet numbers far past the first allocation keep earlier fates', () => {
    const stats = new Stats(BIN, END);
    stats.lost(packet(0, 3), 'link-down');
    stats.delivered(packet(0, 10_000), sentAt(10_000));
    stats.lost(packet(0, 70), 'policer');
    assert.deepEqual([stats.lostBy()['link-down'], stats.lostBy().policer], [1, 1]);
    assert.equal(stats.outcome(0, 10_001, sentAt).recoveredAt, sentAt(10_000));
  });

  test('timeline: bins clamp to the last one, marks are sorted, the trigger is kept', () => {
    const stats = new Stats(BIN, fromMs(250));
    stats.arpSent(fromMs(249));
    stats.arpSent(fromMs(900));
    stats.mark(fromMs(200), 'b');
    stats.mark(fromMs(100), 'a');
    stats.trigger = fromMs(100);
    const timeline = stats.timeline([]);
    assert.deepEqual([...timeline.arpFrames], [0, 0, 2]);
    assert.deepEqual(
      timeline.marks.map((m) => m.label),
      ['a', 'b'],
    );
    assert.equal(timeline.trigger, fromMs(100));
    assert.equal(timeline.bin, BIN);
    assert.equal(timeline.end, fromMs(250));
    assert.equal(new Stats(BIN, 0).timeline([]).arpFrames.length, 1, 'an empty run has one bin');
  });
});
