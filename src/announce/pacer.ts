import type { Clock } from '../time/clock.js';

/** How often a paced link may send: one batch per tick at most, ticks this many ms apart. */
export const TICK_MS = 10;

/** Credit this close under a whole frame counts as the frame (sums of fractions drift). */
const EPSILON = 1e-9;

/**
 * A token bucket for one link: at most `rate` frames a second, sent in batches on ticks of
 * `TICK_MS` whose deadlines are absolute (origin + k × TICK_MS), so a late timer shortens the
 * next wait instead of slowing the long-run rate. Each tick earns one tick's worth of credit
 * (rate × TICK_MS), however long ago the last tick was, so a late timer never releases a
 * catch-up burst; the fraction of a frame left over is carried, so 50 frames/s goes out one
 * frame every other tick. A bucket that was idle starts with what it earned meanwhile, but never
 * more than one tick's worth, or one frame at low rates, so the first frame of a run goes at once
 * and a pause between rounds earns no burst. A 10 ms window thus holds at most
 * `max(1, ceil(rate × TICK_MS / 1000))` frames. Rate 0 means unpaced: everything at once.
 * The state carries over calls, so rounds on one link share one bucket.
 */
export class Pacer {
  readonly #clock: Clock;
  /** Frames earned per tick (fractional for rates under 100/s); 0 when unpaced. */
  readonly #perTick: number;
  readonly #origin: number;
  /** The number of the last tick that sent; none before the first. */
  #lastTick = Number.NEGATIVE_INFINITY;
  /** Frames earned and not yet sent. */
  #credit = 0;

  /** A bucket for `rate` frames a second (0: unpaced) whose tick 0 is due at `origin`. */
  constructor(clock: Clock, rate: number, origin = clock.now()) {
    if (!Number.isFinite(rate) || rate < 0) {
      throw new RangeError(`pacer: rate ${rate} is not a number of frames a second ≥ 0`);
    }
    this.#clock = clock;
    this.#perTick = (rate * TICK_MS) / 1000;
    this.#origin = origin;
  }

  /**
   * Yields `items` in order, in batches, each when the bucket allows it (unpaced: all of them in
   * one batch, at once). Stops early, without yielding again, once `signal` aborts: the waits
   * between ticks are cancelled with it.
   */
  async *batches<T>(items: readonly T[], signal?: AbortSignal): AsyncGenerator<readonly T[]> {
    if (items.length === 0 || signal?.aborted) return;
    if (this.#perTick === 0) {
      yield items;
      return;
    }
    this.#resume();
    let next = 0;
    // The first pass may send on the tick now passing (its deadline is behind us, unsent): a real
    // clock has always moved on a little from the origin, and rounding up would hold the first
    // frame of every round back by a whole tick. Later passes wait for the next deadline.
    let round = Math.floor;
    while (next < items.length) {
      const now = this.#clock.now();
      const tick = Math.max(this.#lastTick + 1, round((now - this.#origin) / TICK_MS));
      round = Math.ceil;
      const due = this.#origin + tick * TICK_MS;
      if (due > now) await this.#clock.sleep(due - now, signal);
      if (signal?.aborted) return;
      this.#lastTick = tick;
      this.#credit += this.#perTick;
      const count = Math.min(Math.floor(this.#credit + EPSILON), items.length - next);
      this.#credit -= count;
      if (count === 0) continue;
      const batch = items.slice(next, next + count);
      next += count;
      yield batch;
    }
  }

  /**
   * Credits the ticks that passed without a batch, capped so that, with the next tick's own
   * credit, the bucket holds at most one tick's worth (or a single frame, below 100 frames/s).
   */
  #resume(): void {
    const now = Math.floor((this.#clock.now() - this.#origin) / TICK_MS);
    const idleTicks = Math.max(0, now - this.#lastTick - 1);
    const cap = Math.max(0, 1 - this.#perTick);
    this.#credit = Math.min(cap, this.#credit + this.#perTick * idleTicks);
  }
}
