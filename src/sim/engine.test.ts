import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Engine } from './engine.js';
import { type Action, EventQueue } from './event-queue.js';
import { Lane } from './lane.js';
import { Random } from './random.js';
import type { Nanos } from './units.js';

/**
 * One event of a generated program: how it is scheduled (`at` an absolute time, `after` a delay
 * that may be negative, or `later` on the lane of `delays[lane]`), and what it schedules in turn
 * when it runs.
 */
interface Spec {
  readonly how: 'at' | 'after' | 'later';
  readonly value: number;
  readonly children: readonly Spec[];
}

/** Lane delays a program may use: two share a value, one is zero. */
const LANE_DELAYS: readonly Nanos[] = [0, 3, 3, 7, 20];

const leaf = fc.record({
  how: fc.constantFrom('at' as const, 'after' as const, 'later' as const),
  // Small times so that equal times are common; negatives put `at`/`after` in the past.
  value: fc.integer({ min: -5, max: 30 }),
  children: fc.constant([] as Spec[]),
});
const spec: fc.Arbitrary<Spec> = fc.letrec<{ node: Spec }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({
      how: fc.constantFrom('at' as const, 'after' as const, 'later' as const),
      value: fc.integer({ min: -5, max: 30 }),
      children: fc.array(tie('node'), { maxLength: 4 }),
    }),
  ),
})).node;

/** When `spec` comes due if scheduled at `now`, by the rules the engine documents. */
function dueTime(s: Spec, now: Nanos): Nanos {
  if (s.how === 'at') return Math.max(now, s.value);
  if (s.how === 'after') return Math.max(now, now + s.value);
  return now + LANE_DELAYS[Math.abs(s.value) % LANE_DELAYS.length]!;
}

/**
 * The reference: a flat list of pending events, each with its due time and a global counter,
 * the least (time, counter) run next. Returns the ids in run order and the time each ran.
 */
function reference(roots: readonly Spec[], until: Nanos): [number, Nanos][] {
  const pending: { time: Nanos; order: number; spec: Spec; id: number }[] = [];
  let order = 0;
  let ids = 0;
  let now = 0;
  const schedule = (s: Spec): void => {
    pending.push({ time: dueTime(s, now), order: order++, spec: s, id: ids++ });
  };
  roots.forEach(schedule);
  const ran: [number, Nanos][] = [];
  for (;;) {
    pending.sort((x, y) => x.time - y.time || x.order - y.order);
    const next = pending[0];
    if (next === undefined || next.time > until) break;
    pending.shift();
    now = next.time;
    ran.push([next.id, now]);
    next.spec.children.forEach(schedule);
  }
  return ran;
}

/** The same program on the engine; ids are given in scheduling order, as in the reference. */
function onEngine(roots: readonly Spec[], steps: readonly Nanos[]): [number, Nanos][] {
  const engine = new Engine(1);
  const lanes = LANE_DELAYS.map((delay) => engine.lane(delay));
  const ran: [number, Nanos][] = [];
  let ids = 0;
  const schedule = (s: Spec): void => {
    const run = (id: number, self: Spec): void => {
      ran.push([id, engine.now]);
      self.children.forEach(schedule);
    };
    const id = ids++;
    if (s.how === 'at') engine.at(s.value, run, id, s);
    else if (s.how === 'after') engine.after(s.value, run, id, s);
    else engine.later(lanes[Math.abs(s.value) % lanes.length]!, run, id, s);
  };
  roots.forEach(schedule);
  for (const until of steps) {
    const before = engine.now;
    const count = ran.length;
    assert.equal(engine.run(until), ran.length - count);
    assert.equal(engine.now, Math.max(before, until));
    assert.equal(engine.events, ran.length);
  }
  return ran;
}

describe('engine', () => {
  test('property: at/after/later from anywhere run in (time, scheduling order), as a sorted list would', () => {
    fc.assert(
      fc.property(
        fc.array(spec, { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: -10, max: 200 }), { maxLength: 5 }),
        (roots, cuts) => {
          // Run to the end in a few steps (a step before `now` must change nothing).
          const steps = [...cuts, 10_000];
          assert.deepEqual(onEngine(roots, steps), reference(roots, 10_000));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('property: run(until) runs exactly the events due at or before until, and counts the rest as pending', () => {
    fc.assert(
      fc.property(
        fc.array(spec, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 60 }),
        (roots, until) => {
          const expected = reference(roots, until);
          const all = reference(roots, Infinity);
          const ran = onEngine(roots, [until]);
          assert.deepEqual(ran, expected);
          assert.ok(ran.every(([, time]) => time <= until));
          // Whatever did not run yet is pending: the full run has exactly that many more.
          const engine = new Engine(1);
          let scheduled = 0;
          const lanes = LANE_DELAYS.map((delay) => engine.lane(delay));
          const schedule = (s: Spec): void => {
            scheduled++;
            const run = (self: Spec): void => self.children.forEach(schedule);
            if (s.how === 'at') engine.at(s.value, run, s);
            else if (s.how === 'after') engine.after(s.value, run, s);
            else engine.later(lanes[Math.abs(s.value) % lanes.length]!, run, s, undefined);
          };
          roots.forEach(schedule);
          assert.equal(engine.pending, roots.length);
          engine.run(until);
          assert.equal(engine.pending, scheduled - expected.length);
          engine.run(1_000_000);
          assert.equal(engine.pending, 0);
          assert.equal(engine.events, all.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('an event at until runs; one a nanosecond after does not; now is until', () => {
    const engine = new Engine(1);
    const ran: string[] = [];
    engine.at(100, () => ran.push('at 100'));
    engine.at(101, () => ran.push('at 101'));
    assert.equal(engine.run(100), 1);
    assert.deepEqual(ran, ['at 100']);
    assert.equal(engine.now, 100);
    assert.equal(engine.pending, 1);
    assert.equal(engine.run(50), 0, 'a run into the past runs nothing');
    assert.equal(engine.now, 100, 'and leaves the time alone');
    assert.equal(engine.run(1000), 1);
    assert.equal(engine.now, 1000);
  });

  test('run(Infinity) runs every event and returns (nothing left is not an event at Infinity)', () => {
    const engine = new Engine(1);
    let ran = 0;
    engine.at(5, () => engine.after(10, () => ran++));
    assert.equal(engine.run(Infinity), 2);
    assert.equal(ran, 1);
    assert.equal(engine.pending, 0);
    assert.equal(new Engine(1).run(Infinity), 0, 'an empty engine too');
  });

  test('a time in the past means now; a fractional time is rounded; arguments are passed', () => {
    const engine = new Engine(1);
    const ran: [string, Nanos, unknown, unknown][] = [];
    const note = (a: string, b: number): void => void ran.push([a, engine.now, a, b]);
    engine.at(50, () => {
      engine.at(10, note, 'past', 1);
      engine.after(-5, note, 'negative delay', 2);
      engine.at(60.4, note, 'rounded down', 3);
      engine.at(60.6, note, 'rounded up', 4);
    });
    engine.run(100);
    assert.deepEqual(
      ran.map(([label, time]) => [label, time]),
      [
        ['past', 50],
        ['negative delay', 50],
        ['rounded down', 60],
        ['rounded up', 61],
      ],
    );
    assert.deepEqual(
      ran.map(([, , a, b]) => [a, b]),
      [
        ['past', 1],
        ['negative delay', 2],
        ['rounded down', 3],
        ['rounded up', 4],
      ],
    );
  });

  test('lane(delay) is one lane per whole delay; a negative delay is 0', () => {
    const engine = new Engine(1);
    assert.equal(engine.lane(5), engine.lane(5));
    assert.equal(engine.lane(5.2), engine.lane(5));
    assert.notEqual(engine.lane(5), engine.lane(6));
    assert.equal(engine.lane(-3), engine.lane(0));
    assert.equal(engine.lane(-3).delay, 0);
  });

  test('one seed, one random sequence on the engine', () => {
    const draws = (seed: number) => {
      const engine = new Engine(seed);
      return Array.from({ length: 5 }, () => engine.random.uint32());
    };
    assert.deepEqual(draws(9), draws(9));
    const random = new Random(9);
    assert.deepEqual(
      draws(9),
      Array.from({ length: 5 }, () => random.uint32()),
    );
  });
});

describe('event queue', () => {
  test('1e5 random events, many at equal times, pop in (time, order), interleaved with pushes', () => {
    const queue = new EventQueue();
    const random = new Random(7);
    const popped: [Nanos, number][] = [];
    const record: Action = (time, order) => void popped.push([time as Nanos, order as number]);
    let order = 0;
    const keys: [Nanos, number][] = [];
    for (let i = 0; i < 100_000; i++) {
      const time = random.integer(0, 5_000);
      queue.push(time, order, record, time, order);
      keys.push([time, order++]);
    }
    assert.equal(queue.size, 100_000);
    // Pop half, then push more (all later than anything popped so far), then drain.
    for (let i = 0; i < 50_000; i++) queue.popAndRun();
    const floor = popped[popped.length - 1]![0];
    for (let i = 0; i < 20_000; i++) {
      const time = floor + random.integer(0, 5_000);
      queue.push(time, order, record, time, order);
      keys.push([time, order++]);
    }
    while (queue.size > 0) queue.popAndRun();
    assert.equal(queue.peekTime(), Infinity);
    keys.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    assert.deepEqual(popped, keys);
  });

  test('peekTime and peekOrder name the next event', () => {
    const queue = new EventQueue();
    const noop = (): void => {};
    queue.push(30, 0, noop, undefined, undefined);
    queue.push(10, 2, noop, undefined, undefined);
    queue.push(10, 1, noop, undefined, undefined);
    assert.deepEqual([queue.peekTime(), queue.peekOrder()], [10, 1]);
    queue.popAndRun();
    assert.deepEqual([queue.peekTime(), queue.peekOrder()], [10, 2]);
  });
});

describe('lane', () => {
  test('FIFO across wrap-around and growth while the head is mid-ring', () => {
    const lane = new Lane(4);
    const out: number[] = [];
    const record: Action = (n) => void out.push(n as number);
    let next = 0;
    let expected = 0;
    // Move the head round the 256-slot ring a few times with a shallow queue…
    for (let i = 0; i < 1000; i++) {
      lane.push(next, next, record, next++, undefined);
      if (lane.size > 3) lane.popAndRun();
    }
    // …then grow twice with the head far from 0, popping now and then.
    for (let i = 0; i < 1500; i++) {
      lane.push(next, next, record, next++, undefined);
      if (i % 7 === 0) lane.popAndRun();
      assert.equal(lane.headOrder(), out.length, 'the head is the oldest event');
    }
    while (lane.size > 0) {
      assert.equal(lane.headTime(), out.length);
      lane.popAndRun();
    }
    for (const n of out) assert.equal(n, expected++);
    assert.equal(out.length, next);
  });

  test('property: the engine keeps lane order across growth when thousands are pending', () => {
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 1200 }), fc.integer({ min: 1, max: 9 }), (n, gap) => {
        const engine = new Engine(1);
        const lane = engine.lane(1_000);
        const ran: number[] = [];
        const tick = (i: number): void => {
          ran.push(i);
          // Each event schedules the next two until n: the lane holds up to ~n at once.
          if (2 * i + 1 < n) engine.later(lane, tick, 2 * i + 1, undefined);
          if (2 * i + 2 < n) engine.later(lane, tick, 2 * i + 2, undefined);
        };
        engine.at(0, tick, 0);
        for (let t = 0; engine.pending > 0; t += gap * 100) engine.run(t);
        assert.deepEqual(
          ran,
          Array.from({ length: n }, (_, i) => i),
        );
      }),
      { numRuns: 30 },
    );
  });
});
