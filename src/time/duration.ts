/**
 * Durations as people write them: `200ms`, `1.1s`, `2m`, `1h`, or a bare number of seconds (as
 * arping's `-i`/`-w` take them). Shared by the command line and the `arpkit watch` configuration
 * file; each wraps `DurationError` in its own error, naming the option or the key.
 */

/** Examples of the form, for messages. */
export const DURATION_EXAMPLES = '200ms, 1.1s, 2m';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d*)(?:\.(\d+))?(ms|s|m|h)?$/;
/** Digits whose integer, times the largest unit, stays below 2^53 and so is exact. */
const MAX_EXACT_DIGITS = 9;

/** A text that is not a duration; the message echoes it and gives examples. */
export class DurationError extends Error {
  readonly input: string;

  constructor(input: string) {
    super(`"${input}" is not a duration (e.g. ${DURATION_EXAMPLES})`);
    this.name = 'DurationError';
    this.input = input;
  }
}

/**
 * A duration in milliseconds; a bare number is seconds. Up to 9 digits are scaled as an integer
 * before one division, so `1.005s` is exactly 1005 (not 1004.9999999999999).
 */
export function parseDurationMs(text: string): number {
  const match = DURATION.exec(text.trim());
  const whole = match?.[1] ?? '';
  const fraction = match?.[2] ?? '';
  if (match === null || (whole === '' && fraction === '')) throw new DurationError(text);
  const unit = UNITS[match[3] ?? 's']!;
  const digits = whole + fraction;
  if (digits.length > MAX_EXACT_DIGITS) return Number(`${whole}.${fraction}`) * unit;
  return (Number(digits) * unit) / 10 ** fraction.length;
}

/** `seconds` (a finite number ≥ 0) in milliseconds, as exact as `parseDurationMs` is for its text. */
export function secondsToMs(seconds: number): number {
  const text = String(seconds);
  return /^\d+(?:\.\d+)?$/.test(text) ? parseDurationMs(text) : seconds * 1000;
}
