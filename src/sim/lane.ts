import type { Action } from './event-queue.js';
import type { Nanos } from './units.js';

/**
 * A first-in first-out queue of events that all wait the same `delay` (a cable's latency, a
 * flow's packet interval). Events scheduled in time order with one delay come due in the same
 * order, so a ring buffer keeps them sorted at O(1) a push and a pop, where a heap pays
 * O(log n): most of a run's events go through lanes.
 */
export class Lane {
  #times = new Float64Array(256);
  #orders = new Float64Array(256);
  #actions: (Action | undefined)[] = new Array<Action | undefined>(256);
  #as: unknown[] = new Array<unknown>(256);
  #bs: unknown[] = new Array<unknown>(256);
  #head = 0;
  #size = 0;

  constructor(readonly delay: Nanos) {}

  /** Events pending. */
  get size(): number {
    return this.#size;
  }

  /** The time of the next event (the lane must not be empty). */
  headTime(): Nanos {
    return this.#times[this.#head]!;
  }

  /** The scheduling number of the next event (the lane must not be empty). */
  headOrder(): number {
    return this.#orders[this.#head]!;
  }

  /** Appends `action(a, b)` due at `time` (never earlier than the last one appended). */
  push(time: Nanos, order: number, action: Action, a: unknown, b: unknown): void {
    if (this.#size === this.#times.length) this.#grow();
    const mask = this.#times.length - 1;
    const at = (this.#head + this.#size++) & mask;
    this.#times[at] = time;
    this.#orders[at] = order;
    this.#actions[at] = action;
    this.#as[at] = a;
    this.#bs[at] = b;
  }

  /** Removes the next event and runs it (the lane must not be empty). */
  popAndRun(): void {
    const at = this.#head;
    const action = this.#actions[at]!;
    const a = this.#as[at];
    const b = this.#bs[at];
    this.#actions[at] = undefined;
    this.#as[at] = undefined;
    this.#bs[at] = undefined;
    this.#head = (at + 1) & (this.#times.length - 1);
    this.#size--;
    action(a, b);
  }

  /** Doubles the ring, unrolling it so the head is at 0. */
  #grow(): void {
    const length = this.#times.length;
    const order = (i: number): number => (this.#head + i) & (length - 1);
    const times = new Float64Array(length * 2);
    const orders = new Float64Array(length * 2);
    const actions = new Array<Action | undefined>(length * 2);
    const as = new Array<unknown>(length * 2);
    const bs = new Array<unknown>(length * 2);
    for (let i = 0; i < this.#size; i++) {
      const from = order(i);
      times[i] = this.#times[from]!;
      orders[i] = this.#orders[from]!;
      actions[i] = this.#actions[from];
      as[i] = this.#as[from];
      bs[i] = this.#bs[from];
    }
    this.#times = times;
    this.#orders = orders;
    this.#actions = actions;
    this.#as = as;
    this.#bs = bs;
    this.#head = 0;
  }
}
