import type { Clock } from './clock.js';

/**
 * A clock that only moves when told to: `sleep` waits until `advance` has moved time past the
 * wake-up point, so tests (and the simulator) run schedules in no real time, deterministically.
 */
export class VirtualClock implements Clock {
  private current: number;
  private readonly sleepers: { at: number; wake: () => void }[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      // A long-lived signal must not collect a listener per sleep: each goes when it wakes.
      const aborted = () => {
        const index = this.sleepers.indexOf(sleeper);
        if (index >= 0) this.sleepers.splice(index, 1);
        resolve();
      };
      const wake = () => {
        signal?.removeEventListener('abort', aborted);
        resolve();
      };
      const sleeper = { at: this.current + Math.max(0, ms), wake };
      this.sleepers.push(sleeper);
      this.sleepers.sort((a, b) => a.at - b.at);
      signal?.addEventListener('abort', aborted, { once: true });
    });
  }

  /**
   * Moves time forward by `ms`, waking each sleeper at its own time in order and letting the
   * code it resumes run (and sleep again) before time moves on.
   */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    for (;;) {
      await settle();
      const next = this.sleepers[0];
      if (next === undefined || next.at > end) break;
      this.sleepers.shift();
      this.current = Math.max(this.current, next.at);
      next.wake();
    }
    this.current = end;
    await settle();
  }
}

/** Turns of the event loop given to work that is already due before time moves on. */
const SETTLE_TURNS = 20;

/**
 * Lets work that is already due run before time moves: promise callbacks and a bounded number of
 * `setImmediate` turns (a frame sent, received, answered and received again takes a few).
 */
async function settle(): Promise<void> {
  for (let i = 0; i < SETTLE_TURNS; i++) await new Promise((resolve) => setImmediate(resolve));
}
