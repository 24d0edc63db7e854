import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ParamSpec, ParamError } from './params.js';
import { runScenario, type SimResult } from './run.js';
import { scenarioNamed } from './scenarios/index.js';
import { MAX_SWEEP_VALUES, rangeValues, runSweep, sweepThreads } from './sweep.js';

const WHOLE: ParamSpec = { key: 'n', default: 1, integer: true, help: '' };
const REAL: ParamSpec = { key: 'x', default: 1, help: '' };

/** `result` without its one field that varies between runs. */
function stable(result: SimResult): Omit<SimResult, 'wallSeconds'> {
  const { wallSeconds, ...rest } = result;
  assert.ok(wallSeconds >= 0);
  return rest;
}

describe('sweep values', () => {
  test('a whole-number range goes 1 apart, widened to at most 11 values', () => {
    assert.deepEqual(rangeValues(WHOLE, 1, 3), [1, 2, 3]);
    assert.deepEqual(rangeValues(WHOLE, 5, 5), [5]);
    assert.deepEqual(rangeValues(WHOLE, 0, 100), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    assert.ok(rangeValues(WHOLE, 1, 1000).length <= 11);
  });

  test('a number range goes in tenths, or by the step, and ends on its bound', () => {
    assert.deepEqual(rangeValues(REAL, 0, 1), [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    assert.deepEqual(rangeValues(REAL, 200, 1000, 200), [200, 400, 600, 800, 1000]);
    assert.deepEqual(rangeValues(REAL, 0, 1, 0.3), [0, 0.3, 0.6, 0.9]);
  });

  test('refuses what is not a range of a number parameter', () => {
    const text: ParamSpec = { key: 's', default: 'a', choices: ['a', 'b'], help: '' };
    assert.throws(
      () => rangeValues(text, 1, 2),
      /^ParamError: s: a range \(1\.\.2\) needs a number parameter; it takes one of a, b/,
    );
    assert.throws(() => rangeValues(REAL, 2, 1), /x: 2\.\.1 is not a range from low to high/);
    assert.throws(() => rangeValues(REAL, 0, 1, 0), /x: step 0 is not a number above 0/);
    assert.throws(
      () => rangeValues(REAL, 0, MAX_SWEEP_VALUES, 1),
      new RegExp(`x: 0\\.\\.${MAX_SWEEP_VALUES}:1 is ${MAX_SWEEP_VALUES + 1} runs; at most`),
    );
  });

  test('threads: never more than values, at least one', () => {
    assert.equal(sweepThreads(3, 8), 3);
    assert.equal(sweepThreads(30, 4), 4);
    assert.equal(sweepThreads(0, 4), 1);
  });
});

describe('runSweep', () => {
  const scenario = scenarioNamed('bond-failover')!;
  const params = new Map([['announce', 'none']]);

  test('results come back in the order of the values, as single runs give them', async () => {
    const sweep = { key: 'guests', values: [3, 1, 2] };
    const results = await runSweep({ scenario: scenario.name, params, seed: 4, sweep, threads: 2 });
    assert.deepEqual(
      results.map((result) => result.params['guests']),
      [3, 1, 2],
    );
    for (const [i, guests] of sweep.values.entries()) {
      const single = runScenario({
        scenario,
        params: new Map<string, unknown>([...params, ['guests', guests]]),
        seed: 4,
      });
      assert.deepEqual(stable(results[i]!), stable(single.result));
    }
  });

  test('one thread or several, the same results', async () => {
    const sweep = { key: 'announce', values: ['none', 'bonding', 'arpkit'] };
    const base = { scenario: scenario.name, params: new Map(), seed: 1, sweep };
    const one = await runSweep({ ...base, threads: 1 });
    const three = await runSweep({ ...base, threads: 3 });
    assert.deepEqual(one.map(stable), three.map(stable));
  });

  test('a value a run refuses rejects with its ParamError', async () => {
    const sweep = { key: 'arpkit_schedule_ms', values: ['0,1100', '0,x'] };
    await assert.rejects(
      runSweep({ scenario: scenario.name, params: new Map(), seed: 1, sweep }),
      (error: unknown) =>
        error instanceof ParamError &&
        /^arpkit_schedule_ms: "0,x" is not a list/.test(error.message),
    );
  });
});
