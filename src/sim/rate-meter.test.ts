import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RateMeter } from './rate-meter.js';
import { type Nanos, SECOND } from './units.js';

/** The most of `times` (ascending) in any half-open window [t, t + 1 s), by brute force. */
function bruteForcePeak(times: readonly Nanos[]): number {
  let peak = 0;
  for (const start of times) {
    peak = Math.max(peak, times.filter((t) => t >= start && t < start + SECOND).length);
  }
  return peak;
}

/** Ascending times from gaps. */
function cumulative(gaps: readonly number[]): Nanos[] {
  let time = 0;
  return gaps.map((gap) => (time += gap));
}

/** Gaps: bursts at one instant, near the 1 s edge, and long pauses. */
const gap = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 50_000_000 }),
  fc.constantFrom(SECOND - 1, SECOND, SECOND + 1),
  fc.integer({ min: 1, max: 3 * SECOND }),
);

function meter(times: readonly Nanos[]): RateMeter {
  const m = new RateMeter();
  for (const t of times) m.note(t);
  return m;
}

describe('rate meter', () => {
  test('property: peak is the most events in any half-open 1 s window; total counts them all', () => {
    fc.assert(
      fc.property(fc.array(gap, { maxLength: 400 }), (gaps) => {
        const times = cumulative(gaps);
        const m = meter(times);
        assert.equal(m.peak, bruteForcePeak(times));
        assert.equal(m.total, times.length);
      }),
      { numRuns: 300 },
    );
  });

  test('property: the peak after each event is the brute-force peak of the prefix', () => {
    fc.assert(
      fc.property(fc.array(gap, { maxLength: 60 }), (gaps) => {
        const times = cumulative(gaps);
        const m = new RateMeter();
        times.forEach((t, i) => {
          m.note(t);
          assert.equal(m.peak, bruteForcePeak(times.slice(0, i + 1)));
        });
      }),
    );
  });

  test('events exactly 1 s apart are never in one window; 1 ns less and they are', () => {
    assert.equal(meter([0, SECOND, 2 * SECOND]).peak, 1);
    assert.equal(meter([0, SECOND - 1, 2 * SECOND - 2]).peak, 2);
  });

  test('a long run compacts its buffer without losing the window (5 000 events, bursts late)', () => {
    // 4 000 events 1 ms apart (1 000 a second), then a burst of 1 500 at once 10 ms later.
    const times: Nanos[] = [];
    for (let i = 0; i < 4000; i++) times.push(i * 1_000_000);
    const last = times[times.length - 1]!;
    for (let i = 0; i < 1500; i++) times.push(last + 10_000_000);
    const m = meter(times);
    assert.equal(m.total, 5500);
    assert.equal(m.peak, bruteForcePeak(times));
    // The burst plus the 990 events of the 990 ms before it.
    assert.equal(m.peak, 1500 + 990);
  });

  test('empty: nothing counted', () => {
    const m = new RateMeter();
    assert.equal(m.peak, 0);
    assert.equal(m.total, 0);
  });
});
