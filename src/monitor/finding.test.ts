import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { durationText } from './finding.js';

describe('durationText', () => {
  test('seconds from one second up, milliseconds to the microsecond below', () => {
    assert.equal(durationText(2180), '2.18 s');
    assert.equal(durationText(1000), '1 s');
    assert.equal(durationText(999.9996), '1 s');
    assert.equal(durationText(999.4), '999.4 ms');
    assert.equal(durationText(2), '2 ms');
    assert.equal(durationText(0.006), '0.006 ms');
    assert.equal(durationText(0), '0 ms');
  });

  test('a duration of a microsecond or more never reads as zero, and reads back within rounding', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 1e7, noNaN: true }), (ms) => {
        const text = durationText(ms);
        const match = /^(\d+(?:\.\d+)?) (s|ms)$/.exec(text);
        assert.ok(match !== null, text);
        const value = Number(match[1]) * (match[2] === 's' ? 1000 : 1);
        assert.ok(value > 0, text);
        assert.ok(
          Math.abs(value - ms) <= (match[2] === 's' ? 0.5 : 0.0005) + 1e-9,
          `${ms}: ${text}`,
        );
      }),
    );
  });
});
