/** `arpkit sim`: the command, its help, and what one run or a sweep prints and writes. */
import { unlinkSync } from 'node:fs';
import type { Command } from 'commander';
import { type FileSink, openFileSink } from '../io/file-sink.js';
import { describeFsError } from '../io/fs-error.js';
import { ParamError } from '../sim/params.js';
import { plotSvg } from '../sim/plot.js';
import { runScenario, type SimResult } from '../sim/run.js';
import { Params } from '../sim/scenario.js';
import { SCENARIOS } from '../sim/scenarios/index.js';
import { runSweep, sweepThreads, type Sweep } from '../sim/sweep.js';
import type { Timeline } from '../sim/timeline.js';
import { fromSeconds } from '../sim/units.js';
import { World } from '../sim/world.js';
import { Exit, RuntimeError, UsageError } from './errors.js';
import type { Io } from './io.js';
import { type SimFlags, type SimPlan, scenarioOf, simPlan } from './sim-args.js';
import {
  nonDefaults,
  paramListJson,
  paramListLines,
  plotTitle,
  scenarioListLines,
  summaryLines,
  sweepTable,
} from './sim-text.js';
import { collect } from './values.js';

const SIM_HELP = `
A discrete-event simulation of ARP caches, switch FDBs, policers and timers in virtual time:
how long a failover loses traffic, how much, and why. The same seed gives the same result.

Output (a summary; --json: one object with recovery {p50, p99, max} in seconds, lost, lostBy,
peakArpPps, policerDrops, events, wallSeconds…; a sweep prints a row per value):
  recovery from 10 s: p50 113.8 ms, p99 119.3 ms, max 119.3 ms (5 of 5 flows lost packets)

Scenario file (YAML or JSON; --set and --seed override it):
  scenario: bond-failover
  seed: 7
  set: { announce: bonding, guests: 20 }
  sweep: { key: num_grat_arp, from: 0, to: 5 }      # or { key: announce, values: [none, arpkit] }

Examples:
  arpkit sim --list                                   # the scenarios
  arpkit sim --list gateway-failover                  # its parameters and their defaults
  arpkit sim bond-failover --set announce=none
  arpkit sim gateway-failover --set neighbours=2000 --plot failover.svg
  arpkit sim gateway-failover --sweep policer_pps=200..2000:200
  arpkit sim bond-failover --sweep announce=none,bonding,arpkit --json
  arpkit sim bond-failover --pcap eth1.pcap --capture eth1 && arpkit analyze -v eth1.pcap
  arpkit sim --file failover.yaml --seed 3

Exit status: 0 when the simulation ran; 1 when --plot or --pcap cannot be written; 2 for a
usage error (an unknown scenario or parameter, a value out of range).`;

/** Adds `arpkit sim` to the program. */
export function registerSim(program: Command, io: Io, run: { status: number }): void {
  program
    .command('sim')
    .description('predict how long a failover loses traffic: simulate ARP, FDBs and policers')
    .argument('[scenario]', 'a built-in scenario (see --list)')
    .option('--list', 'list the scenarios, or with a scenario its parameters')
    .option('--file <file>', 'a scenario file, YAML or JSON (instead of the scenario argument)')
    .option('--seed <n>', 'the random seed, a whole number (default 1)')
    .option('--set <key=value>', 'set a parameter (repeatable; see --list SCENARIO)', collect, [])
    .option('--sweep <key=range>', 'one run per value: KEY=FROM..TO[:STEP] or KEY=A,B,C')
    .option('--json', 'print JSON: one object, or an array for a sweep')
    .option('--plot <file.svg>', 'draw the run over time: flows recovered, ARP rate, losses')
    .option('--pcap <file>', 'write what a capture point saw as pcap (arpkit analyze reads it)')
    .option('--capture <point>', "--pcap's capture point (default: the scenario's first)")
    .addHelpText('after', SIM_HELP)
    .action(async (name: string | undefined, flags: SimFlags) => {
      run.status = await runSim(name, flags, io);
    });
}

/** Runs `arpkit sim` and returns its exit status; throws a UsageError or RuntimeError. */
export async function runSim(name: string | undefined, flags: SimFlags, io: Io): Promise<number> {
  if (flags.list === true) return list(name, flags, io);
  const plan = await simPlan(name, flags);
  if (plan.sweep !== undefined) return sweep(plan, plan.sweep, io);
  return single(plan, io);
}

/** `--list [SCENARIO]`. */
function list(name: string | undefined, flags: SimFlags, io: Io): number {
  const others = (['file', 'sweep', 'plot', 'pcap', 'capture', 'seed'] as const).filter(
    (key) => flags[key] !== undefined,
  );
  if (others.length > 0 || flags.set.length > 0) {
    const given = [...others, ...(flags.set.length > 0 ? ['set'] : [])];
    throw new UsageError(`--list: lists only; drop ${given.map((key) => `--${key}`).join(', ')}`);
  }
  const scenario = name === undefined ? undefined : scenarioOf(name);
  if (flags.json === true) {
    const listing =
      scenario === undefined
        ? { scenarios: SCENARIOS.map(({ name, summary }) => ({ name, summary })) }
        : paramListJson(scenario);
    io.stdout.write(`${JSON.stringify(listing)}\n`);
  } else {
    const lines = scenario === undefined ? scenarioListLines(SCENARIOS) : paramListLines(scenario);
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  return Exit.OK;
}

/** One run: the summary or JSON, and the plot and pcap if asked for. */
function single(plan: SimPlan, io: Io): number {
  const { scenario, seed, params } = plan;
  const files: OutputFile[] = [];
  let point: string | undefined;
  let ran: { result: SimResult; timeline: Timeline };
  try {
    point = plan.pcap === undefined ? undefined : (plan.capture ?? firstCapturePoint(plan));
    const plot = plan.plot === undefined ? undefined : new OutputFile('--plot', plan.plot);
    if (plot !== undefined) files.push(plot);
    const pcap = plan.pcap === undefined ? undefined : new OutputFile('--pcap', plan.pcap);
    if (pcap !== undefined) files.push(pcap);
    const capture =
      pcap === undefined || point === undefined ? {} : { capture: { point, sink: pcap } };
    ran = runScenario({ scenario, params, seed, ...capture });
    pcap?.close();
    if (plot !== undefined) {
      const changed = nonDefaults(scenario, ran.result.params, params);
      plot.write(Buffer.from(plotSvg(ran.timeline, plotTitle(scenario.name, changed, seed))));
      plot.close();
    }
  } catch (error) {
    for (const file of files) file.remove();
    if (error instanceof ParamError) throw plan.blame(error);
    throw error;
  }
  const { result, timeline } = ran;
  if (plan.json) {
    io.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const changed = nonDefaults(scenario, result.params, params);
    const lines = summaryLines(result, timeline, changed, {
      ...(plan.plot === undefined ? {} : { plot: plan.plot }),
      ...(plan.pcap === undefined || point === undefined
        ? {}
        : { pcap: { file: plan.pcap, point } }),
    });
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  return Exit.OK;
}

/** A sweep: a table, or a JSON array of the runs' results in the order of the values. */
async function sweep(plan: SimPlan, values: Sweep, io: Io): Promise<number> {
  const started = io.clock.now();
  let results: SimResult[];
  try {
    results = await runSweep({
      scenario: plan.scenario.name,
      params: plan.params,
      seed: plan.seed,
      sweep: values,
    });
  } catch (error) {
    if (error instanceof ParamError) throw plan.blame(error);
    throw error;
  }
  if (plan.json) {
    io.stdout.write(`${JSON.stringify(results)}\n`);
    return Exit.OK;
  }
  const first = results[0];
  const changed = first === undefined ? [] : nonDefaults(plan.scenario, first.params, plan.params);
  const wallSeconds = Math.round(io.clock.now() - started) / 1000;
  const threads = sweepThreads(values.values.length);
  const lines = sweepTable(values, results, changed, { threads, wallSeconds });
  io.stdout.write(`${lines.join('\n')}\n`);
  return Exit.OK;
}

/**
 * The scenario's first capture point (the default of `--capture`), learned by building its world
 * without running it.
 */
function firstCapturePoint(plan: SimPlan): string {
  const params = new Params(plan.scenario, plan.params);
  const world = new World(plan.seed, fromSeconds(plan.scenario.duration(params)));
  plan.scenario.build(world, params);
  const [first] = world.capturePoints.keys();
  if (first === undefined)
    throw new UsageError(`--pcap: ${plan.scenario.name} has no capture point`);
  return first;
}

/**
 * A file `--plot` or `--pcap` writes, created before the run so a path that cannot be written
 * fails at once; every failure is a RuntimeError naming the option and the file.
 */
class OutputFile {
  readonly #sink: FileSink;
  #open = true;

  constructor(
    readonly option: string,
    readonly path: string,
  ) {
    try {
      this.#sink = openFileSink(path);
    } catch (error) {
      throw this.#failed(error);
    }
  }

  write(bytes: Uint8Array): void {
    try {
      this.#sink.write(bytes);
    } catch (error) {
      throw this.#failed(error);
    }
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    try {
      this.#sink.close();
    } catch (error) {
      throw this.#failed(error);
    }
  }

  /** Closes and deletes the file after a failed run, quietly. */
  remove(): void {
    try {
      if (this.#open) this.#sink.close();
    } catch {
      // Already failing: the first error is the one to report.
    }
    this.#open = false;
    try {
      unlinkSync(this.path);
    } catch {
      // Gone already, or never made.
    }
  }

  #failed(error: unknown): RuntimeError {
    return new RuntimeError(`${this.option}: cannot write ${this.path}: ${describeFsError(error)}`);
  }
}
