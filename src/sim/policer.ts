import type { Nanos } from './units.js';
import { SECOND } from './units.js';

/**
 * A token-bucket input policer (single rate, two colours, drop on red), as CoPP polices ARP on
 * switches and routers: `rate` tokens a second, at most `burst` stored, one token per frame.
 * SONiC's default for ARP is 600 pps with a burst of 600 (copp_cfg.j2).
 */
export class Policer {
  readonly rate: number;
  readonly burst: number;
  #tokens: number;
  #at: Nanos = 0;
  #drops = 0;

  /** A bucket of `burst` tokens refilled at `rate` a second, full at time 0. */
  constructor(rate: number, burst: number) {
    if (!(rate > 0) || !(burst >= 1)) {
      throw new RangeError(`policer: rate ${rate} and burst ${burst} must be > 0 and ≥ 1`);
    }
    this.rate = rate;
    this.burst = burst;
    this.#tokens = burst;
  }

  /** Frames dropped so far. */
  get drops(): number {
    return this.#drops;
  }

  /** Whether a frame arriving at `now` passes (taking a token), or is dropped (counted). */
  admit(now: Nanos): boolean {
    const tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) * this.rate) / SECOND);
    this.#at = now;
    if (tokens >= 1) {
      this.#tokens = tokens - 1;
      return true;
    }
    this.#tokens = tokens;
    this.#drops++;
    return false;
  }
}
