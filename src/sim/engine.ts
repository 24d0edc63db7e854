import { type Action, EventQueue } from './event-queue.js';
import { Random } from './random.js';
import type { Nanos } from './units.js';

/**
 * The discrete-event loop: virtual time in integer nanoseconds, a queue of actions, one seeded
 * random source. Nothing in the simulator reads a real clock.
 */
export class Engine {
  readonly random: Random;
  readonly #queue = new EventQueue();
  #now: Nanos = 0;
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
    return this.#queue.size;
  }

  /** Runs `action` at `time` (never before now: a past time means now). */
  at(time: Nanos, action: Action): void {
    this.#queue.push(time < this.#now ? this.#now : Math.round(time), action);
  }

  /** Runs `action` `delay` ns from now. */
  after(delay: Nanos, action: Action): void {
    this.at(this.#now + delay, action);
  }

  /**
   * Runs events in time order until none is left before `until` (inclusive), then sets the
   * time to `until`. Returns the number of events run by this call.
   */
  run(until: Nanos): number {
    const queue = this.#queue;
    const start = this.#events;
    while (queue.size > 0 && queue.peekTime() <= until) {
      this.#now = queue.peekTime();
      const action = queue.pop();
      this.#events++;
      action();
    }
    this.#now = Math.max(this.#now, until);
    return this.#events - start;
  }
}
