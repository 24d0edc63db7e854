import { type Action, EventQueue } from './event-queue.js';
import { Lane } from './lane.js';
import { Random } from './random.js';
import type { Nanos } from './units.js';

/**
 * The discrete-event loop: virtual time in integer nanoseconds, one seeded random source, and
 * events in a heap plus FIFO lanes for fixed delays. Events run in (time, scheduling order):
 * whichever structure holds them, a run is the same. Nothing in the simulator reads a real
 * clock.
 */
export class Engine {
  readonly random: Random;
  readonly #queue = new EventQueue();
  readonly #lanes: Lane[] = [];
  readonly #laneByDelay = new Map<Nanos, Lane>();
  #now: Nanos = 0;
  #order = 0;
  #events = 0;

  constructor(seed: number) {
    this.random = new Random(seed);
  }

  /** The current virtual time. */
  get now(): Nanos {
    return this.#now;
  }

  /** Events run so far. */
  get events(): number {
    return this.#events;
  }

  /** Events still pending. */
  get pending(): number {
    let pending = this.#queue.size;
    for (const lane of this.#lanes) pending += lane.size;
    return pending;
  }

  /** Runs `action(a, b)` at `time` (a past time means now). */
  at<A, B>(time: Nanos, action: Action<A, B>, a?: A, b?: B): void {
    const when = time < this.#now ? this.#now : Math.round(time);
    this.#queue.push(when, this.#order++, action as Action, a, b);
  }

  /** Runs `action(a, b)` `delay` ns from now. */
  after<A, B>(delay: Nanos, action: Action<A, B>, a?: A, b?: B): void {
    this.at(this.#now + delay, action, a, b);
  }

  /** The lane for events `delay` ns after they are scheduled (see `later`). */
  lane(delay: Nanos): Lane {
    const whole = Math.max(0, Math.round(delay));
    let lane = this.#laneByDelay.get(whole);
    if (lane === undefined) {
      lane = new Lane(whole);
      this.#laneByDelay.set(whole, lane);
      this.#lanes.push(lane);
    }
    return lane;
  }

  /** Runs `action(a, b)` `lane.delay` ns from now, in O(1). */
  later<A, B>(lane: Lane, action: Action<A, B>, a: A, b: B): void {
    lane.push(this.#now + lane.delay, this.#order++, action as Action, a, b);
  }

  /**
   * Runs events in time order until none is left before `until` (inclusive), then sets the
   * time to `until`. Returns the number of events run by this call.
   */
  run(until: Nanos): number {
    const queue = this.#queue;
    const lanes = this.#lanes;
    const start = this.#events;
    for (;;) {
      let time = queue.peekTime();
      let order = time === Infinity ? Infinity : queue.peekOrder();
      let next: Lane | undefined;
      for (let i = 0; i < lanes.length; i++) {
        const lane = lanes[i]!;
        if (lane.size === 0) continue;
        const t = lane.headTime();
        if (t < time || (t === time && lane.headOrder() < order)) {
          time = t;
          order = lane.headOrder();
          next = lane;
        }
      }
      if (time > until || time === Infinity) break;
      this.#now = time;
      this.#events++;
      if (next === undefined) queue.popAndRun();
      else next.popAndRun();
    }
    this.#now = Math.max(this.#now, until);
    return this.#events - start;
  }
}
