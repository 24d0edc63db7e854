import type { Nanos } from './units.js';

/** What an event does when its time comes: called with the two arguments it was given. */
export type Action<A = unknown, B = unknown> = (a: A, b: B) => void;

/**
 * A binary min-heap of events keyed by (time, order): `order` is the engine's scheduling
 * number, so events at one time run in the order they were scheduled and a run is
 * deterministic. Keys live in typed arrays and each event's action and two arguments in plain
 * arrays (no object per event), grown by doubling; millions of pending events fit.
 */
export class EventQueue {
  #times = new Float64Array(1024);
  #orders = new Float64Array(1024);
  #actions: (Action | undefined)[] = new Array<Action | undefined>(1024);
  #as: unknown[] = new Array<unknown>(1024);
  #bs: unknown[] = new Array<unknown>(1024);
  #size = 0;

  /** Events pending. */
  get size(): number {
    return this.#size;
  }

  /** The time of the earliest pending event; Infinity when none is. */
  peekTime(): Nanos {
    return this.#size === 0 ? Infinity : this.#times[0]!;
  }

  /** The order of the earliest pending event (the queue must not be empty). */
  peekOrder(): number {
    return this.#orders[0]!;
  }

  /** Adds `action(a, b)` at `time` with scheduling number `order`. */
  push(time: Nanos, order: number, action: Action, a: unknown, b: unknown): void {
    if (this.#size === this.#times.length) this.#grow();
    const times = this.#times;
    const orders = this.#orders;
    let at = this.#size++;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const pt = times[parent]!;
      if (pt < time || (pt === time && orders[parent]! < order)) break;
      this.#move(parent, at);
      at = parent;
    }
    times[at] = time;
    orders[at] = order;
    this.#actions[at] = action;
    this.#as[at] = a;
    this.#bs[at] = b;
  }

  /** Removes the earliest event and runs it (the queue must not be empty). */
  popAndRun(): void {
    const action = this.#actions[0]!;
    const a = this.#as[0];
    const b = this.#bs[0];
    this.#removeTop();
    action(a, b);
  }

  #removeTop(): void {
    const times = this.#times;
    const orders = this.#orders;
    const last = --this.#size;
    const time = times[last]!;
    const order = orders[last]!;
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= last) break;
      const right = child + 1;
      if (
        right < last &&
        (times[right]! < times[child]! ||
          (times[right] === times[child] && orders[right]! < orders[child]!))
      ) {
        child = right;
      }
      const ct = times[child]!;
      if (time < ct || (time === ct && order < orders[child]!)) break;
      this.#move(child, at);
      at = child;
    }
    if (last > 0) this.#move(last, at);
    this.#actions[last] = undefined;
    this.#as[last] = undefined;
    this.#bs[last] = undefined;
  }

  #move(from: number, to: number): void {
    this.#times[to] = this.#times[from]!;
    this.#orders[to] = this.#orders[from]!;
    this.#actions[to] = this.#actions[from];
    this.#as[to] = this.#as[from];
    this.#bs[to] = this.#bs[from];
  }

  #grow(): void {
    const length = this.#times.length * 2;
    const times = new Float64Array(length);
    times.set(this.#times);
    const orders = new Float64Array(length);
    orders.set(this.#orders);
    this.#times = times;
    this.#orders = orders;
    this.#actions.length = length;
    this.#as.length = length;
    this.#bs.length = length;
  }
}
