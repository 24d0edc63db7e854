import { TSRESOL_BINARY } from './constants.js';

/**
 * pcapng timestamps: a 64-bit count of units since the epoch, kept as two 32-bit halves, where
 * a unit is 10^-n or 2^-n seconds (if_tsresol, draft-ietf-opsawg-pcapng §4.2).
 *
 * Nanosecond counts pass 2^53 (any date after April 1970), so they cannot go through one double.
 * The common resolutions (10^-n for n ≤ 9, 2^-n for n ≤ 23) stay on doubles: one division when
 * the count is below 2^53 (µs stamps of any date), else exact long division in 16-bit digits,
 * where every intermediate stays below 2^53. Only odd resolutions fall back to BigInt. Readers
 * go through `StampDecoder`, which skips the division for stamps within the previous second.
 */

const NANOS_PER_SEC = 1_000_000_000;
const TWO_16 = 0x1_0000;
const TWO_32 = 0x1_0000_0000;
const TWO_48 = 0x1_0000_0000_0000;
/** Top halves below this make counts below 2^53, exact in one double. */
const MAX_EXACT_HIGH = 2 ** 21;
/** Seconds quotients of the top half at or above this would make the seconds pass 2^53. */
const MAX_HIGH_QUOTIENT = 2 ** 21;
/** Finest decimal exponent on the double path: 10^9 units per second. */
const MAX_FAST_DECIMAL = 9;
/** Finest binary exponent on the double path: remainder × 10^9 stays below 2^53. */
const MAX_FAST_BINARY = 23;

/** A timestamp resolution decoded from an if_tsresol byte. */
export class TsResolution {
  /** The if_tsresol byte: n for 10^-n seconds, 0x80 | n for 2^-n. */
  readonly code: number;
  /** Units per second, as a double (exact on the fast path). */
  readonly unitsPerSec: number;
  /** Units per second, exact. */
  readonly unitsPerSecBig: bigint;
  /** Nanoseconds per unit for decimal resolutions up to 10^-9; 0 for binary ones. */
  readonly nanosPerUnit: number;
  /** Decimal digits of the fraction a record reports: n for 10^-n (at most 9), 9 for binary. */
  readonly digits: number;
  /** Whether conversions stay on the exact double path. */
  readonly fast: boolean;

  constructor(code: number) {
    const exponent = code & ~TSRESOL_BINARY;
    const binary = (code & TSRESOL_BINARY) !== 0;
    this.code = code;
    this.unitsPerSecBig = binary ? 1n << BigInt(exponent) : 10n ** BigInt(exponent);
    this.unitsPerSec = Number(this.unitsPerSecBig);
    this.fast = binary ? exponent <= MAX_FAST_BINARY : exponent <= MAX_FAST_DECIMAL;
    this.nanosPerUnit = !binary && this.fast ? NANOS_PER_SEC / this.unitsPerSec : 0;
    this.digits = binary ? MAX_FAST_DECIMAL : Math.min(exponent, MAX_FAST_DECIMAL);
  }
}

/** Where a conversion to seconds and nanoseconds lands. */
export interface TimeFields {
  tsSec: number;
  tsNsec: number;
}

/** Where a conversion to units lands: the two 32-bit halves. */
export interface UnitFields {
  high: number;
  low: number;
}

/**
 * Converts `high:low` units to seconds and nanoseconds (truncated) into `out`; returns false,
 * leaving `out` undefined, when the seconds would not be exact in a double.
 */
export function unitsToTime(
  high: number,
  low: number,
  res: TsResolution,
  out: TimeFields,
): boolean {
  if (!res.fast) return unitsToTimeBig(high, low, res, out);
  const divisor = res.unitsPerSec;
  let seconds: number;
  let rem: number;
  if (high < MAX_EXACT_HIGH) {
    // The count is below 2^53: one exact division (µs stamps of any date stay here).
    const units = high * TWO_32 + low;
    seconds = Math.floor(units / divisor);
    rem = units - seconds * divisor;
  } else {
    const q1 = Math.floor(high / divisor);
    if (q1 >= MAX_HIGH_QUOTIENT) return false;
    const x2 = (high - q1 * divisor) * TWO_16 + (low >>> 16);
    const q2 = Math.floor(x2 / divisor);
    const x3 = (x2 - q2 * divisor) * TWO_16 + (low & 0xffff);
    const q3 = Math.floor(x3 / divisor);
    seconds = q1 * TWO_32 + q2 * TWO_16 + q3;
    rem = x3 - q3 * divisor;
  }
  out.tsSec = seconds;
  out.tsNsec = nanosOf(rem, res);
  return true;
}

/** Nanoseconds in `rem` units (fewer than one second) of a fast resolution, truncated. */
function nanosOf(rem: number, res: TsResolution): number {
  // rem × 10^9 is exact only for binary divisors (≤ 2^23); decimal ones multiply instead.
  return res.nanosPerUnit !== 0
    ? rem * res.nanosPerUnit
    : Math.floor((rem * NANOS_PER_SEC) / res.unitsPerSec);
}

function unitsToTimeBig(high: number, low: number, res: TsResolution, out: TimeFields): boolean {
  const units = (BigInt(high) << 32n) | BigInt(low);
  const seconds = units / res.unitsPerSecBig;
  if (seconds > BigInt(Number.MAX_SAFE_INTEGER)) return false;
  const rem = units % res.unitsPerSecBig;
  out.tsSec = Number(seconds);
  out.tsNsec = Number((rem * BigInt(NANOS_PER_SEC)) / res.unitsPerSecBig);
  return true;
}

/**
 * Converts whole seconds and nanoseconds to units (the fraction truncated to the resolution)
 * into `out`; returns false when the count does not fit in 64 bits. `tsSec` is a non-negative
 * safe integer and `tsNsec` an integer in 0..999_999_999 (the caller checks).
 */
export function timeToUnits(
  tsSec: number,
  tsNsec: number,
  res: TsResolution,
  out: UnitFields,
): boolean {
  if (!res.fast) return timeToUnitsBig(tsSec, tsNsec, res, out);
  const multiplier = res.unitsPerSec;
  const fraction =
    res.nanosPerUnit !== 0
      ? Math.floor(tsNsec / res.nanosPerUnit)
      : Math.floor((tsNsec * multiplier) / NANOS_PER_SEC);
  // tsSec × multiplier + fraction, one 16-bit digit of tsSec at a time so each step is exact.
  let sum = (tsSec % TWO_16) * multiplier + fraction;
  const d0 = sum % TWO_16;
  sum = (Math.floor(tsSec / TWO_16) % TWO_16) * multiplier + (sum - d0) / TWO_16;
  const d1 = sum % TWO_16;
  sum = (Math.floor(tsSec / TWO_32) % TWO_16) * multiplier + (sum - d1) / TWO_16;
  const d2 = sum % TWO_16;
  sum = Math.floor(tsSec / TWO_48) * multiplier + (sum - d2) / TWO_16;
  const d3 = sum % TWO_16;
  if (sum >= TWO_16) return false;
  out.low = d1 * TWO_16 + d0;
  out.high = d3 * TWO_16 + d2;
  return true;
}

function timeToUnitsBig(
  tsSec: number,
  tsNsec: number,
  res: TsResolution,
  out: UnitFields,
): boolean {
  const fraction = (BigInt(tsNsec) * res.unitsPerSecBig) / BigInt(NANOS_PER_SEC);
  const units = BigInt(tsSec) * res.unitsPerSecBig + fraction;
  if (units >= 1n << 64n) return false;
  out.high = Number(units >> 32n);
  out.low = Number(units & 0xffff_ffffn);
  return true;
}

/**
 * Converts the stamps of one interface, remembering where the second of the last stamp began:
 * a stamp in the same second as the one before (most of a busy capture) costs a subtraction
 * instead of a 64-bit division.
 */
export class StampDecoder {
  /** The interface's resolution. */
  readonly resolution: TsResolution;
  /** Units at the start of second `startSec`. */
  private readonly start: UnitFields = { high: 0, low: 0 };
  private startSec = 0;

  constructor(resolution: TsResolution) {
    this.resolution = resolution;
  }

  /** As `unitsToTime`, with the same result. */
  decode(high: number, low: number, out: TimeFields): boolean {
    const res = this.resolution;
    if (!res.fast) return unitsToTime(high, low, res, out);
    // Exact whenever it lands in 0..unitsPerSec: beyond 2^53 it can only round further away.
    const into = (high - this.start.high) * TWO_32 + (low - this.start.low);
    if (into >= 0 && into < res.unitsPerSec) {
      out.tsSec = this.startSec;
      out.tsNsec = nanosOf(into, res);
      return true;
    }
    if (!unitsToTime(high, low, res, out)) return false;
    this.startSec = out.tsSec;
    timeToUnits(out.tsSec, 0, res, this.start);
    return true;
  }
}
