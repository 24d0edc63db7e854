import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ParamError } from '../sim/params.js';
import { scenarioNamed } from '../sim/scenarios/index.js';
import { UsageError } from './errors.js';
import { parseSets, parseSweep, type SimFlags, simPlan } from './sim-args.js';

const BOND = scenarioNamed('bond-failover')!;
const GATEWAY = scenarioNamed('gateway-failover')!;

/** Asserts that `run` throws a UsageError whose message matches `expected`. */
function usage(run: () => unknown, expected: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof UsageError, String(error));
    assert.match(error.message, expected);
    return true;
  });
}

function flags(more: Partial<SimFlags> = {}): SimFlags {
  return { set: [], ...more };
}

describe('--set', () => {
  test('KEY=VALUE in order, a later key winning', () => {
    assert.deepEqual(
      [...parseSets(['guests=4', 'announce=none', 'guests=8'])],
      [
        ['guests', '8'],
        ['announce', 'none'],
      ],
    );
    assert.deepEqual(
      [...parseSets(['arpkit_schedule_ms=0,1100'])],
      [['arpkit_schedule_ms', '0,1100']],
    );
  });

  test('without KEY= it is a usage error echoing the input', () => {
    usage(() => parseSets(['guests']), /^--set: "guests" is not KEY=VALUE/);
    usage(() => parseSets(['=4']), /^--set: "=4" is not KEY=VALUE/);
  });
});

describe('--sweep', () => {
  const none = new Map<string, unknown>();

  test('ranges of number parameters, with and without a step', () => {
    assert.deepEqual(parseSweep(BOND, none, 'guests=1..3'), { key: 'guests', values: [1, 2, 3] });
    assert.deepEqual(parseSweep(GATEWAY, none, 'policer_pps=200..1000:400'), {
      key: 'policer_pps',
      values: [200, 600, 1000],
    });
    assert.deepEqual(parseSweep(BOND, none, 'rate_pps=0.5..1.5:0.5').values, [0.5, 1, 1.5]);
  });

  test('lists of any parameter, parsed as --set would', () => {
    assert.deepEqual(parseSweep(BOND, none, 'announce=none, bonding,arpkit'), {
      key: 'announce',
      values: ['none', 'bonding', 'arpkit'],
    });
    assert.deepEqual(parseSweep(GATEWAY, none, 'vmac=true,false').values, [true, false]);
    assert.deepEqual(parseSweep(BOND, none, 'guests=1,5').values, [1, 5]);
  });

  test('every value is checked, with the other parameters', () => {
    usage(
      () => parseSweep(BOND, none, 'guests=-1..1'),
      /^--sweep: guests: "-1" is not an integer in 0\.\.100000$/,
    );
    usage(
      () => parseSweep(BOND, none, 'announce=none,maybe'),
      /^--sweep: announce: "maybe" is not one of/,
    );
    usage(
      () => parseSweep(BOND, new Map([['peer.policy', 'nope']]), 'guests=1,2'),
      /^--sweep: peer\.policy: "nope"/,
    );
  });

  test('malformed sweeps name --sweep and the input', () => {
    usage(
      () => parseSweep(BOND, none, 'guests'),
      /^--sweep: "guests" is not KEY=FROM\.\.TO\[:STEP\] or KEY=A,B,C/,
    );
    usage(
      () => parseSweep(BOND, none, 'guests=1..x'),
      /^--sweep: guests: "x" in "guests=1\.\.x" is not a number/,
    );
    usage(
      () => parseSweep(BOND, none, 'guests=..3'),
      /^--sweep: guests: "" in "guests=\.\.3" is not a number/,
    );
    usage(
      () => parseSweep(BOND, none, 'guests=1..3:1:1'),
      /^--sweep: guests: "1\.\.3:1:1" has two steps$/,
    );
    usage(
      () => parseSweep(BOND, none, 'guests=3..1'),
      /^--sweep: guests: 3\.\.1 is not a range from low to high$/,
    );
    usage(
      () => parseSweep(BOND, none, 'guests=1..3:0'),
      /^--sweep: guests: step 0 is not a number above 0$/,
    );
    usage(
      () => parseSweep(BOND, none, 'announce=1..3'),
      /^--sweep: announce: a range \(1\.\.3\) needs a number parameter/,
    );
    usage(
      () => parseSweep(BOND, none, 'nope=1..3'),
      /^--sweep: nope: scenario bond-failover has no such parameter$/,
    );
    usage(
      () => parseSweep(BOND, none, 'nope=1,3'),
      /^--sweep: nope: scenario bond-failover has no such parameter/,
    );
    usage(
      () => parseSweep(BOND, none, 'guests=0..5000:1'),
      /^--sweep: guests: 0\.\.5000:1 is 5001 runs; at most 1000/,
    );
  });
});

describe('simPlan', () => {
  test('a named scenario with its defaults', async () => {
    const plan = await simPlan('bond-failover', flags());
    assert.equal(plan.scenario, BOND);
    assert.equal(plan.seed, 1);
    assert.equal(plan.params.size, 0);
    assert.equal(plan.sweep, undefined);
    assert.equal(plan.json, false);
  });

  test('no scenario, an unknown one, or a bad seed is a usage error', async () => {
    await assert.rejects(
      simPlan(undefined, flags()),
      /^UsageError: sim: name a scenario or give --file FILE \(scenarios: bond-failover, /,
    );
    await assert.rejects(
      simPlan('bond', flags()),
      /^UsageError: sim: "bond" is not a scenario \(scenarios: bond-failover, gateway-failover, .*storm/,
    );
    await assert.rejects(
      simPlan('storm', flags({ seed: '1.5' })),
      /^UsageError: --seed: "1\.5" is not a whole number from 0 to 4294967295$/,
    );
  });

  test('a sweep cannot go with --plot or --pcap; --capture needs --pcap', async () => {
    await assert.rejects(
      simPlan('storm', flags({ sweep: 'hosts=1..2', plot: 'x.svg' })),
      /^UsageError: --plot and --pcap show one run; --sweep makes many/,
    );
    await assert.rejects(
      simPlan('storm', flags({ sweep: 'hosts=1..2', pcap: 'x.pcap' })),
      /--sweep makes many/,
    );
    await assert.rejects(
      simPlan('storm', flags({ capture: 'gw' })),
      /^UsageError: --capture: says where --pcap captures; give --pcap FILE too$/,
    );
  });

  test('--file: --set and --seed override the file; a sweep in it cannot go with --plot', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'arpkit-sim-args-'));
    try {
      const path = join(dir, 'sim.yaml');
      await writeFile(
        path,
        'scenario: bond-failover\nseed: 5\nset:\n  guests: 2\n  announce: bonding\nsweep: {key: num_grat_arp, values: [0, 3]}\n',
      );
      const plan = await simPlan(undefined, flags({ file: path, set: ['guests=3'] }));
      assert.equal(plan.scenario, BOND);
      assert.equal(plan.seed, 5);
      assert.deepEqual(Object.fromEntries(plan.params), { guests: '3', announce: 'bonding' });
      assert.deepEqual(plan.sweep, { key: 'num_grat_arp', values: [0, 3] });
      assert.equal((await simPlan(undefined, flags({ file: path, seed: '9' }))).seed, 9);
      const swept = await simPlan(undefined, flags({ file: path, sweep: 'guests=1,2' }));
      assert.deepEqual(swept.sweep, { key: 'guests', values: [1, 2] });
      await assert.rejects(
        simPlan(undefined, flags({ file: path, plot: 'x.svg' })),
        new RegExp(`--plot and --pcap show one run; ${path} has a sweep`),
      );
      await assert.rejects(
        simPlan('storm', flags({ file: path })),
        /^UsageError: --file: the file names the scenario; drop "storm"$/,
      );
      await assert.rejects(
        simPlan(undefined, flags({ file: path, set: ['guests=x'] })),
        /^UsageError: --set: guests: "x" is not an integer/,
      );
      await writeFile(path, 'scenario: bond-failover\nset:\n  guests: x\n');
      await assert.rejects(
        simPlan(undefined, flags({ file: path })),
        new RegExp(`^UsageError: ${path}:3: set\\.guests: "x" is not an integer`),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("blame: a run's ParamError names --set or the file line its key came from", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'arpkit-sim-args-'));
    try {
      const path = join(dir, 'sim.yaml');
      await writeFile(path, 'scenario: bond-failover\nset:\n  arpkit_schedule_ms: "0,x"\n');
      const fromFile = await simPlan(undefined, flags({ file: path }));
      const error = new ParamError('arpkit_schedule_ms: "0,x" is not a list of ms ≥ 0');
      assert.equal(
        fromFile.blame(error).message,
        `${path}:3: set.arpkit_schedule_ms: "0,x" is not a list of ms ≥ 0`,
      );
      const fromLine = await simPlan('bond-failover', flags({ set: ['arpkit_schedule_ms=0,x'] }));
      assert.equal(
        fromLine.blame(error).message,
        '--set: arpkit_schedule_ms: "0,x" is not a list of ms ≥ 0',
      );
      const capture = new ParamError(
        '--capture: "x" is not a capture point of bond-failover (peer)',
      );
      assert.equal(fromLine.blame(capture).message, capture.message);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
