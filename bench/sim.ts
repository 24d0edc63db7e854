/**
 * bench/sim: the speed of `arpkit sim`. Prints one JSON object.
 *
 * - Engine: events a second of the event loop alone, in the classic "hold" model (a population
 *   of pending events; each one run schedules one more at a random later time) through the heap,
 *   and through fixed-delay lanes (how links and flows schedule).
 * - `gateway-failover` with 10,000 neighbours for 120 s of virtual time, run as a person runs it
 *   (`bin/arpkit sim gateway-failover --json`, median of 3): wall time, target < 2 s.
 * - The resolution burst of the research notes' ns-3 case (`resolution-burst`: a router sends one
 *   packet to each of 10,000 hosts on one segment): wall time against ns-3's 482 s for it on this
 *   kind of machine (target ≥ 100×). Where ns-3 is installed (Debian's libns3-dev), the same
 *   burst is built and run with ns-3 in this run too, at 1,000 and 3,000 hosts (10,000 takes it
 *   about 8 minutes: set ARPKIT_BENCH_NS3_FULL=1 to include it), and the ratios printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/sim/engine.js';
import { ARPKIT_BIN, round, timeCommand } from './measure.js';
import { buildArpBurst, ns3Available, runArpBurst } from './ns3-peer.js';

/** Pending events in the hold model, and events run. */
const POPULATION = 100_000;
const HOLD_EVENTS = 3_000_000;
/** ns-3's wall time for the 10,000-host burst (research notes §4, measured on a 2-vCPU EPYC VM). */
const NS3_10K_SECONDS = 482;
const TARGET_GATEWAY_SECONDS = 2;
const TARGET_NS3_RATIO = 100;

/** Events a second of the hold model through the heap (random delays) or lanes (fixed ones). */
function hold(kind: 'heap' | 'lanes'): number {
  const engine = new Engine(1);
  const random = engine.random;
  let left = HOLD_EVENTS;
  const lanes = [1_000, 5_000, 1_000_000, 1_000_000_000].map((delay) => engine.lane(delay));
  const step = (): void => {
    if (left-- <= 0) return;
    if (kind === 'heap') engine.after(1 + Math.floor(random.next() * 1_000_000), step);
    else engine.later(lanes[left & 3]!, step, undefined, undefined);
  };
  for (let i = 0; i < POPULATION; i++) engine.at(Math.floor(random.next() * 1_000_000), step);
  const started = performance.now();
  const events = engine.run(Number.MAX_SAFE_INTEGER);
  return events / ((performance.now() - started) / 1000);
}

/** `bin/arpkit sim NAME --json` with `sets`: median wall seconds of `runs`, and its result. */
function simCommand(name: string, sets: readonly string[], runs: number) {
  const argv = [ARPKIT_BIN, 'sim', name, '--json', ...sets.flatMap((set) => ['--set', set])];
  const { seconds, stdout } = timeCommand(argv, runs, true);
  const result = JSON.parse(stdout) as { events: number; wallSeconds: number; lost: number };
  return { seconds, result };
}

const heap = hold('heap');
const lanes = hold('lanes');
const gateway = simCommand('gateway-failover', [], 3);
const burst = simCommand('resolution-burst', [], 3);
const ns3: Record<string, unknown> = {
  installed: ns3Available(),
  reference10kSeconds: NS3_10K_SECONDS,
};
if (ns3Available()) {
  const dir = mkdtempSync(join(tmpdir(), 'arpkit-ns3-'));
  try {
    const binary = buildArpBurst(dir);
    const sizes = process.env.ARPKIT_BENCH_NS3_FULL === '1' ? [1000, 3000, 10_000] : [1000, 3000];
    for (const hosts of sizes) {
      const theirs = runArpBurst(binary, hosts, 900_000);
      const ours = simCommand('resolution-burst', [`hosts=${hosts}`], 3);
      ns3[`hosts${hosts}`] = {
        ns3Seconds: round(theirs.wallSeconds),
        ns3Delivered: theirs.delivered,
        arpkitSeconds: round(ours.seconds),
        ratio: round(theirs.wallSeconds / ours.seconds),
      };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const ratio10k = NS3_10K_SECONDS / burst.seconds;
console.log(
  JSON.stringify({
    bench: 'sim',
    engine: {
      heapEventsPerSecond: round(heap),
      laneEventsPerSecond: round(lanes),
      gatewayFailoverEventsPerSecond: round(gateway.result.events / gateway.result.wallSeconds),
    },
    gatewayFailover: {
      neighbours: 10_000,
      virtualSeconds: 120,
      events: gateway.result.events,
      wallSeconds: round(gateway.seconds),
      inProcessSeconds: gateway.result.wallSeconds,
      targetSeconds: TARGET_GATEWAY_SECONDS,
      met: gateway.seconds < TARGET_GATEWAY_SECONDS,
    },
    resolutionBurst: {
      hosts: 10_000,
      events: burst.result.events,
      wallSeconds: round(burst.seconds),
      ratioToNs3: round(ratio10k),
      targetRatio: TARGET_NS3_RATIO,
      met: ratio10k >= TARGET_NS3_RATIO,
    },
    ns3,
  }),
);
