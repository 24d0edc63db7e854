import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { epochText, timeOfDay } from './timestamp.js';

process.env.TZ = 'UTC';

describe('timestamps', () => {
  test('epoch text keeps the capture resolution exactly', () => {
    assert.equal(epochText(1_700_000_000, 123_456_789, 9), '1700000000.123456789');
    assert.equal(epochText(1_700_000_000, 123_456_789, 6), '1700000000.123456');
    assert.equal(epochText(1_700_000_000, 7_000, 6), '1700000000.000007');
    assert.equal(epochText(1_700_000_000, 999_999_999, 0), '1700000000');
  });

  test('negative seconds (an if_tsoffset before 1970) are written as their real value', () => {
    assert.equal(epochText(-1, 500_000_000, 6), '-0.500000');
    assert.equal(epochText(-2, 250_000_000, 3), '-1.750');
    assert.equal(epochText(-3, 0, 6), '-3.000000');
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        fc.integer({ min: 0, max: 999_999 }),
        (sec, usec) => {
          const text = epochText(sec, usec * 1000, 6);
          assert.equal(Math.round(Number(text) * 1e6), sec * 1e6 + usec);
        },
      ),
    );
  });

  test('time of day is local time; dates Date cannot hold fall back to epoch seconds', () => {
    assert.equal(timeOfDay(1_700_000_000), '22:13:20');
    assert.equal(timeOfDay(0), '00:00:00');
    assert.equal(timeOfDay(9e15), '9000000000000000');
  });
});
