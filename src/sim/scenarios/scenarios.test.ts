import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MemorySink } from '../../pcap/byte-source.js';
import { pacedOffsets } from '../announcers.js';
import { runScenario, type SimResult } from '../run.js';
import { SCENARIOS, scenarioNamed } from './index.js';

/** Runs built-in scenario `name` with `sets` and seed `seed`. */
function run(name: string, sets: Record<string, unknown>, seed = 1): SimResult {
  const scenario = scenarioNamed(name);
  assert.ok(scenario, name);
  return runScenario({ scenario, params: new Map(Object.entries(sets)), seed }).result;
}

/** The result without the one field that varies between identical runs. */
function stable(result: SimResult): Omit<SimResult, 'wallSeconds'> {
  const { wallSeconds, ...rest } = result;
  assert.ok(wallSeconds >= 0);
  return rest;
}

/** Slack for cable latency and rounding, in seconds. */
const SLACK = 0.001;

/** Small versions of every scenario, fast enough for a unit test. */
const SMALL: Record<string, Record<string, unknown>> = {
  'bond-failover': { duration_s: 20, guests: 3 },
  'gateway-failover': { duration_s: 30, neighbours: 300, policer_pps: 50, policer_burst: 50 },
  'link-up-drop': { duration_s: 10 },
  'bulk-refresh': { duration_s: 420, neighbours: 500, policer_pps: 30, policer_burst: 30 },
  storm: { duration_s: 60, hosts: 10, storm_pps: 2000, storm_s: 40 },
  'vm-migration': { duration_s: 10 },
  'resolution-burst': { hosts: 300 },
};

describe('bond-failover', () => {
  test("with arpkit's announcement, loss is bounded by the announcement latency", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom(20, 50, 200),
        fc.constantFrom(0, 100, 1000),
        fc.integer({ min: 10, max: 500 }),
        (guests, rate, arpkitRate, miimon) => {
          const result = run('bond-failover', {
            duration_s: 15,
            guests,
            rate_pps: rate,
            arpkit_rate: arpkitRate,
            miimon_ms: miimon,
          });
          // The host's request and reply, then one RARP per guest, paced from the first round.
          const offsets = pacedOffsets(2 + guests, arpkitRate);
          const announced = (miimon + 1) / 1000 + offsets.at(-1)! / 1e9;
          const bound = announced + 1 / rate + SLACK;
          assert.equal(result.unrecoveredFlows, 0);
          assert.ok(result.recovery.max! <= bound, `${result.recovery.max} > ${bound}`);
          // A flow that lost packets got nothing through before the bond failed over (a flow
          // whose packets all fell outside that gap lost nothing).
          if (result.affectedFlows === result.flows) {
            assert.ok(result.recovery.p50! >= miimon / 1000 - SLACK);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  test("without it, a guest's flow waits for the guest's next frame", () => {
    fc.assert(
      fc.property(fc.constantFrom(0.5, 1, 4, 10), (guestRate) => {
        const result = run('bond-failover', {
          duration_s: 20,
          announce: 'none',
          guests: 2,
          guest_rate_pps: guestRate,
          // The peer's entries stay REACHABLE, so it does not re-resolve (that would also help).
          'peer.base_reachable_time_ms': 3_600_000,
        });
        const guests = result.worstFlows.filter((flow) => flow.name.startsWith('peer→g'));
        assert.equal(guests.length, 2);
        for (const flow of guests) {
          assert.ok(
            flow.recovery! <= 0.1 + 1 / guestRate + 1 / 50 + SLACK,
            `${flow.name} ${flow.recovery}`,
          );
        }
      }),
      { numRuns: 4 },
    );
  });

  test('without it and with quiet guests, the flows wait for the FDB entry to age out', () => {
    fc.assert(
      fc.property(fc.integer({ min: 12, max: 40 }), (ageing) => {
        const result = run('bond-failover', {
          duration_s: 60,
          announce: 'none',
          guests: 2,
          ageing_time_s: ageing,
          'peer.base_reachable_time_ms': 3_600_000,
        });
        // sw2 last saw each guest when it answered the peer's first packet to it, sent 1 s into
        // the run plus the flow's phase (under one packet interval); the entry ages out `ageing`
        // later, and the next packet after that gets through. The failure is at 10 s.
        const bound = 1 + 2 / 50 + ageing - 10 + SLACK;
        assert.ok(result.recovery.max! <= bound, `${result.recovery.max} > ${bound}`);
        assert.ok(result.recovery.max! >= ageing - 10 - SLACK, `${result.recovery.max}`);
        assert.ok(result.lostBy['no-fdb-entry'] > 0);
      }),
      { numRuns: 5 },
    );
  });

  test("bonding's own GARPs bring back the host's flow, not the guests'", () => {
    const result = run('bond-failover', { duration_s: 30, announce: 'bonding', guests: 2 });
    const host = result.worstFlows.find((flow) => flow.name === 'peer→hv');
    const guest = result.worstFlows.find((flow) => flow.name === 'peer→g1');
    assert.ok(host && guest);
    assert.ok(host.recovery! <= 0.1 + 1 / 50 + SLACK, `${host.recovery}`);
    // Still lost at the end: only the peer's re-resolution or the FDB's ageing would help.
    assert.equal(guest.recovery, null);
    assert.equal(result.unrecoveredFlows, 2);
  });
});

describe('gateway-failover', () => {
  test('nothing recovers before the backup is master, and a warm backup recovers at once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 254 }),
        fc.constantFrom(0.5, 1, 3),
        (priority, advert) => {
          const masterDown = 3 * advert + ((256 - priority) * advert) / 256;
          const sets = {
            duration_s: 30,
            neighbours: 100,
            rate_pps: 10,
            priority,
            advert_s: advert,
          };
          const cold = run('gateway-failover', sets);
          assert.ok(cold.recovery.p50! >= masterDown - SLACK);
          const warm = run('gateway-failover', { ...sets, warm_backup: true });
          assert.ok(warm.recovery.max! <= masterDown + 0.1 + SLACK, `${warm.recovery.max}`);
          assert.ok(warm.recovery.max! >= masterDown - SLACK);
        },
      ),
      { numRuns: 6 },
    );
  });

  test("the backup's policer drops replies to its resolution burst, and recovery takes longer for it", () => {
    const sets = { duration_s: 40, neighbours: 2000, rate_pps: 1 };
    const policed = run('gateway-failover', { ...sets, policer_pps: 200, policer_burst: 200 });
    const free = run('gateway-failover', { ...sets, policer_pps: 0 });
    assert.ok(policed.policerDrops > 0);
    assert.equal(free.policerDrops, 0);
    assert.ok(
      policed.recovery.max! > free.recovery.max! + 1,
      `${policed.recovery.max} vs ${free.recovery.max}`,
    );
    assert.ok(policed.peakArpPps['gw2']! >= 2000);
  });
});

describe('link-up-drop', () => {
  test('the first request is lost while the switch end is not forwarding; traffic waits for the retry', () => {
    const linux = run('link-up-drop', {});
    assert.equal(linux.recovery.max, 1);
    const router = run('link-up-drop', {
      'a.policy': 'router',
      'a.resolve_tries': 1,
      'b.policy': 'router',
      'b.resolve_tries': 1,
    });
    assert.equal(router.recovery.max, 21);
    const ready = run('link-up-drop', { ready_ms: 0 });
    assert.equal(ready.affectedFlows, 0);
  });
});

describe('vm-migration', () => {
  test("QEMU's RARPs move the switch's entry as the guest resumes; without them a quiet guest stays lost", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), (downtime) => {
        const result = run('vm-migration', { duration_s: 10, downtime_ms: downtime });
        const bound = downtime / 1000 + 1 / 50 + SLACK;
        assert.ok(result.recovery.max! <= bound, `${result.recovery.max} > ${bound}`);
        assert.ok(result.recovery.max! >= downtime / 1000 - SLACK);
      }),
      { numRuns: 10 },
    );
    const quiet = run('vm-migration', { duration_s: 10, announce: 'none' });
    assert.equal(quiet.unrecoveredFlows, 1);
    assert.ok(quiet.lostBy['no-fdb-entry'] > 0);
  });
});

describe('link flap and host boot', () => {
  test('a flapped link is back after the switch end is ready again; a booting host waits for its retry', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 900 }),
        (down, ready) => {
          const flap = run('link-up-drop', { down_s: down, ready_ms: ready });
          // Caches stay warm: the first packet after the switch end forwards again gets through.
          const bound = down + ready / 1000 + 1 / 10 + SLACK;
          assert.ok(flap.recovery.max! <= bound, `${flap.recovery.max} > ${bound}`);
          assert.ok(flap.lostBy['link-down'] > 0);
        },
      ),
      { numRuns: 10 },
    );
    const boot = run('link-up-drop', { ready_ms: 500 });
    assert.equal(boot.lost, 0, 'held while resolving, not lost');
    assert.ok(boot.late > 0);
  });
});

describe('bulk-refresh', () => {
  test('a batch scan behind a policer loses entries; jitter spreads the refreshes and loses fewer', () => {
    const batch = run('bulk-refresh', SMALL['bulk-refresh']!);
    const jitter = run('bulk-refresh', {
      ...SMALL['bulk-refresh'],
      'router.jitter_s': 120,
      'router.scan_interval_s': 0,
    });
    assert.ok(Number(batch.details['refreshLost']) > 0);
    assert.ok(Number(jitter.details['refreshLost']) < Number(batch.details['refreshLost']));
  });
});

describe('storm', () => {
  test("hosts pay the per-frame cost, and the gateway's policer starves its own re-confirmation", () => {
    const result = run('storm', SMALL['storm']!);
    assert.ok(Math.abs(Number(result.details['hostCpuPercent']) - 0.2) < 0.01);
    assert.ok(result.policerDrops > 0);
    assert.ok(result.lostBy.unresolved > 0);
    const calm = run('storm', { ...SMALL['storm'], storm_s: 0 });
    assert.equal(calm.lost, 0);
  });
});

describe('every scenario', () => {
  for (const scenario of SCENARIOS) {
    test(`${scenario.name}: same seed, same result and capture, byte for byte; packets accounted for`, () => {
      const sets = new Map(Object.entries(SMALL[scenario.name] ?? {}));
      const once = () => {
        const sink = new MemorySink();
        const { result } = runScenario({
          scenario,
          params: sets,
          seed: 7,
          capture: { point: firstPoint(scenario.name), sink },
        });
        return { result: stable(result), pcap: sink.bytes() };
      };
      const a = once();
      const b = once();
      assert.deepEqual(a.result, b.result);
      assert.deepEqual(a.pcap, b.pcap);
      assert.ok(a.pcap.length > 24, 'the capture has records');
      const held = a.result.sent - a.result.delivered - a.result.lost;
      assert.ok(held >= 0 && held <= a.result.flows * 4, `${held} packets unaccounted for`);
    });
  }
});

/** A capture point each scenario offers. */
function firstPoint(name: string): string {
  const points: Record<string, string> = {
    'bond-failover': 'eth1',
    'gateway-failover': 'gw2',
    'link-up-drop': 'a',
    'bulk-refresh': 'router',
    storm: 'gw',
    'vm-migration': 'peer',
    'resolution-burst': 'router',
  };
  return points[name]!;
}
