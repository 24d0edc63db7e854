import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Policer } from './policer.js';
import { fromMs, type Nanos, SECOND } from './units.js';

/** Offers a frame at each of `times` (ascending); returns which passed. */
function offer(policer: Policer, times: readonly Nanos[]): boolean[] {
  return times.map((time) => policer.admit(time));
}

/** Ascending arrival times from gaps. */
function cumulative(gaps: readonly number[]): Nanos[] {
  let time = 0;
  return gaps.map((gap) => (time += gap));
}

const rate = fc.integer({ min: 1, max: 100_000 });
const burst = fc.integer({ min: 1, max: 1000 });
/** Gaps between arrivals: mostly bursts (0), some short, some long. */
const gaps = fc.array(
  fc.oneof(
    fc.constant(0),
    fc.integer({ min: 1, max: 1_000_000 }),
    fc.integer({ min: 1, max: 2 * SECOND }),
  ),
  { minLength: 1, maxLength: 300 },
);

describe('policer', () => {
  test('admits a full bucket at once, then one frame per 1/rate', () => {
    const policer = new Policer(10, 3);
    assert.deepEqual(offer(policer, [0, 0, 0, 0]), [true, true, true, false]);
    // One token every 100 ms.
    assert.deepEqual(offer(policer, [fromMs(99), fromMs(100), fromMs(150), fromMs(200)]), [
      false,
      true,
      false,
      true,
    ]);
    assert.equal(policer.drops, 3);
  });

  test('an idle bucket refills to burst and no further', () => {
    const policer = new Policer(100, 5);
    offer(policer, Array<Nanos>(5).fill(0));
    const later = Array<Nanos>(8).fill(100 * SECOND);
    assert.equal(offer(policer, later).filter(Boolean).length, 5);
    assert.equal(policer.drops, 3);
  });

  test('property: in any span of arrivals at most burst + rate × span pass; admitted + dropped = offered', () => {
    fc.assert(
      fc.property(rate, burst, gaps, (r, b, g) => {
        const times = cumulative(g);
        const policer = new Policer(r, b);
        const passed = offer(policer, times);
        assert.equal(passed.filter((p) => !p).length, policer.drops);
        // Prefix sums of admitted frames, then every pair (i ≤ j).
        const before = [0];
        for (const p of passed) before.push(before[before.length - 1]! + (p ? 1 : 0));
        for (let i = 0; i < times.length; i++) {
          for (let j = i; j < times.length; j++) {
            const admitted = before[j + 1]! - before[i]!;
            const limit = b + (r * (times[j]! - times[i]!)) / SECOND;
            assert.ok(
              admitted <= limit + 1e-6,
              `${admitted} passed in [${i}, ${j}], limit ${limit}`,
            );
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  test('property: arrivals at least 1/rate apart are never dropped', () => {
    fc.assert(
      fc.property(
        rate,
        burst,
        fc.array(fc.integer({ min: 0, max: SECOND }), { minLength: 1, maxLength: 300 }),
        (r, b, extra) => {
          const spacing = Math.ceil(SECOND / r);
          const policer = new Policer(r, b);
          const passed = offer(policer, cumulative(extra.map((e) => spacing + e)));
          assert.ok(passed.every(Boolean));
          assert.equal(policer.drops, 0);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('property: under a flood faster than rate, rate × T + burst pass in T (within one frame)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 2, max: 1000 }),
        fc.integer({ min: 1, max: 3000 }),
        (r, b, ms) => {
          // Arrivals every 100 µs: 10 000 a second, at least 5× the rate. A burst of 2 or more
          // never overflows between two arrivals (each earns at most 0.2), so no token is wasted.
          const policer = new Policer(r, b);
          const end = fromMs(ms);
          let admitted = 0;
          let offered = 0;
          for (let t = 0; t <= end; t += 100_000, offered++) if (policer.admit(t)) admitted++;
          const ideal = b + (r * end) / SECOND;
          assert.ok(
            admitted <= ideal + 1e-6 && admitted >= Math.min(offered, ideal - 1),
            `${admitted} vs ${ideal}`,
          );
          assert.equal(policer.drops, offered - admitted);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('SONiC CoPP 600/600: a 10 s storm of 10 000 frames a second lets 6 600 through', () => {
    const policer = new Policer(600, 600);
    let admitted = 0;
    for (let t = 0; t < 10 * SECOND; t += 100_000) if (policer.admit(t)) admitted++;
    // 600 at once, then 600 a second over the 9.9999 s after the first arrival.
    assert.ok(Math.abs(admitted - 6600) <= 1, `${admitted}`);
    assert.equal(policer.drops, 100_000 - admitted);
  });

  test('a fractional rate and burst work as the bucket says', () => {
    const policer = new Policer(0.5, 1.5);
    assert.deepEqual(offer(policer, [0, 0]), [true, false]);
    // 0.5 left; one more token takes 1 s at 0.5/s.
    assert.deepEqual(offer(policer, [fromMs(999), fromMs(1000)]), [false, true]);
  });

  test('rejects a rate not > 0 and a burst under 1, naming both', () => {
    for (const [r, b] of [
      [0, 10],
      [-1, 10],
      [Number.NaN, 10],
      [10, 0.5],
      [10, 0],
      [10, Number.NaN],
    ] as const) {
      assert.throws(
        () => new Policer(r, b),
        (error: unknown) =>
          error instanceof RangeError && error.message.includes(`rate ${r} and burst ${b}`),
        `rate ${r} burst ${b}`,
      );
    }
    assert.equal(new Policer(1, 1).burst, 1);
  });
});
