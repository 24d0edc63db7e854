/**
 * Where scheduling code gets the time and waits (STYLE: time is a parameter). The real clock
 * reads the system; tests and the simulator pass a virtual one.
 */
export interface Clock {
  /** Now, as epoch milliseconds (fractional: sub-millisecond precision where the clock has it). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds of this clock's time, or as soon as `signal` aborts (its
   * timer then no longer keeps the process alive).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The system's clock: `performance` for precision, anchored to the epoch at start-up. */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
    }),
};

/** Splits epoch milliseconds into whole seconds and nanoseconds, as pcap stamps want them. */
export function epochParts(ms: number): { sec: number; nsec: number } {
  const sec = Math.floor(ms / 1000);
  const nsec = Math.min(999_999_999, Math.round((ms - sec * 1000) * 1e6));
  return { sec, nsec };
}
