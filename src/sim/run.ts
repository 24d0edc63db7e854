import type { ByteSink } from '../pcap/byte-source.js';
import { PortCapture } from './capture.js';
import type { LossCause } from './loss.js';
import type { ParamValue } from './params.js';
import { ParamError } from './params.js';
import { Params, type Scenario } from './scenario.js';
import type { FlowOutcome } from './stats.js';
import type { Timeline } from './timeline.js';
import { type Nanos, fromSeconds, toSeconds } from './units.js';
import { World } from './world.js';

/** What to run. */
export interface RunOptions {
  readonly scenario: Scenario;
  /** Parameter values by key (strings from `--set`, or JSON/YAML values from a file). */
  readonly params: ReadonlyMap<string, unknown>;
  readonly seed: number;
  /** Write what capture point `point` sees, as pcap, to `sink`. */
  readonly capture?: { readonly point: string; readonly sink: ByteSink };
}

/** Recovery times in seconds; null where a flow had not recovered by the end. */
export interface Recovery {
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/** One flow in the summary's list of the worst. */
export interface FlowSummary {
  readonly name: string;
  readonly lost: number;
  readonly late: number;
  /** Seconds to recover; null if it had not by the end. */
  readonly recovery: number | null;
}

/** The result of one run: what `--json` prints (without the timeline). */
export interface SimResult {
  readonly scenario: string;
  readonly seed: number;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly durationSeconds: number;
  /** The moment recovery is measured from, in seconds; null when each outage counts from its start. */
  readonly triggerSeconds: number | null;
  readonly flows: number;
  /** Flows that lost at least one packet or had one held late (see `LATE_AFTER`). */
  readonly affectedFlows: number;
  readonly unrecoveredFlows: number;
  readonly recovery: Recovery;
  readonly sent: number;
  readonly delivered: number;
  /** Delivered, but more than 100 ms after they were sent (held while a next hop resolved). */
  readonly late: number;
  readonly lost: number;
  readonly lostBy: Readonly<Record<LossCause, number>>;
  /** The highest ARP frames sent in any one second, per node; the ten busiest nodes. */
  readonly peakArpPps: Readonly<Record<string, number>>;
  readonly policerDrops: number;
  readonly policerDropsBy: Readonly<Record<string, number>>;
  readonly worstFlows: readonly FlowSummary[];
  /** Figures particular to the scenario. */
  readonly details: Readonly<Record<string, number | string>>;
  /** Events the engine ran. */
  readonly events: number;
  readonly wallSeconds: number;
}

/** How many nodes `peakArpPps` lists, and flows `worstFlows`. */
const TOP = 10;
const WORST = 5;

/** Runs a scenario to its end. Throws a ParamError for a parameter it cannot take. */
export function runScenario(options: RunOptions): { result: SimResult; timeline: Timeline } {
  const started = performance.now();
  const { scenario, seed } = options;
  const params = new Params(scenario, options.params);
  const end = fromSeconds(scenario.duration(params));
  const world = new World(seed, end);
  scenario.build(world, params);
  let capture: PortCapture | undefined;
  if (options.capture !== undefined) {
    const port = world.capturePoints.get(options.capture.point);
    if (port === undefined) {
      const known = [...world.capturePoints.keys()].join(', ');
      throw new ParamError(
        `--capture: "${options.capture.point}" is not a capture point of ${scenario.name} (${known})`,
      );
    }
    capture = new PortCapture(port, options.capture.sink);
  }
  world.engine.run(end);
  capture?.flush();
  const outcomes = world.flows.map((flow) =>
    world.stats.outcome(flow.index, flow.sent, (seq) => flow.sentAt(seq)),
  );
  const trigger = world.stats.trigger;
  const recoveries = outcomes.map((outcome) => recoverySeconds(outcome, trigger));
  const hosts = world.network.hosts;
  const result: SimResult = {
    scenario: scenario.name,
    seed,
    params: params.values(),
    durationSeconds: toSeconds(end),
    triggerSeconds: trigger === undefined ? null : toSeconds(trigger),
    flows: outcomes.length,
    affectedFlows: outcomes.filter((outcome) => outcome.lost + outcome.late > 0).length,
    unrecoveredFlows: outcomes.filter((outcome) => outcome.unrecovered).length,
    recovery: summarise(recoveries.filter((value) => value !== undefined)),
    sent: sum(outcomes.map((outcome) => outcome.sent)),
    delivered: sum(outcomes.map((outcome) => outcome.delivered)),
    late: sum(outcomes.map((outcome) => outcome.late)),
    lost: sum(outcomes.map((outcome) => outcome.lost)),
    lostBy: world.stats.lostBy(),
    peakArpPps: top(hosts.map((host) => [host.name, host.arpMeter.peak])),
    policerDrops: world.stats.policerDrops,
    policerDropsBy: top(hosts.map((host) => [host.name, host.options.policer?.drops ?? 0])),
    worstFlows: worst(world, outcomes, recoveries),
    details: Object.assign({}, ...world.details.map((detail) => detail())) as Record<
      string,
      number | string
    >,
    events: world.engine.events,
    wallSeconds: round((performance.now() - started) / 1000, 3),
  };
  return { result, timeline: world.stats.timeline(outcomes) };
}

/**
 * Seconds flow `outcome` took to recover: from the trigger (or the start of its last outage) to
 * its first delivered packet after its last loss. Undefined if it lost nothing; Infinity if it
 * never recovered.
 */
function recoverySeconds(outcome: FlowOutcome, trigger: Nanos | undefined): number | undefined {
  if (outcome.lost + outcome.late === 0) return undefined;
  if (outcome.recoveredAt === undefined) return Infinity;
  const from = trigger ?? outcome.outageFrom ?? outcome.recoveredAt;
  return Math.max(0, toSeconds(outcome.recoveredAt - from));
}

/** Nearest-rank percentiles of `values` (Infinity: not recovered → null). */
export function summarise(values: readonly number[]): Recovery {
  if (values.length === 0) return { p50: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number | null => {
    const value = sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
    return Number.isFinite(value) ? round(value, 6) : null;
  };
  return { p50: rank(50), p99: rank(99), max: rank(100) };
}

function worst(
  world: World,
  outcomes: readonly FlowOutcome[],
  recoveries: readonly (number | undefined)[],
): FlowSummary[] {
  const order = outcomes
    .map((outcome, index) => ({
      index,
      lost: outcome.lost,
      late: outcome.late,
      recovery: recoveries[index],
    }))
    .filter(
      (flow): flow is { index: number; lost: number; late: number; recovery: number } =>
        flow.recovery !== undefined,
    )
    .sort((a, b) => b.recovery - a.recovery || b.lost - a.lost || a.index - b.index)
    .slice(0, WORST);
  return order.map((flow) => ({
    name: world.flows[flow.index]!.spec.name,
    lost: flow.lost,
    late: flow.late,
    recovery: Number.isFinite(flow.recovery) ? round(flow.recovery, 6) : null,
  }));
}

/** The `TOP` largest non-zero values by name, largest first (ties by name). */
function top(entries: [string, number][]): Record<string, number> {
  const kept = entries
    .filter(([, value]) => value > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP);
  return Object.fromEntries(kept);
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
