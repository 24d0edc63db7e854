/** Nanoseconds in one unit of a resolution of `digits` decimal digits (index 0–9). */
export const NSEC_PER_UNIT: readonly number[] = Array.from({ length: 10 }, (_, d) => 10 ** (9 - d));

/**
 * Epoch seconds as exact decimal text at the capture's resolution (`1096983212.123456`; no
 * fraction when `digits` is 0). A double would round nanoseconds away. `sec` may be negative
 * (a pcapng `if_tsoffset` before 1970): -1 s + 0.5 s is written `-0.500000`.
 */
export function epochText(sec: number, nsec: number, digits: number): string {
  const negative = sec < 0 && nsec > 0;
  const whole = negative ? sec + 1 : sec;
  const part = negative ? 1_000_000_000 - nsec : nsec;
  const sign = negative && whole === 0 ? '-' : '';
  if (digits === 0) return `${sign}${whole}`;
  const fraction = String(Math.floor(part / NSEC_PER_UNIT[digits]!)).padStart(digits, '0');
  return `${sign}${whole}.${fraction}`;
}

/**
 * `HH:MM:SS` in local time for epoch seconds, as tcpdump prints it; epoch seconds as text when the
 * date is outside what `Date` can hold (a corrupt or far-future pcapng stamp).
 */
export function timeOfDay(sec: number): string {
  const date = new Date(sec * 1000);
  if (Number.isNaN(date.getTime())) return String(sec);
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
