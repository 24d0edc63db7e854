import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Clock } from '../time/clock.js';
import { VirtualClock } from '../time/virtual-clock.js';
import { Pacer, TICK_MS } from './pacer.js';

/** One batch the pacer released: when (ms from the start) and how many frames. */
interface Released {
  readonly at: number;
  readonly size: number;
}

/** Runs `pacer` over `count` items while `clock` advances `ms`; checks they all come, in order. */
async function pace(
  pacer: Pacer,
  clock: VirtualClock,
  count: number,
  ms: number,
  start = clock.now(),
): Promise<Released[]> {
  const items = Array.from({ length: count }, (_, i) => i);
  const released: Released[] = [];
  const seen: number[] = [];
  const run = (async () => {
    for await (const batch of pacer.batches(items)) {
      released.push({ at: clock.now() - start, size: batch.length });
      seen.push(...batch);
    }
  })();
  await clock.advance(ms);
  await run;
  assert.deepEqual(seen, items);
  return released;
}

/** The most frames any half-open window of `TICK_MS` holds. */
function busiestWindow(released: readonly Released[]): number {
  let most = 0;
  for (const first of released) {
    const inWindow = released.filter((each) => each.at >= first.at && each.at < first.at + TICK_MS);
    most = Math.max(
      most,
      inWindow.reduce((sum, each) => sum + each.size, 0),
    );
  }
  return most;
}

/** A clock whose timers all fire `lateMs` after they are due, as a busy event loop's do. */
class LateClock implements Clock {
  constructor(
    readonly inner: VirtualClock,
    readonly lateMs: number,
  ) {}

  now(): number {
    return this.inner.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.inner.sleep(ms + this.lateMs, signal);
  }
}

describe('pacer', () => {
  test('property: no 10 ms window over max(1, ceil(rate/100)); first frame at once, the last after (count − 1)/rate ± a tick', async () => {
    // Up to 500 ticks a run: count ≤ 5 s worth of frames (and ≤ 2000).
    const rateAndCount = fc
      .integer({ min: 1, max: 100_000 })
      .chain((rate) =>
        fc.tuple(fc.constant(rate), fc.integer({ min: 1, max: Math.min(2000, rate * 5) })),
      );
    await fc.assert(
      fc.asyncProperty(rateAndCount, async ([rate, count]) => {
        const clock = new VirtualClock(0);
        const released = await pace(
          new Pacer(clock, rate),
          clock,
          count,
          (count / rate) * 1000 + 50,
        );
        assert.ok(busiestWindow(released) <= Math.max(1, Math.ceil(rate / 100)));
        const duration = released[released.length - 1]!.at;
        assert.equal(released[0]!.at, 0);
        assert.ok(Math.abs(duration - ((count - 1) / rate) * 1000) <= TICK_MS, `${duration} ms`);
      }),
      { numRuns: 100 },
    );
  });

  test('50 frames/s: the first frame at once, then the half frame a tick earns is carried', async () => {
    const clock = new VirtualClock(0);
    const released = await pace(new Pacer(clock, 50), clock, 4, 1000);
    assert.deepEqual(released, [
      { at: 0, size: 1 },
      { at: 20, size: 1 },
      { at: 40, size: 1 },
      { at: 60, size: 1 },
    ]);
  });

  test('1 frame/s: the first frame at once, and a round that follows waits its turn', async () => {
    const clock = new VirtualClock(0);
    const pacer = new Pacer(clock, 1);
    assert.deepEqual(await pace(pacer, clock, 2, 1000, 0), [
      { at: 0, size: 1 },
      { at: 1000, size: 1 },
    ]);
    assert.deepEqual(await pace(pacer, clock, 1, 1000, 0), [{ at: 2000, size: 1 }]);
  });

  test('250 frames/s: 2.5 a tick, as 2 and 3 in turn', async () => {
    const clock = new VirtualClock(0);
    const released = await pace(new Pacer(clock, 250), clock, 10, 1000);
    assert.deepEqual(
      released.map((each) => [each.at, each.size]),
      [
        [0, 2],
        [10, 3],
        [20, 2],
        [30, 3],
      ],
    );
  });

  test('state carries over calls: the next call waits for the next tick; a pause earns no burst', async () => {
    const clock = new VirtualClock(0);
    const pacer = new Pacer(clock, 250);
    assert.deepEqual(await pace(pacer, clock, 2, 0, 0), [{ at: 0, size: 2 }]);
    assert.deepEqual(await pace(pacer, clock, 3, 20, 0), [
      { at: 10, size: 2 },
      { at: 20, size: 1 },
    ]);
    // After a second's pause the first tick earns one tick's worth (2.5: 2 go), not 250.
    await clock.advance(1000);
    const after = await pace(pacer, clock, 8, 100, 0);
    assert.deepEqual(
      after.map((each) => each.size),
      [2, 3, 2, 1],
    );
  });

  test('unpaced: everything in one batch, at once', async () => {
    const clock = new VirtualClock(0);
    assert.deepEqual(await pace(new Pacer(clock, 0), clock, 10_000, 0), [{ at: 0, size: 10_000 }]);
  });

  test('late timers: deadlines stay absolute, the long-run rate exact', async () => {
    const virtual = new VirtualClock(0);
    const pacer = new Pacer(new LateClock(virtual, 4), 1000);
    const released = await pace(pacer, virtual, 1000, 2000);
    // Every tick but the first fires 4 ms late; 10 frames each, the last on tick 99 (+4 ms).
    assert.ok(released.every((each) => each.size === 10));
    assert.equal(released[released.length - 1]!.at, 994);
  });

  test('a timer later than a tick: the ticks missed are not made up in one burst', async () => {
    const virtual = new VirtualClock(0);
    const pacer = new Pacer(new LateClock(virtual, 25), 1000);
    const released = await pace(pacer, virtual, 100, 2000);
    assert.ok(released.every((each) => each.size <= 10));
    // Tick 1 fires at 35 ms, then tick 4 (due at 40) at 65 ms: one tick's worth each.
    assert.deepEqual(
      released.slice(0, 3).map((each) => each.at),
      [0, 35, 65],
    );
  });

  test('abort: the wait ends at once and nothing more is released', async () => {
    const clock = new VirtualClock(0);
    const stop = new AbortController();
    const released: number[] = [];
    const run = (async () => {
      for await (const batch of new Pacer(clock, 100).batches([1, 2, 3], stop.signal)) {
        released.push(...batch);
        stop.abort();
      }
    })();
    await clock.advance(0);
    await run;
    assert.deepEqual(released, [1]);
    assert.equal(clock.now(), 0);
  });

  test('a rate must be a number of frames a second, 0 or more', () => {
    const clock = new VirtualClock(0);
    for (const rate of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new Pacer(clock, rate), RangeError);
    }
  });
});

describe('pacer on a clock that has moved on from the origin', () => {
  test('the first frame of a run and of a later round goes at once, not a tick later', async () => {
    const clock = new VirtualClock(0);
    const pacer = new Pacer(clock, 1000, 0);
    await clock.advance(0.3);
    const released: Released[] = [];
    const run = (async () => {
      for await (const batch of pacer.batches([1, 2, 3]))
        released.push({ at: clock.now(), size: batch.length });
    })();
    await clock.advance(20);
    await run;
    assert.deepEqual(released, [{ at: 0.3, size: 3 }]);
    await clock.advance(1080.4);
    const later: Released[] = [];
    const run2 = (async () => {
      for await (const batch of pacer.batches(Array.from({ length: 15 }, (_, i) => i)))
        later.push({ at: clock.now(), size: batch.length });
    })();
    await clock.advance(20);
    await run2;
    assert.deepEqual(later, [
      { at: 1100.7, size: 10 },
      { at: 1110, size: 5 },
    ]);
  });
});
