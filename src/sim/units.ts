/** Virtual time is an integer count of nanoseconds (safe to 2^53 ns, about 104 days). */
export type Nanos = number;

/** One microsecond, in nanoseconds. */
export const MICROSECOND: Nanos = 1_000;
/** One millisecond, in nanoseconds. */
export const MILLISECOND: Nanos = 1_000_000;
/** One second, in nanoseconds. */
export const SECOND: Nanos = 1_000_000_000;

/** Seconds (fractional) as whole nanoseconds. */
export function fromSeconds(seconds: number): Nanos {
  return Math.round(seconds * SECOND);
}

/** Milliseconds (fractional) as whole nanoseconds. */
export function fromMs(ms: number): Nanos {
  return Math.round(ms * MILLISECOND);
}

/** Nanoseconds as seconds. */
export function toSeconds(time: Nanos): number {
  return time / SECOND;
}
