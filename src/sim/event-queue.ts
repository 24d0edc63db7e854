import type { Nanos } from './units.js';

/** What an event does when its time comes. */
export type Action = () => void;

/**
 * A binary min-heap of events keyed by (time, insertion number): events at one time run in the
 * order they were scheduled, so a run is deterministic. Times and numbers live in typed arrays
 * (no object per event but the action), grown by doubling; millions of pending events fit.
 */
export class EventQueue {
  #times = new Float64Array(1024);
  #orders = new Float64Array(1024);
  #actions: (Action | undefined)[] = new Array<Action | undefined>(1024);
  #size = 0;
  #scheduled = 0;

  /** Events pending. */
  get size(): number {
    return this.#size;
  }

  /** The time of the earliest pending event; Infinity when none is. */
  peekTime(): Nanos {
    return this.#size === 0 ? Infinity : this.#times[0]!;
  }

  /** Adds `action` at `time`. */
  push(time: Nanos, action: Action): void {
    if (this.#size === this.#times.length) this.#grow();
    const times = this.#times;
    const orders = this.#orders;
    const actions = this.#actions;
    const order = this.#scheduled++;
    let at = this.#size++;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const pt = times[parent]!;
      if (pt < time || (pt === time && orders[parent]! < order)) break;
      times[at] = pt;
      orders[at] = orders[parent]!;
      actions[at] = actions[parent];
      at = parent;
    }
    times[at] = time;
    orders[at] = order;
    actions[at] = action;
  }

  /** Removes the earliest event and returns its action (the queue must not be empty). */
  pop(): Action {
    const times = this.#times;
    const orders = this.#orders;
    const actions = this.#actions;
    const top = actions[0]!;
    const last = --this.#size;
    const time = times[last]!;
    const order = orders[last]!;
    const action = actions[last];
    actions[last] = undefined;
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
      times[at] = ct;
      orders[at] = orders[child]!;
      actions[at] = actions[child];
      at = child;
    }
    if (last > 0) {
      times[at] = time;
      orders[at] = order;
      actions[at] = action;
    }
    return top;
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
  }
}
