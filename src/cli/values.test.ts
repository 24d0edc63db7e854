import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { EtherType } from '../wire/ethertype.js';
import { parseMac } from '../wire/mac.js';
import { UsageError } from './errors.js';
import { parseAddress, parseDuration, parseVlans, parseWhole } from './values.js';

const usage = (pattern: RegExp) => (e: unknown) =>
  e instanceof UsageError && pattern.test(e.message);

describe('option values', () => {
  test('durations: units, fractions, bare seconds', () => {
    const cases: [string, number][] = [
      ['200ms', 200],
      ['1.1s', 1100],
      ['.5s', 500],
      ['2m', 120_000],
      ['1h', 3_600_000],
      ['3', 3000],
      ['0', 0],
    ];
    for (const [text, ms] of cases) assert.equal(parseDuration('--interval', text), ms, text);
    for (const bad of ['abc', '1.1.1s', '-1s', '5 min', '', '1e3']) {
      assert.throws(
        () => parseDuration('--interval', bad),
        usage(
          new RegExp(
            `^--interval: "${bad.replace('.', '\\.')}" is not a duration \\(e\\.g\\. 200ms, 1\\.1s`,
          ),
        ),
        bad,
      );
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (ms) => {
        assert.equal(parseDuration('--x', `${ms}ms`), ms);
      }),
    );
  });

  test('whole numbers within range', () => {
    assert.equal(parseWhole('--count', '5', 1, 10), 5);
    for (const bad of ['0', '11', '-1', '1.5', 'x', '']) {
      assert.throws(
        () => parseWhole('--count', bad, 1, 10),
        usage(/^--count: ".*" is not a whole number from 1 to 10$/),
      );
    }
  });

  test('one --vlan is an 802.1Q tag; two are QinQ, the outer one 802.1ad', () => {
    assert.deepEqual(parseVlans(['100:5']), [
      { tpid: EtherType.VLAN, pcp: 5, dei: false, vid: 100 },
    ]);
    assert.deepEqual(parseVlans(['200', '100']), [
      { tpid: EtherType.QINQ, pcp: 0, dei: false, vid: 200 },
      { tpid: EtherType.VLAN, pcp: 0, dei: false, vid: 100 },
    ]);
    for (const bad of ['4096', '10:8', 'x', '10:', ':3']) {
      assert.throws(() => parseVlans([bad]), usage(/^--vlan: ".*" is not VID\[:PCP\]/), bad);
    }
  });

  test('address errors name the option', () => {
    assert.equal(
      parseAddress('--mac', '52:54:00:aa:bb:01', parseMac),
      parseMac('52:54:00:aa:bb:01'),
    );
    assert.throws(
      () => parseAddress('--mac', 'zz', parseMac),
      usage(/^--mac: "zz" is not a MAC address/),
    );
  });
});
