import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Random } from './random.js';

const seed = fc.integer({ min: 0, max: 0xffff_ffff });

/** The first `n` 32-bit draws of a generator seeded with `seed`. */
function draws(seed: number, n = 8): number[] {
  const random = new Random(seed);
  return Array.from({ length: n }, () => random.uint32());
}

describe('random', () => {
  test('property: one seed gives one sequence', () => {
    fc.assert(
      fc.property(seed, (s) => assert.deepEqual(draws(s, 32), draws(s, 32))),
      { numRuns: 200 },
    );
  });

  test('property: different seeds give different sequences', () => {
    fc.assert(
      fc.property(seed, seed, (a, b) => {
        fc.pre(a !== b);
        assert.notDeepEqual(draws(a), draws(b));
      }),
      { numRuns: 500 },
    );
  });

  test('only the low 32 bits of the seed count', () => {
    assert.deepEqual(draws(5), draws(5 + 2 ** 32));
    assert.deepEqual(draws(-1), draws(0xffff_ffff));
  });

  test('uint32 covers the whole 32-bit range', () => {
    const random = new Random(3);
    let high = 0;
    let low = 2 ** 32;
    for (let i = 0; i < 10_000; i++) {
      const n = random.uint32();
      assert.ok(Number.isInteger(n) && n >= 0 && n < 2 ** 32, `${n}`);
      high = Math.max(high, n);
      low = Math.min(low, n);
    }
    // 10 000 uniform draws leave gaps of about 2^32 / 10^4 at the ends.
    assert.ok(high > 2 ** 32 * 0.999 && low < 2 ** 32 * 0.001, `${low}..${high}`);
  });

  test('property: next() is in [0, 1) and uniform(lo, hi) in [lo, hi)', () => {
    fc.assert(
      fc.property(
        seed,
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        (s, lo, width) => {
          const random = new Random(s);
          for (let i = 0; i < 50; i++) {
            const x = random.next();
            assert.ok(x >= 0 && x < 1, `${x}`);
            const u = random.uniform(lo, lo + width);
            assert.ok(u >= lo && u < lo + width, `${u} not in [${lo}, ${lo + width})`);
          }
        },
      ),
    );
  });

  test('property: integer(lo, hi) is whole, within both bounds, and reaches both', () => {
    fc.assert(
      fc.property(
        seed,
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 0, max: 5 }),
        (s, lo, span) => {
          const random = new Random(s);
          const seen = new Set<number>();
          // With at most 6 values, 400 draws miss one with probability < 6 × (5/6)^400.
          for (let i = 0; i < 400; i++) {
            const n = random.integer(lo, lo + span);
            assert.ok(Number.isInteger(n) && n >= lo && n <= lo + span, `${n}`);
            seen.add(n);
          }
          assert.equal(seen.size, span + 1);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('integer(0, 9) is roughly uniform (chi-square, seed 1)', () => {
    const random = new Random(1);
    const counts = new Array<number>(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[random.integer(0, 9)]!++;
    const expected = n / 10;
    const chi = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: P(χ² > 27.9) = 0.001.
    assert.ok(chi < 27.9, `χ² = ${chi.toFixed(1)} over ${counts.join(' ')}`);
  });

  test('next() is roughly uniform over ten bins and has mean ½ (seed 2)', () => {
    const random = new Random(2);
    const counts = new Array<number>(10).fill(0);
    let sum = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = random.next();
      sum += x;
      counts[Math.floor(x * 10)]!++;
    }
    const chi = counts.reduce((acc, c) => acc + (c - n / 10) ** 2 / (n / 10), 0);
    assert.ok(chi < 27.9, `χ² = ${chi.toFixed(1)}`);
    // σ of the mean is √(1/12/n) ≈ 0.0009.
    assert.ok(Math.abs(sum / n - 0.5) < 0.005, `mean ${sum / n}`);
  });
});
