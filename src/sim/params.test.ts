import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  checkParam,
  describe as describeParam,
  type ParamSpec,
  ParamError,
  parseParam,
} from './params.js';

const count: ParamSpec = {
  key: 'hosts',
  default: 10,
  help: 'hosts',
  min: 1,
  max: 5000,
  integer: true,
};
const ratio: ParamSpec = { key: 'loss', default: 0.5, help: 'loss', min: 0, max: 1 };
const anyNumber: ParamSpec = { key: 'offset', default: 0, help: 'offset' };
const atLeast: ParamSpec = { key: 'rate', default: 100, help: 'rate', min: 0 };
const flag: ParamSpec = { key: 'arpkit', default: false, help: 'flag' };
const mode: ParamSpec = {
  key: 'mode',
  default: 'none',
  help: 'mode',
  choices: ['none', 'bonding', 'arpkit'],
};
const text: ParamSpec = { key: 'label', default: 'x', help: 'label' };

/** Asserts `run` throws a ParamError whose message names `key` and quotes `input`. */
function rejects(run: () => unknown, key: string, input: string, expected: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ParamError, String(error));
    assert.equal(error.name, 'ParamError');
    assert.ok(error.message.startsWith(`${key}: `), error.message);
    assert.ok(error.message.includes(input), `${error.message} does not quote ${input}`);
    assert.ok(error.message.endsWith(expected), `${error.message} does not end with ${expected}`);
    return true;
  });
}

describe('params', () => {
  test('numbers: decimal, signed, exponent and surrounding space are read', () => {
    assert.equal(parseParam(anyNumber, '42'), 42);
    assert.equal(parseParam(anyNumber, '-1.5'), -1.5);
    assert.equal(parseParam(anyNumber, '+.25'), 0.25);
    assert.equal(parseParam(anyNumber, '3.'), 3);
    assert.equal(parseParam(anyNumber, '1e3'), 1000);
    assert.equal(parseParam(anyNumber, '2.5E-1'), 0.25);
    assert.equal(parseParam(anyNumber, ' 7 '), 7);
  });

  test('numbers: anything else is rejected with the key, the input and what is expected', () => {
    for (const bad of ['', 'abc', '1,5', '0x10', 'Infinity', 'NaN', '1e', '--1', '1 2', '.']) {
      rejects(() => parseParam(anyNumber, bad), 'offset', `"${bad}"`, 'is not a number');
    }
  });

  test('number ranges are inclusive; integer specs refuse fractions', () => {
    assert.equal(parseParam(count, '1'), 1);
    assert.equal(parseParam(count, '5000'), 5000);
    rejects(() => parseParam(count, '0'), 'hosts', '"0"', 'is not an integer in 1..5000');
    rejects(() => parseParam(count, '5001'), 'hosts', '"5001"', 'is not an integer in 1..5000');
    rejects(() => parseParam(count, '2.5'), 'hosts', '"2.5"', 'is not an integer in 1..5000');
    assert.equal(parseParam(count, '2.0'), 2, 'a whole number written with a point is whole');
    assert.equal(parseParam(ratio, '1'), 1);
    rejects(() => parseParam(ratio, '1.01'), 'loss', '"1.01"', 'is not a number in 0..1');
    rejects(() => parseParam(atLeast, '-1'), 'rate', '"-1"', 'is not a number ≥ 0');
  });

  test('property: a number in range is read back as itself; one outside is a ParamError', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (raw) => {
        const value = raw + 0; // -0 is written "0"
        const inRange = value >= 0 && value <= 1;
        const text = String(value);
        if (inRange) assert.equal(parseParam(ratio, text), value);
        else rejects(() => parseParam(ratio, text), 'loss', `"${text}"`, 'is not a number in 0..1');
      }),
    );
  });

  test('booleans: true/yes/on/1 and false/no/off/0, any case; nothing else', () => {
    for (const yes of ['true', 'yes', 'on', '1', 'TRUE', 'Yes', 'oN'])
      assert.equal(parseParam(flag, yes), true, yes);
    for (const no of ['false', 'no', 'off', '0', 'FALSE', 'No', 'OFF'])
      assert.equal(parseParam(flag, no), false, no);
    for (const bad of ['', 'y', 'n', '2', 'truth', ' true', 'enabled']) {
      rejects(() => parseParam(flag, bad), 'arpkit', `"${bad}"`, 'is not true or false');
    }
  });

  test('strings: one of the choices, exactly; free text without choices', () => {
    assert.equal(parseParam(mode, 'bonding'), 'bonding');
    rejects(
      () => parseParam(mode, 'Bonding'),
      'mode',
      '"Bonding"',
      'is not one of none, bonding, arpkit',
    );
    rejects(() => parseParam(mode, ''), 'mode', '""', 'is not one of none, bonding, arpkit');
    assert.equal(parseParam(text, 'anything at all'), 'anything at all');
    assert.equal(parseParam(text, ''), '');
  });

  test('checkParam: JSON/YAML values of the right type are checked like text; others refused', () => {
    assert.equal(checkParam(count, 12), 12);
    assert.equal(checkParam(count, '12'), 12, 'a string is parsed');
    assert.equal(checkParam(flag, true), true);
    assert.equal(checkParam(flag, 'off'), false);
    assert.equal(checkParam(mode, 'arpkit'), 'arpkit');
    rejects(() => checkParam(count, 0), 'hosts', '"0"', 'is not an integer in 1..5000');
    rejects(() => checkParam(count, 1.5), 'hosts', '"1.5"', 'is not an integer in 1..5000');
    rejects(() => checkParam(anyNumber, Number.NaN), 'offset', '"NaN"', 'is not a number');
    rejects(() => checkParam(anyNumber, Infinity), 'offset', '"Infinity"', 'is not a number');
    rejects(() => checkParam(count, true), 'hosts', 'true', 'is not an integer in 1..5000');
    rejects(() => checkParam(flag, 1), 'arpkit', '1', 'is not true or false');
    rejects(() => checkParam(mode, 3), 'mode', '3', 'is not one of none, bonding, arpkit');
    rejects(() => checkParam(text, null), 'label', 'null', 'is not a string');
    rejects(() => checkParam(text, [1]), 'label', '[1]', 'is not a string');
    rejects(() => checkParam(flag, { a: 1 }), 'arpkit', '{"a":1}', 'is not true or false');
  });

  test('describe() names the kind and the range', () => {
    assert.equal(describeParam(count), 'an integer in 1..5000');
    assert.equal(describeParam(ratio), 'a number in 0..1');
    assert.equal(describeParam(anyNumber), 'a number');
    assert.equal(describeParam(atLeast), 'a number ≥ 0');
    assert.equal(describeParam(flag), 'true or false');
    assert.equal(describeParam(mode), 'one of none, bonding, arpkit');
    assert.equal(describeParam(text), 'a string');
  });
});
