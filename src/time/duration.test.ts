import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DurationError, parseDurationMs, secondsToMs } from './duration.js';

/** The command line's parser before it moved here: the same language, plain float arithmetic. */
function previous(text: string): number | undefined {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const match = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)?$/.exec(text.trim());
  return match === null ? undefined : Number(match[1]) * units[match[2] ?? 's']!;
}

describe('durations', () => {
  test('units, fractions, bare seconds, exact decimals', () => {
    const cases: [string, number][] = [
      ['200ms', 200],
      ['1.1s', 1100],
      ['1.005s', 1005],
      ['.5s', 500],
      [' 2m ', 120_000],
      ['1h', 3_600_000],
      ['0.25ms', 0.25],
      ['3', 3000],
      ['0', 0],
    ];
    for (const [text, ms] of cases) assert.equal(parseDurationMs(text), ms, text);
    assert.deepEqual(
      [secondsToMs(1.005), secondsToMs(0), secondsToMs(1e-7)],
      [1005, 0, 1e-7 * 1000],
    );
  });

  test('not a duration: the input echoed, with examples', () => {
    for (const bad of ['', 's', '1.', '1.1.1s', '-1s', '5 min', '1e3', '1d']) {
      assert.throws(() => parseDurationMs(bad), {
        name: 'DurationError',
        message: `"${bad}" is not a duration (e.g. 200ms, 1.1s, 2m)`,
      });
    }
    assert.ok(new DurationError('x') instanceof Error);
  });

  test('property: the same language as before, the same values but for float noise', () => {
    const text = fc.oneof(
      fc.stringMatching(/^\d{0,12}(\.\d{0,12})?(ms|s|m|h)?$/),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(text, (input) => {
        const before = previous(input);
        if (before === undefined) {
          assert.throws(() => parseDurationMs(input), DurationError);
          return;
        }
        const now = parseDurationMs(input);
        assert.ok(Math.abs(now - before) <= Math.abs(before) * 1e-15, `${input}: ${now} ${before}`);
      }),
      { numRuns: 2000 },
    );
  });
});
