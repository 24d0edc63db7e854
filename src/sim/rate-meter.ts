import type { Nanos } from './units.js';
import { SECOND } from './units.js';

/**
 * The peak number of events in any window of one second (sliding, not aligned), kept in
 * memory proportional to that peak: what "peak ARP rate" means for a node.
 */
export class RateMeter {
  #times: Nanos[] = [];
  #head = 0;
  #peak = 0;
  #total = 0;

  /** Events counted. */
  get total(): number {
    return this.#total;
  }

  /** The most events seen within one second. */
  get peak(): number {
    return this.#peak;
  }

  /** Counts one event at `now` (times must not decrease). */
  note(now: Nanos): void {
    this.#total++;
    const times = this.#times;
    times.push(now);
    while (times[this.#head]! <= now - SECOND) this.#head++;
    const inWindow = times.length - this.#head;
    if (inWindow > this.#peak) this.#peak = inWindow;
    if (this.#head > 1024 && this.#head * 2 > times.length) {
      this.#times = times.slice(this.#head);
      this.#head = 0;
    }
  }
}
