import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  StampDecoder,
  type TimeFields,
  TsResolution,
  timeToUnits,
  type UnitFields,
  unitsToTime,
} from './timestamp.js';

const NANOS = 1_000_000_000n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Every decimal exponent to 12 and binary one to 40, plus the extremes of the byte. */
const CODES = [
  ...Array.from({ length: 13 }, (_, n) => n),
  ...Array.from({ length: 41 }, (_, n) => 0x80 | n),
  127,
  0xff,
];

/** The BigInt reference: seconds and nanoseconds of `units`, or null past 2^53 seconds. */
function reference(units: bigint, code: number): TimeFields | null {
  const perSec = code & 0x80 ? 1n << BigInt(code & 0x7f) : 10n ** BigInt(code);
  const seconds = units / perSec;
  if (seconds > MAX_SAFE) return null;
  return { tsSec: Number(seconds), tsNsec: Number(((units % perSec) * NANOS) / perSec) };
}

const arbUnits = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  fc.bigInt({ min: 0n, max: 2n ** 53n + 5n }),
  fc.constantFrom(0n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 1n, 1_700_000_000_123_456_789n),
);

const halves = (units: bigint): [number, number] => [
  Number(units >> 32n),
  Number(units & 0xffff_ffffn),
];

describe('timestamp resolution', () => {
  test('digits and paths', () => {
    const cases = [
      [6, 6, true],
      [9, 9, true],
      [0, 0, true],
      [12, 9, false],
      [0x80 | 20, 9, true],
      [0x80 | 30, 9, false],
    ] as const;
    for (const [code, digits, fast] of cases) {
      const res = new TsResolution(code);
      assert.equal(res.digits, digits, `code ${code}`);
      assert.equal(res.fast, fast, `code ${code}`);
    }
  });
});

describe('units to time', () => {
  test('equals the BigInt reference for every resolution', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CODES), arbUnits, (code, units) => {
        const out: TimeFields = { tsSec: -1, tsNsec: -1 };
        const ok = unitsToTime(...halves(units), new TsResolution(code), out);
        const want = reference(units, code);
        assert.equal(ok, want !== null);
        if (want !== null) assert.deepEqual(out, want);
      }),
      { numRuns: 3000 },
    );
  });

  test('the stamp decoder agrees over runs of nearby and far stamps', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CODES),
        arbUnits,
        fc.array(fc.oneof(fc.bigInt({ min: -3_000_000_000n, max: 3_000_000_000n }), arbUnits), {
          maxLength: 30,
        }),
        (code, start, steps) => {
          const decoder = new StampDecoder(new TsResolution(code));
          let units = start;
          for (const step of steps) {
            units = (((units + step) % 2n ** 64n) + 2n ** 64n) % 2n ** 64n;
            const out: TimeFields = { tsSec: -1, tsNsec: -1 };
            const ok = decoder.decode(...halves(units), out);
            const want = reference(units, code);
            assert.equal(ok, want !== null, `units ${units}`);
            if (want !== null) assert.deepEqual(out, want, `units ${units}`);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('time to units', () => {
  test('equals the BigInt reference, and refuses what needs more than 64 bits', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CODES),
        fc.oneof(fc.nat(0xffff_ffff), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
        fc.integer({ min: 0, max: 999_999_999 }),
        (code, tsSec, tsNsec) => {
          const perSec = code & 0x80 ? 1n << BigInt(code & 0x7f) : 10n ** BigInt(code);
          const units = BigInt(tsSec) * perSec + (BigInt(tsNsec) * perSec) / NANOS;
          const out: UnitFields = { high: -1, low: -1 };
          const ok = timeToUnits(tsSec, tsNsec, new TsResolution(code), out);
          assert.equal(ok, units < 2n ** 64n);
          if (ok) assert.deepEqual([out.high, out.low], halves(units));
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('the largest nanosecond stamp that fits, and the next second', () => {
    const ns = new TsResolution(9);
    const out: UnitFields = { high: 0, low: 0 };
    assert.equal(timeToUnits(18_446_744_073, 709_551_615, ns, out), true);
    assert.deepEqual(out, { high: 0xffff_ffff, low: 0xffff_ffff });
    assert.equal(timeToUnits(18_446_744_073, 709_551_616, ns, out), false);
    assert.equal(timeToUnits(18_446_744_074, 0, ns, out), false);
  });
});
